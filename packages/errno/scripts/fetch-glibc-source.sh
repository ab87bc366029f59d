#!/usr/bin/env bash
# Fetch Debian 12's glibc-source and unpack the files that define strerror's table; print the path of
# the unpacked glibc tree. Used by the test that checks the per-architecture messages against
# glibc's own sysdeps/gnu/errlist.h (nothing is committed).
# Cache: ${KMODKIT_CACHE:-$HOME/.cache/kmodkit}/glibc-source-<version>/
set -euo pipefail

cache="${KMODKIT_CACHE:-$HOME/.cache/kmodkit}"
mkdir -p "$cache"
exec 9>"$cache/.glibc-source.lock"
flock 9

shopt -s nullglob
existing=("$cache"/glibc-source-*/.complete)
if ((${#existing[@]})); then
  dirname "${existing[-1]}"
  exit 0
fi

if ! apt-cache show glibc-source >/dev/null 2>&1; then
  echo "fetch-glibc-source: running apt-get update" >&2
  apt-get update -qq >&2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq glibc-source >&2)
deb=("$work"/glibc-source_*.deb)
dpkg-deb -x "${deb[0]}" "$work/x"
tarball=("$work"/x/usr/src/glibc/glibc-*.tar.*)
echo "fetch-glibc-source: unpacking ${tarball[0]##*/}" >&2
tar -xf "${tarball[0]}" -C "$work" --wildcards '*/sysdeps/gnu/errlist.h' '*/string/_strerror.c' \
  '*/stdio-common/errlist*' '*/sysdeps/unix/sysv/linux/*errno.h'
src=("$work"/glibc-*/)
version="$(basename "${src[0]}")"
dest="$cache/glibc-source-${version#glibc-}"
rm -rf "$dest"
mv "${src[0]}" "$dest"
touch "$dest/.complete"
echo "$dest"
