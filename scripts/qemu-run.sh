#!/usr/bin/env bash
# Runs one command inside Debian 12's real 6.1 kernel under qemu (TCG) and returns its exit status.
# The host machine's own kernel refuses module loading; this one gives the true answers.
#
# Usage: scripts/qemu-run.sh [--] command [args...]
#   The guest's root is this machine's root, shared read-only over 9p, with fresh proc, sysfs,
#   devtmpfs and a tmpfs on /tmp and /run (a working directory under them stays visible: its top
#   directory is bind-mounted back); the command runs as root in the current directory under
#   `env -i` with a minimal PATH. Its stdout and stderr come back on ours after the guest stops.
#   Files the guest writes: only to /tmp (lost) or to $KMODKIT_QEMU_OUT (see below).
# Env:  KMODKIT_CACHE=dir        cache (default ~/.cache/kmodkit); kernel and initramfs in qemu/<version>/
#       KMODKIT_QEMU_ABI=6.1.0-NN  kernel ABI (default: scripts/kernel-abi.sh's, 6.1.0-56 (the one the
#                                fixtures are built for) while Debian has it, else the newest 6.1.0-*)
#       KMODKIT_QEMU_TIMEOUT=s   give up after this many seconds (default 300); exit 124
#       KMODKIT_QEMU_MEM=size    guest memory (default 2G)
#       KMODKIT_QEMU_KEEP=1      keep the run dir (command, stdout, stderr, console log)
# Inside the guest, KMODKIT_QEMU_OUT names a directory, shared writable with the host, that is
# also the host's run dir; it is removed afterwards unless KMODKIT_QEMU_KEEP=1.
# Exit: the command's status; 124 on timeout; 125 if the harness failed (console log on stderr).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${KMODKIT_CACHE:-$HOME/.cache/kmodkit}
timeout_s=${KMODKIT_QEMU_TIMEOUT:-300}
mem=${KMODKIT_QEMU_MEM:-2G}

