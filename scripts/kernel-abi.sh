#!/usr/bin/env bash
# The Debian 12 kernel ABI (6.1.0-NN) the real-kernel tests use: the pinned one (6.1.0-56, the ABI the
# fixtures were built for) while it is here, else the newest 6.1.0-*-amd64 apt has, said on stderr.
# Debian's archive replaces ABI packages over time; with modversions the kernel ignores vermagic's
# release part, so the fixtures load into a 6.1.0-* kernel whose CRCs of their imports match theirs
# (else rebuild them: scripts/build-fixtures.sh takes its headers ABI from here too).
#
# Usage: scripts/kernel-abi.sh [image|headers]   prints the ABI (e.g. 6.1.0-56) for that package kind
#        (image: linux-image-<abi>-amd64, what scripts/qemu-run.sh boots; headers: linux-headers-…)
#        source scripts/kernel-abi.sh              gives pick_abi and resolve_abi to a script
# Env:   KMODKIT_QEMU_ABI=6.1.0-NN   use this ABI, no fallback (an error later if it is not there)
#        KMODKIT_CACHE=dir           the cache scripts/fetch-corpus.sh fills (default ~/.cache/kmodkit)
KMODKIT_PINNED_ABI=6.1.0-56

# pick_abi PREFERRED KIND: reads apt-cache output (`apt-cache search`/`pkgnames`: the package name first
# on each line) and prints PREFERRED if linux-KIND-PREFERRED-amd64 is among the names, else the newest
# 6.1.0-N among them (numerically), saying so on stderr; status 1 if there is none.
pick_abi() {
  local preferred=$1 kind=$2 abis
  abis=$(awk -v k="$kind" '{ n = $1; if (n ~ "^linux-" k "-6\\.1\\.0-[0-9]+-amd64$") {
           sub("^linux-" k "-", "", n); sub("-amd64$", "", n); print n } }' | sort -t- -k2,2n -u)
  [[ -n $abis ]] || return 1
  if grep -qxF -- "$preferred" <<<"$abis"; then
    echo "$preferred"
    return 0
  fi
  local newest
  newest=$(tail -n1 <<<"$abis")
  printf 'kernel-abi: linux-%s-%s-amd64 is gone from apt; using %s\n' "$kind" "$preferred" "$newest" >&2
  echo "$newest"
}

# resolve_abi KIND: KMODKIT_QEMU_ABI if set; the pinned ABI if it is here already (the corpus cache for
# an image, /usr/src for headers) or apt has it; else the newest apt has (pick_abi).
resolve_abi() {
  local kind=$1 cache=${KMODKIT_CACHE:-$HOME/.cache/kmodkit}
  if [[ -n ${KMODKIT_QEMU_ABI:-} ]]; then
    echo "$KMODKIT_QEMU_ABI"
    return 0
  fi
  case $kind in
    image) [[ -f $cache/corpus/linux-image-$KMODKIT_PINNED_ABI-amd64/.complete ]] ;;
    headers) [[ -f /usr/src/linux-headers-$KMODKIT_PINNED_ABI-amd64/Module.symvers ]] ;;
    *) printf 'kernel-abi: unknown kind %s (image or headers)\n' "$kind" >&2; return 2 ;;
  esac && { echo "$KMODKIT_PINNED_ABI"; return 0; }
  apt-cache search --names-only "^linux-$kind-6\\.1\\.0-[0-9]+-amd64\$" 2>/dev/null |
    pick_abi "$KMODKIT_PINNED_ABI" "$kind" || {
    printf 'kernel-abi: apt has no linux-%s-6.1.0-*-amd64 (run apt-get update?)\n' "$kind" >&2
    return 1
  }
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  resolve_abi "${1:-image}"
fi
