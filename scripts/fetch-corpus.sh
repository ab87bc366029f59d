#!/usr/bin/env bash
# Downloads Debian 12's kernel image package for each architecture asked for (default amd64),
# extracts it into the cache, and prints the absolute path of each extracted
# lib/modules/<version> directory on stdout, one a line, in argument order. Logs go to stderr.
# A second run is a cache hit and does no network or apt work when the ABI is pinned.
#
# Two architectures Debian 12 does not have come from later releases, fetched straight from
# deb.debian.org's index with curl (no apt sources changed): `riscv64` from Debian 13 (a 6.12 kernel)
# and `loong64` from Debian 14, testing (a 7.x kernel); both ship their modules as `.ko.xz`.
#
# Usage: scripts/fetch-corpus.sh [amd64|arm64|armhf|i386|ppc64el|s390x|mips64el|riscv64|loong64 ...]
# Env:   KMODKIT_CACHE=dir          cache dir (default ~/.cache/kmodkit); corpus under $KMODKIT_CACHE/corpus
#        KMODKIT_CORPUS_ABI=6.1.0-NN pin the ABI (default: the newest 6.1.0-* apt knows for that arch)
set -euo pipefail

cache=${KMODKIT_CACHE:-$HOME/.cache/kmodkit}
corpus=$cache/corpus

log() { printf 'fetch-corpus: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Debian 12 kernel flavour per architecture (the package is linux-image-<abi>-<flavour>).
flavour_of() {
  case $1 in
    amd64) echo amd64 ;;
    arm64) echo arm64 ;;
    armhf) echo armmp ;;
    i386) echo 686 ;;
    ppc64el) echo powerpc64le ;;
    s390x) echo s390x ;;
    mips64el) echo mips64r2el ;;
    *) return 1 ;;
  esac
}

native=$(dpkg --print-architecture)

# Makes apt know the packages of a foreign architecture; only when it does not yet.
ensure_arch() {
  local arch=$1
  [[ $arch == "$native" ]] && return 0
  dpkg --print-foreign-architectures | grep -qx "$arch" && return 0
  ((EUID == 0)) || die "apt does not know architecture $arch; as root run: dpkg --add-architecture $arch && apt-get update"
  log "adding dpkg architecture $arch and running apt-get update"
  dpkg --add-architecture "$arch"
  # A mirror in sync makes some index fail (exit 100) while the rest is fine: go on, and let the
  # package lookup say whether what we need arrived.
  apt-get update >&2 || log "warning: apt-get update reported errors; trying anyway"
}

# The newest 6.1.0-<n> ABI that apt has a linux-image-<abi>-<flavour> for, for this arch.
# apt-cache takes seconds here (no pkgcache), so the answer is kept until apt's lists change.
newest_abi() {
  local arch=$1 flavour=$2 memo stamp
  memo=$corpus/.newest-abi-$arch
  stamp=$(stat -c %Y /var/lib/apt/lists)
  if [[ -f $memo ]] && [[ $(head -n1 "$memo") == "$stamp" ]]; then
    sed -n 2p "$memo"
    return 0
  fi
  local names
  names=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
          grep -E "^linux-image-6\.1\.0-[0-9]+-$flavour\$" | sort -V || true)
  [[ -n $names ]] || return 1
  # pkgnames lists a name if any architecture has it; policy says which this arch has.
  local abi
  abi=$(apt-cache policy $(sed "s/\$/:$arch/" <<<"$names") 2>/dev/null |
        awk -v f="$flavour" '/^[^ ]/ { pkg = $1 } /Candidate:/ && $2 != "(none)" { last = pkg }
             END { if (last == "") exit 1; sub(/^linux-image-/, "", last); sub("-" f ":.*$", "", last); print last }') ||
    return 1
  mkdir -p "$corpus"
  printf '%s\n%s\n' "$stamp" "$abi" >"$memo"
  echo "$abi"
}

# Moves the extraction in <tmp>/root to <dest> and prints the path of its single
# <modules>/<version> directory (<modules>: lib/modules, or usr/lib/modules in later Debians). The
# swap is atomic; .complete, holding the printed path, marks a finished extraction.
install_tree() {
  local tmp=$1 dest=$2 modules=$3 pkg=$4 ver
  ver=$(ls "$tmp/root/$modules")
  [[ -n $ver && $(wc -l <<<"$ver") -eq 1 ]] || { rm -rf "$tmp"; die "$pkg has no single $modules/<version>"; }
  rm -rf "$dest"
  mv "$tmp/root" "$dest"
  rmdir "$tmp"
  printf '%s\n' "$dest/$modules/$ver" >"$dest/.complete"
  log "$(find "$dest/$modules/$ver" -name '*.ko*' | wc -l) modules in $dest/$modules/$ver"
  cat "$dest/.complete"
}

