#!/usr/bin/env bash
# Makes deliberately broken variants of the fixture modules (fixtures/modules) in DIR, for the tests
# that load them into the real kernel under qemu (DIR must be visible in the guest: not under /tmp).
# Usage: scripts/make-module-variants.sh DIR
#   random.ko            4096 bytes that are not ELF        empty.ko, short.ko (0 and 3 bytes)
#   truncated.ko         the first half of kmodkit_test.ko
#   edited-signed.ko     kmodkit_test-signed.ko with one byte of its .modinfo changed (signature no longer matches)
#   vermagic-release.ko  vermagic's release part changed (6.1.0-99-amd64 for -56): modversions kernels ignore it
#   vermagic-flags.ko    vermagic's flags changed (preemqt): refused; .ko.xz of it too
#   dep-vermagic-flags.ko  the same for kmodkit_dep.ko
#   debian-dummy.ko      Debian's own dummy.ko (signed by the key the booted kernel trusts), from the corpus
#                        of the kernel qemu-run.sh boots; debian-dummy-edited.ko with one .modinfo byte
#                        changed, debian-dummy-unsigned.ko with the signature cut off
#   no-this-module.ko    .gnu.linkonce.this_module renamed by objcopy (the kernel finds no struct module)
set -euo pipefail
dir=${1:?usage: make-module-variants.sh DIR}
m=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures/modules" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus=$(KMODKIT_CORPUS_ABI=$("$here/kernel-abi.sh" image) "$here/fetch-corpus.sh" amd64)
mkdir -p "$dir"
cp "$corpus/kernel/drivers/net/dummy.ko" "$dir/debian-dummy.ko"
python3 - "$m" "$dir" <<'PY'
import re, struct, sys
m, d = sys.argv[1], sys.argv[2]
def read(name): return open(f'{m}/{name}', 'rb').read()
def write(name, data): open(f'{d}/{name}', 'wb').write(data)
def replaced(data, old, new):
    assert len(old) == len(new) and data.count(old) >= 1, old
    return data.replace(old, new, 1)
plain = read('kmodkit_test.ko')
write('random.ko', bytes(((i * 2654435761) >> 24) & 0xff for i in range(4096)))
write('empty.ko', b'')
write('short.ko', b'\x7fEL')
write('truncated.ko', plain[: len(plain) // 2])
write('edited-signed.ko', replaced(read('kmodkit_test-signed.ko'), b'description=kmodkit', b'description=kmodkiT'))
# The release the fixtures were built for (their headers' ABI), its number made all nines.
release = re.search(rb'vermagic=(6\.1\.0-[0-9]+-amd64) ', plain).group(1)
other = re.sub(rb'-[0-9]+-', lambda n: b'-' + b'9' * (len(n.group(0)) - 2) + b'-', release)
write('vermagic-release.ko', replaced(plain, b'vermagic=' + release + b' ', b'vermagic=' + other + b' '))
write('vermagic-flags.ko', replaced(plain, b' SMP preempt ', b' SMP preemqt '))
write('dep-vermagic-flags.ko', replaced(read('kmodkit_dep.ko'), b' SMP preempt ', b' SMP preemqt '))
dummy = open(f'{d}/debian-dummy.ko', 'rb').read()
write('debian-dummy-edited.ko', replaced(dummy, b'alias=rtnl-link-dummy', b'alias=rtnl-link-dummX'))
# include/linux/module_signature.h: the signature, struct module_signature (12 bytes, sig_len big-endian
# last), then the 28-byte marker.
marker = b'~Module signature appended~\n'
assert dummy.endswith(marker)
(sig_len,) = struct.unpack('>I', dummy[-len(marker) - 4 : -len(marker)])
write('debian-dummy-unsigned.ko', dummy[: len(dummy) - len(marker) - 12 - sig_len])
PY
xz --check=crc32 --lzma2=dict=1MiB -kf "$dir/vermagic-flags.ko"
objcopy --rename-section .gnu.linkonce.this_module=.gnu.linkonce.renamed \
  "$m/kmodkit_test.ko" "$dir/no-this-module.ko"
