#!/usr/bin/env bash
# Builds the fixture kernel modules in fixtures/src/ against Debian 12's 6.1 headers and writes
# them, their compressed, signed and stripped variants, and kmod's modinfo output for each
# (the golden files) into fixtures/modules/. Safe to run again: it rebuilds everything, and with
# the signing key cached under $KMODKIT_CACHE the outputs come out byte-for-byte the same.
#
# Env: KMODKIT_HEADERS_ABI=6.1.0-NN  pin the headers ABI (default: scripts/kernel-abi.sh's, 6.1.0-56
#                                   while Debian has it, else the newest 6.1.0-*)
#      KMODKIT_CACHE=dir              cache dir (default ~/.cache/kmodkit); holds the signing key
# Usage: scripts/build-fixtures.sh [--golden-only]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$repo/fixtures/src
out=$repo/fixtures/modules
golden=$out/golden
cache=${KMODKIT_CACHE:-$HOME/.cache/kmodkit}

log() { printf 'build-fixtures: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

files=(kmodkit_test.ko kmodkit_test.ko.gz kmodkit_test.ko.xz kmodkit_test.ko.zst
       kmodkit_test-signed.ko kmodkit_test-stripped.ko kmodkit_dep.ko)

# --- golden modinfo output ----------------------------------------------------------------
# kmod prints the absolute path it was given (`filename:`, error messages); the golden files hold
# the repository-relative path instead, so they do not depend on the checkout they were made in.
# Tests compare what follows the `filename:` line, or put their own path there.
write_golden() {
  local f status abs
  abs=$(realpath "$out")
  mkdir -p "$golden"
  rm -f "$golden"/*.modinfo.txt "$golden"/*.modinfo.stderr.txt
  : >"$golden/modinfo-exit-status.txt"
  for f in "${files[@]}"; do
    status=0
    modinfo "$abs/$f" >"$golden/$f.modinfo.txt" 2>"$golden/$f.modinfo.stderr.txt" || status=$?
    sed -i "s|$abs/|fixtures/modules/|g" "$golden/$f.modinfo.txt" "$golden/$f.modinfo.stderr.txt"
    [[ -s $golden/$f.modinfo.stderr.txt ]] || rm -f "$golden/$f.modinfo.stderr.txt"
    printf '%s %d\n' "$f" "$status" >>"$golden/modinfo-exit-status.txt"
  done
}

# --golden-only: rewrite only the golden files, from the modules already in fixtures/modules
# (needs only kmod), e.g. after a change to how they are written.
if [[ ${1:-} == --golden-only ]]; then
  write_golden
  exit 0
fi

# --- headers ABI --------------------------------------------------------------------------
if [[ -n ${KMODKIT_HEADERS_ABI:-} ]]; then
  abi=$KMODKIT_HEADERS_ABI
else
  # shellcheck source=scripts/kernel-abi.sh
  source "$repo/scripts/kernel-abi.sh"
  abi=$(resolve_abi headers) || die "no linux-headers-6.1.0-*-amd64 package found"
fi
log "using headers ABI $abi (linux-headers-$abi-amd64)"

# --- tools --------------------------------------------------------------------------------
# shellcheck source=scripts/debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
ensure_debian_packages linux-headers-"$abi"-amd64 build-essential kmod xz-utils zstd gzip openssl

kdir=/usr/src/linux-headers-$abi-amd64
sign_file=$kdir/scripts/sign-file
[[ -d $kdir ]] || die "$kdir is missing"
[[ -x $sign_file ]] || sign_file=/usr/lib/linux-kbuild-${abi%.*-*}/scripts/sign-file
[[ -x $sign_file ]] || die "sign-file not found"

# --- build out of tree, in a temp dir -----------------------------------------------------
build=$(mktemp -d "${TMPDIR:-/tmp}/kmodkit-fixtures.XXXXXX")
trap 'rm -rf "$build"' EXIT
cp -r "$src/kmodkit_test" "$src/kmodkit_dep" "$build/"

# Debian's config has full DWARF (CONFIG_DEBUG_INFO=y), about 220 KB for this module. Reduced
# debug info (-fno-var-tracking -femit-struct-debug-baseonly, scripts/Makefile.debug) keeps real
# .debug_* sections and their relocations in the fixture at a quarter of the size.
# -ffile-prefix-map keeps the temp dir's name out of the output, so rebuilds are reproducible.
make_args=(-C "$kdir" CONFIG_DEBUG_INFO_REDUCED=y "KCFLAGS=-ffile-prefix-map=$build/=")
log "building kmodkit_test"
make -s "${make_args[@]}" M="$build/kmodkit_test" modules >&2
log "building kmodkit_dep"
make -s "${make_args[@]}" M="$build/kmodkit_dep" \
  KBUILD_EXTRA_SYMBOLS="$build/kmodkit_test/Module.symvers" modules >&2

# --- signing key (throwaway, kept in the cache, never in the repo) ------------------------
keydir=$cache/signing-key
mkdir -p "$keydir"
chmod 700 "$keydir"
key=$keydir/signing_key.pem
cert=$out/signing_cert.pem
pub_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
pub_of_cert() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
if [[ -f $key && -f $cert && "$(pub_of_key "$key")" == "$(pub_of_cert "$cert")" ]]; then
  log "reusing signing key $key"
else
  log "generating a new throwaway signing key in $keydir"
  # Same shape as the kernel's certs/default_x509.genkey.
  cat >"$keydir/x509.genkey" <<'EOF'
[ req ]
default_bits = 4096
distinguished_name = req_distinguished_name
prompt = no
string_mask = utf8only
x509_extensions = myexts

[ req_distinguished_name ]
O = kmodkit
CN = kmodkit test signing key

[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
    -config "$keydir/x509.genkey" -outform PEM -out "$keydir/signing_cert.pem" \
    -keyout "$key" 2>/dev/null
  chmod 600 "$key"
  mkdir -p "$out"
  cp "$keydir/signing_cert.pem" "$cert"
fi

# --- outputs ------------------------------------------------------------------------------
mkdir -p "$out" "$golden"
t=$out/kmodkit_test
cp "$build/kmodkit_test/kmodkit_test.ko" "$t.ko"
cp "$build/kmodkit_dep/kmodkit_dep.ko" "$out/kmodkit_dep.ko"
gzip -9n -c "$t.ko" >"$t.ko.gz"
xz --check=crc32 --lzma2=dict=1MiB -c "$t.ko" >"$t.ko.xz"
zstd -19 -q -c "$t.ko" >"$t.ko.zst"
"$sign_file" sha256 "$key" "$cert" "$t.ko" "$t-signed.ko"
# What `make modules_install INSTALL_MOD_STRIP=1` does (scripts/Makefile.modinst).
strip --strip-debug -o "$t-stripped.ko" "$t.ko"

write_golden

# --- build facts --------------------------------------------------------------------------
{
  echo "# Written by scripts/build-fixtures.sh; do not edit."
  echo "headers: linux-headers-$abi-amd64 $(dpkg-query -W -f='${Version}' "linux-headers-$abi-amd64")"
  echo "compiler: $(gcc --version | head -n1)"
  echo "kmod: $(dpkg-query -W -f='${Version}' kmod) ($(kmod --version | tr '\n' ' ' | sed 's/ $//'))"
  echo "vermagic: $(modinfo -F vermagic "$t.ko")"
  echo "make: make -C $kdir CONFIG_DEBUG_INFO_REDUCED=y KCFLAGS=-ffile-prefix-map=<builddir>/= M=<builddir> modules"
  echo
  echo "# sha256  size  file"
  (cd "$out" && for f in "${files[@]}" signing_cert.pem; do
     printf '%s  %s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
   done)
} >"$out/BUILD-INFO.txt"

total=0
for f in "${files[@]}"; do
  size=$(stat -c %s "$out/$f")
  total=$((total + size))
  ((size < 200 * 1024)) || log "warning: $f is $size bytes (aim: < 200 KB)"
done
((total < 1024 * 1024)) || log "warning: fixtures total $total bytes (aim: < 1 MB)"
log "wrote ${#files[@]} modules ($total bytes) to $out"
