#!/bin/sh
# Captures the kernel's module state from Debian's real 6.1 kernel under qemu (scripts/qemu-run.sh)
# into packages/loader/test/fixtures/guest-root/: the small text files the readers of @kmodkit/loader
# read (/proc/modules, /proc/cmdline, /proc/sys/kernel/{tainted,modules_disabled},
# /sys/module/<m>/…), with the fixture modules loaded (kmodkit_dep holding kmodkit_test, parameters
# set), and kmod's `lsmod` output beside them (lsmod.txt) as the oracle for `kmodkit lsmod`.
# Usage: packages/loader/scripts/capture-guest-root.sh   (rewrites the fixture tree; commit what changed)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
if [ -z "${KMODKIT_IN_QEMU:-}" ]; then
  out=$repo/packages/loader/test/fixtures/guest-root
  tmp=$(mktemp -d /var/tmp/kmodkit-capture.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  "$repo/scripts/qemu-run.sh" /bin/sh "$here/capture-guest-root.sh" >"$tmp/tree.b64"
  rm -rf "$out"
  mkdir -p "$out"
  base64 -d "$tmp/tree.b64" | tar -x -C "$out"
  echo "captured into $out" >&2
  exit 0
fi

# In the guest: load the fixtures as a user would, then copy what the readers read.
M=$repo/fixtures/modules
insmod "$M/kmodkit_test.ko" p_int=-7 p_charp=captured p_int_array=9,8 p_bool=n
insmod "$M/kmodkit_dep.ko" dep_count=5 dep_name=hi
root=/tmp/guest-root
mkdir -p "$root/proc/sys/kernel" "$root/sys/module"
cp /proc/modules /proc/cmdline "$root/proc/"
cp /proc/sys/kernel/tainted /proc/sys/kernel/modules_disabled "$root/proc/sys/kernel/"
[ -e /sys/module/compression ] && cp /sys/module/compression "$root/sys/module/"
# Every loaded module, plus built-in ones: `module` (sig_enforce) and one with parameters only.
for m in $(cut -d' ' -f1 /proc/modules) module printk; do
  src=/sys/module/$m
  dst=$root/sys/module/$m
  mkdir -p "$dst"
  for a in initstate refcnt taint coresize initsize version srcversion; do
    [ -f "$src/$a" ] && cat "$src/$a" >"$dst/$a"
  done
  if [ -d "$src/parameters" ]; then
    mkdir -p "$dst/parameters"
    for p in "$src"/parameters/*; do [ -f "$p" ] && cat "$p" >"$dst/parameters/${p##*/}" 2>/dev/null; done
  fi
  if [ -d "$src/holders" ]; then
    mkdir -p "$dst/holders"
    for h in "$src"/holders/*; do [ -e "$h" ] && ln -s "../../${h##*/}" "$dst/holders/${h##*/}"; done
  fi
  # The notes are binary: their names are kept, as empty files.
  if [ -d "$src/notes" ]; then
    mkdir -p "$dst/notes"
    for n in "$src"/notes/.note* "$src"/notes/*; do [ -f "$n" ] && : >"$dst/notes/${n##*/}"; done
  fi
done
lsmod >"$root/lsmod.txt"
# git keeps no empty directories (a module without holders has an empty holders/): list them, and
# test/guest-root.ts makes them again in the copy the tests read.
(cd "$root" && find . -type d -empty | sort >empty-dirs.txt)
tar -c -C "$root" . | base64
