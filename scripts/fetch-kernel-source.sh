#!/usr/bin/env bash
# Fetch Debian 12's linux-source-6.1 and unpack it into the cache; print the source tree's path.
# Used by tests that compare kmodkit with the kernel's own code and headers (nothing is committed).
# Cache: ${KMODKIT_CACHE:-$HOME/.cache/kmodkit}/linux-source-<version>/
set -euo pipefail

cache="${KMODKIT_CACHE:-$HOME/.cache/kmodkit}"
mkdir -p "$cache"
exec 9>"$cache/.kernel-source.lock"
flock 9

shopt -s nullglob
existing=("$cache"/linux-source-*/.complete)
if ((${#existing[@]})); then
  dirname "${existing[-1]}"
  exit 0
fi

if ! apt-cache show linux-source-6.1 >/dev/null 2>&1; then
  echo "fetch-kernel-source: running apt-get update" >&2
  apt-get update -qq >&2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq linux-source-6.1 >&2)
deb=("$work"/linux-source-6.1_*.deb)
dpkg-deb -x "${deb[0]}" "$work/x"
tarball=("$work"/x/usr/src/linux-source-6.1.tar.*)
echo "fetch-kernel-source: unpacking ${tarball[0]##*/}" >&2
tar -xf "${tarball[0]}" -C "$work"
src=("$work"/linux-source-6.1)
version="$(make -s -C "${src[0]}" kernelversion 2>/dev/null || echo 6.1)"
dest="$cache/linux-source-$version"
rm -rf "$dest"
mv "${src[0]}" "$dest"
touch "$dest/.complete"
echo "$dest"
