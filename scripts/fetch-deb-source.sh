#!/usr/bin/env bash
# Download a Debian 12 source package shipped as a .deb (linux-source-6.1, glibc-source …), unpack
# its source tarball into the cache once, and print the unpacked tree's path. Nothing is committed.
#   fetch-deb-source.sh <cache-name> <package> <tarball glob inside the .deb> [tar member patterns…]
# Cache: ${KMODKIT_CACHE:-$HOME/.cache/kmodkit}/<cache-name>-<package version>/
set -euo pipefail
(($# >= 3)) || { echo "usage: $0 <cache-name> <package> <tarball-glob> [patterns…]" >&2; exit 2; }
name="$1" package="$2" tarball_glob="$3"
shift 3

cache="${KMODKIT_CACHE:-$HOME/.cache/kmodkit}"
mkdir -p "$cache"
exec 9>"$cache/.$name.lock"
flock 9

shopt -s nullglob
existing=("$cache/$name"-*/.complete)
if ((${#existing[@]})); then
  dirname "${existing[-1]}"
  exit 0
fi

if ! apt-cache show "$package" >/dev/null 2>&1; then
  echo "fetch-deb-source: running apt-get update" >&2
  apt-get update -qq >&2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq "$package" >&2)
deb=("$work/${package}"_*.deb)
version="$(dpkg-deb -f "${deb[0]}" Version)"
dpkg-deb -x "${deb[0]}" "$work/x"
tarball=("$work"/x/$tarball_glob)
echo "fetch-deb-source: unpacking ${tarball[0]##*/} from $package $version" >&2
mkdir "$work/src"
wildcards=()
(($#)) && wildcards=(--wildcards "$@")
tar -xf "${tarball[0]}" -C "$work/src" "${wildcards[@]}"
top=("$work"/src/*/)
((${#top[@]} == 1)) || { echo "fetch-deb-source: expected one top directory in the tarball" >&2; exit 1; }
dest="$cache/$name-$version"
rm -rf "$dest"
mv "${top[0]}" "$dest"
touch "$dest/.complete"
echo "$dest"
