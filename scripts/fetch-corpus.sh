#!/usr/bin/env bash
# Downloads Debian 12's kernel image package for each architecture asked for (default amd64),
# extracts it into the cache, and prints the absolute path of each extracted
# lib/modules/<version> directory on stdout, one a line, in argument order. Logs go to stderr.
# A second run is a cache hit and does no network or apt work when the ABI is pinned.
#
# `riscv64` is Debian 13's instead (Debian 12 has no riscv64 port): a 6.12 kernel whose modules are
# `.ko.xz`, fetched straight from deb.debian.org's trixie index (curl, no apt sources changed).
#
# Usage: scripts/fetch-corpus.sh [amd64|arm64|armhf|i386|ppc64el|s390x|mips64el|riscv64 ...]
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

# Debian 13's newest riscv64 kernel image, straight from the archive's index.
fetch_trixie_riscv64() {
  local mirror=http://deb.debian.org/debian index memo stamp pkg file dest tmp
  mkdir -p "$corpus"
  memo=$corpus/.trixie-riscv64
  # The index is looked at once a day at most; the package it names stays in the cache.
  stamp=$(date +%F)
  if [[ -f $memo ]] && [[ $(head -n1 "$memo") == "$stamp" ]]; then
    read -r pkg file < <(sed -n 2p "$memo")
  else
    log "looking up Debian 13's riscv64 kernel image"
    index=$(curl -fsSL --retry 3 "$mirror/dists/trixie/main/binary-riscv64/Packages.xz" | xz -dc) ||
      die "could not read $mirror/dists/trixie/main/binary-riscv64/Packages.xz"
    read -r pkg file < <(awk '/^Package: linux-image-[0-9][^ ]*-riscv64$/ { p = $2 }
        p != "" && /^Filename:/ { print p, $2; p = "" }' <<<"$index" | sort -V | tail -n1)
    [[ -n $pkg ]] || die "no linux-image-*-riscv64 in Debian 13's index"
    printf '%s\n%s %s\n' "$stamp" "$pkg" "$file" >"$memo"
  fi
  dest=$corpus/$pkg
  if [[ -f $dest/.complete ]]; then
    cat "$dest/.complete"
    return 0
  fi
  log "downloading $pkg (riscv64, Debian 13)"
  tmp=$(mktemp -d "$corpus/.tmp.$pkg.XXXXXX")
  curl -fsSL --retry 3 -o "$tmp/image.deb" "$mirror/$file" || { rm -rf "$tmp"; die "could not download $mirror/$file"; }
  mkdir "$tmp/root"
  dpkg-deb -x "$tmp/image.deb" "$tmp/root"
  rm -f "$tmp/image.deb"
  local ver
  ver=$(ls "$tmp/root/usr/lib/modules")
  [[ -n $ver && $(wc -l <<<"$ver") -eq 1 ]] || { rm -rf "$tmp"; die "$pkg has no single usr/lib/modules/<version>"; }
  rm -rf "$dest"
  mv "$tmp/root" "$dest"
  rmdir "$tmp"
  printf '%s\n' "$dest/usr/lib/modules/$ver" >"$dest/.complete"
  log "$(find "$dest/usr/lib/modules/$ver" -name '*.ko*' | wc -l) modules in $dest/usr/lib/modules/$ver"
  cat "$dest/.complete"
}

fetch_one() {
  local arch=$1 flavour abi pkg dest
  if [[ $arch == riscv64 ]]; then
    fetch_trixie_riscv64
    return
  fi
  flavour=$(flavour_of "$arch") || die "unknown architecture '$arch' (known: amd64 arm64 armhf i386 ppc64el s390x mips64el riscv64)"

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

  local ver
  ver=$(ls "$tmp/root/lib/modules")
  [[ -n $ver && $(wc -l <<<"$ver") -eq 1 ]] || { rm -rf "$tmp"; die "$pkg has no single lib/modules/<version>"; }

  # Swap in atomically; .complete (holding the printed path) marks a finished extraction.
  rm -rf "$dest"
  mv "$tmp/root" "$dest"
  rmdir "$tmp"
  printf '%s\n' "$dest/lib/modules/$ver" >"$dest/.complete"
  log "$(find "$dest/lib/modules/$ver" -name '*.ko*' | wc -l) modules in $dest/lib/modules/$ver"
  cat "$dest/.complete"
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