# Architectures Debian 12 does not have, taken from a later Debian straight from the archive's index:
# the suite, and the package that holds the modules.
archive_suite() {
  case $1 in
    riscv64) echo trixie ;; # Debian 13
    loong64) echo forky ;;  # Debian 14 (testing): loong64 is new in it
    *) return 1 ;;
  esac
}
archive_package_re() {
  case $1 in
    riscv64) echo '^linux-image-[0-9][^ ]*-riscv64$' ;;
    loong64) echo '^linux-modules-[0-9][^ ]*-loong64$' ;;
  esac
}

# The newest kernel modules package of a later Debian for `arch`, straight from the archive.
fetch_from_archive() {
  local arch=$1 mirror=http://deb.debian.org/debian suite re index memo stamp pkg file dest tmp
  suite=$(archive_suite "$arch")
  re=$(archive_package_re "$arch")
  mkdir -p "$corpus"
  memo=$corpus/.archive-$arch
  # The index is looked at once a day at most; the package it names stays in the cache.
  stamp=$(date +%F)
  if [[ -f $memo ]] && [[ $(head -n1 "$memo") == "$stamp" ]]; then
    read -r pkg file < <(sed -n 2p "$memo")
  else
    log "looking up the newest $arch kernel modules in Debian $suite"
    index=$(curl -fsSL --retry 3 "$mirror/dists/$suite/main/binary-$arch/Packages.xz" | xz -dc) ||
      die "could not read $mirror/dists/$suite/main/binary-$arch/Packages.xz"
    read -r pkg file < <(awk -v re="$re" '/^Package: / { p = ($2 ~ re) ? $2 : "" }
        p != "" && /^Filename:/ { print p, $2; p = "" }' <<<"$index" | sort -V | tail -n1)
    [[ -n $pkg ]] || die "no package matching $re in Debian $suite's $arch index"
    printf '%s\n%s %s\n' "$stamp" "$pkg" "$file" >"$memo"
  fi
  dest=$corpus/$pkg
  if [[ -f $dest/.complete ]]; then
    cat "$dest/.complete"
    return 0
  fi
  log "downloading $pkg ($arch, Debian $suite)"
  tmp=$(mktemp -d "$corpus/.tmp.$pkg.XXXXXX")
  curl -fsSL --retry 3 -o "$tmp/image.deb" "$mirror/$file" || { rm -rf "$tmp"; die "could not download $mirror/$file"; }
  mkdir "$tmp/root"
  dpkg-deb -x "$tmp/image.deb" "$tmp/root"
  rm -f "$tmp/image.deb"
  install_tree "$tmp" "$dest" usr/lib/modules "$pkg"
}

fetch_one() {
  local arch=$1 flavour abi pkg dest
  if archive_suite "$arch" >/dev/null; then
    fetch_from_archive "$arch"
    return
  fi
  flavour=$(flavour_of "$arch") || die "unknown architecture '$arch' (known: amd64 arm64 armhf i386 ppc64el s390x mips64el riscv64 loong64)"

  if [[ -n ${KMODKIT_CORPUS_ABI:-} ]]; then
    abi=$KMODKIT_CORPUS_ABI
  else
    ensure_arch "$arch"
    abi=$(newest_abi "$arch" "$flavour") ||
      die "apt has no linux-image-6.1.0-*-$flavour for $arch (run apt-get update?)"
  fi
  pkg=linux-image-$abi-$flavour
  dest=$corpus/$pkg
  if [[ -f $dest/.complete ]]; then
    cat "$dest/.complete"
    return 0
  fi
  ensure_arch "$arch"

  log "downloading $pkg:$arch"
  mkdir -p "$corpus"
  local tmp
  tmp=$(mktemp -d "$corpus/.tmp.$pkg.XXXXXX")
  if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg:$arch" >&2); then
    rm -rf "$tmp"
    die "apt-get download $pkg:$arch failed (is architecture $arch enabled and the package in apt's lists?)"
  fi
  local deb
  deb=$(ls "$tmp"/*.deb)
  log "extracting $(basename "$deb")"
  mkdir "$tmp/root"
  dpkg-deb -x "$deb" "$tmp/root"
  rm -f "$deb"
  install_tree "$tmp" "$dest" lib/modules "$pkg"
}

(($#)) || set -- amd64
# One fetch at a time per cache: test runs in parallel (elf and cli, under turbo) ask for the same
# trees, and a second download would replace a tree the first one's tests are reading.
mkdir -p "$corpus"
exec 9>"$corpus/.lock"
flock 9
for arch in "$@"; do
  fetch_one "$arch"
done
