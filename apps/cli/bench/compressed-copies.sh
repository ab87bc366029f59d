#!/usr/bin/env bash
# Makes compressed copies of the .ko files of a module tree once, in the cache, the way kernels
# compress modules (scripts/Makefile.modinst: `xz --check=crc32 --lzma2=dict=1MiB`, `zstd`), and
# prints the directory holding them (same relative paths, plus .xz / .zst). A second run is a cache hit.
#
# Usage: compressed-copies.sh <tree> <xz|zst> [every-Nth]   (every-Nth: only every Nth module, sorted)
# Env:   KMODKIT_CACHE=dir (default ~/.cache/kmodkit)
set -euo pipefail
tree=${1:?usage: compressed-copies.sh <tree> <xz|zst> [every-Nth]}
kind=${2:?usage: compressed-copies.sh <tree> <xz|zst> [every-Nth]}
nth=${3:-1}
cache=${KMODKIT_CACHE:-$HOME/.cache/kmodkit}
dest=$cache/compressed/$(basename "$tree")/$kind-every-$nth
if [[ -f $dest/.complete ]]; then
  echo "$dest"
  exit 0
fi
case $kind in
  xz) cmd='xz --check=crc32 --lzma2=dict=1MiB -T1 -c' ;;
  zst) cmd='zstd -q -c' ;;
  *) echo "compressed-copies: unknown kind '$kind' (xz or zst)" >&2; exit 2 ;;
esac
rm -rf "$dest"
mkdir -p "$dest"
echo "compressed-copies: compressing every ${nth}th module of $tree with $kind into $dest" >&2
cd "$tree"
find . -name '*.ko' | LC_ALL=C sort | awk -v n="$nth" '(NR - 1) % n == 0' |
  xargs -P "$(nproc)" -n 64 sh -c 'for f; do mkdir -p "$0/$(dirname "$f")"; '"$cmd"' "$f" >"$0/$f.'"$kind"'"; done' "$dest"
touch "$dest/.complete"
echo "$dest"