log() { printf 'qemu-run: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 125; }

[[ ${1:-} == -- ]] && shift
(($#)) || { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 125; }

# --- host tools ---------------------------------------------------------------------------
# shellcheck source=scripts/debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
ensure_debian_packages qemu-system-x86 busybox-static cpio xz-utils kmod
# shellcheck source=scripts/kernel-abi.sh
source "$here/kernel-abi.sh"
abi=$(resolve_abi image) || die "no kernel to boot"

# --- kernel and initramfs, cached per kernel version -------------------------------------
moddir=$(KMODKIT_CORPUS_ABI=$abi "$here/fetch-corpus.sh" amd64)
kver=$(basename "$moddir")
# The suffix names the /init recipe: change it when /init changes, so cached initramfs are rebuilt.
kdir=$cache/qemu/$kver-init2
if [[ ! -f $kdir/.complete ]]; then
  log "preparing kernel and initramfs for $kver in $kdir"
  tmp=$(mktemp -d "$cache/qemu/.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$cache/qemu"; mktemp -d "$cache/qemu/.tmp.XXXXXX"; })
  # qemu boots a kernel directly (PVH) only from an uncompressed vmlinux: unpack the xz payload.
  vmlinuz=$moddir/../../../boot/vmlinuz-$kver
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1 || true)
  [[ -n $off ]] || die "no xz payload in $vmlinuz"
  # xz stops with status 1 at the bytes after the stream; the output is complete.
  tail -c +$((off + 1)) "$vmlinuz" | xz -dc >"$tmp/vmlinux" 2>/dev/null || true
  [[ $(head -c 4 "$tmp/vmlinux" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] || die "vmlinux extraction failed"

  root=$tmp/initramfs
  mkdir -p "$root"/{bin,dev,proc,sys,mnt,modules}
  cp /bin/busybox "$root/bin/busybox"
  mods=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
        9pnet 9pnet_virtio netfs fscache 9p)
  for m in "${mods[@]}"; do
    f=$(find "$moddir/kernel" -name "$m.ko" | head -n1)
    [[ -n $f ]] || die "module $m.ko not found under $moddir"
    cp "$f" "$root/modules/"
  done
  cat >"$root/init" <<EOF
#!/bin/busybox sh
# Set up by scripts/qemu-run.sh. kmodkit_run (from the kernel command line) is the host's run dir.
B=/bin/busybox
\$B mount -t proc proc /proc
\$B mount -t sysfs sysfs /sys
\$B mount -t devtmpfs devtmpfs /dev
for m in ${mods[*]}; do \$B insmod /modules/\$m.ko || echo "init: insmod \$m failed"; done
opts=trans=virtio,version=9p2000.L,msize=262144
\$B mount -t 9p -o \$opts,ro,cache=loose hostroot /mnt || { echo "init: mounting hostroot failed"; \$B poweroff -f; }
\$B mount -t 9p -o \$opts out "/mnt\$kmodkit_run" || { echo "init: mounting out failed"; \$B poweroff -f; }
\$B mount -t proc proc /mnt/proc
\$B mount -t sysfs sysfs /mnt/sys
\$B mount -t devtmpfs devtmpfs /mnt/dev
# The guest gets its own tmpfs on /tmp and /run. When the host's working directory is under one of
# them (a checkout in /tmp), keep its top directory visible through a bind mount.
keep=
case "\$kmodkit_cwd" in
/tmp/?*|/run/?*)
  rest=\${kmodkit_cwd#/*/}
  keep=\${kmodkit_cwd%%/\$rest}/\${rest%%/*}
  \$B mkdir -p /keep && \$B mount -o bind "/mnt\$keep" /keep || keep=
  ;;
esac
\$B mount -t tmpfs tmpfs /mnt/tmp
\$B mount -t tmpfs tmpfs /mnt/run
if [ -n "\$keep" ]; then
  \$B mkdir -p "/mnt\$keep" && \$B mount -o bind /keep "/mnt\$keep" || echo "init: keeping \$keep visible failed"
fi
\$B chroot /mnt /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  HOME=/root TERM=dumb LANG=C.UTF-8 KMODKIT_QEMU_OUT="\$kmodkit_run" KMODKIT_IN_QEMU=1 \\
  /bin/sh "\$kmodkit_run/cmd.sh" >"/mnt\$kmodkit_run/stdout" 2>"/mnt\$kmodkit_run/stderr"
echo \$? >"/mnt\$kmodkit_run/status"
\$B sync
\$B poweroff -f
EOF
  chmod 755 "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$tmp/initramfs.cpio.gz")
  rm -rf "$root"
  rm -rf "$kdir"
  mv "$tmp" "$kdir"
  touch "$kdir/.complete"
fi

# --- one run ------------------------------------------------------------------------------
# The run dir is shared writable and mounted at the same path in the guest. It must not be
# under /tmp or /run: the guest mounts tmpfs there, which would hide it.
mkdir -p "$cache/qemu/runs"
run=$(mktemp -d "$cache/qemu/runs/run.XXXXXX")
[[ ${KMODKIT_QEMU_KEEP:-} == 1 ]] || trap 'rm -rf "$run"' EXIT
{
  printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$run/cmd.sh"

status=0
timeout --foreground -k 10 "$timeout_s" \
  qemu-system-x86_64 -machine pc,accel=tcg -cpu max -smp 2 -m "$mem" \
    -display none -monitor none -serial "file:$run/console.log" -no-reboot \
    -kernel "$kdir/vmlinux" -initrd "$kdir/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 kmodkit_run=$run kmodkit_cwd=$PWD" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$run,mount_tag=out,security_model=none" \
    </dev/null >"$run/qemu.log" 2>&1 || status=$?

[[ -f $run/stdout ]] && cat "$run/stdout"
[[ -f $run/stderr ]] && cat "$run/stderr" >&2
if ((status == 124)); then
  log "timed out after ${timeout_s}s; console log:"
  cat "$run/console.log" "$run/qemu.log" >&2 || true
  exit 124
fi
if [[ ! -s $run/status ]]; then
  log "the guest did not report a status (qemu exit $status); console log:"
  cat "$run/console.log" "$run/qemu.log" >&2 || true
  exit 125
fi
[[ ${KMODKIT_QEMU_KEEP:-} == 1 ]] && log "run dir kept: $run"
exit "$(cat "$run/status")"
