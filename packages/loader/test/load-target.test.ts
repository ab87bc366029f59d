// readLoadTarget over a root directory (kmod's -b) holding the files a live system has, as the
// kernel prints them (the qemu test reads the real ones from a booted guest).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkModule, readLoadTarget } from '../src/index.js';
import { fixtures } from './variants.js';

const root = mkdtempSync(join(tmpdir(), 'kmodkit-target-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const RELEASE = '6.1.0-56-amd64';

function put(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

put('proc/sys/kernel/osrelease', `${RELEASE}\n`);
put(
  'proc/modules',
  'kmodkit_test 16384 0 - Live 0x0000000000000000 (OE)\nvirtio 20480 2 virtio_pci, Live 0x0000000000000000\n',
);
put(
  'proc/kallsyms',
  'ffffffff81000000 T _text\nffffffffc0a1b000 r __ksymtab_kmodkit_test_add\t[kmodkit_test]\nffffffffc0b00000 r __ksymtab_virtio_check\t[virtio]\n',
);
put('proc/sys/kernel/modules_disabled', '0\n');
put('sys/module/module/parameters/sig_enforce', 'N\n');
put('sys/kernel/security/lockdown', 'none [integrity] confidentiality\n');
put(
  'proc/cmdline',
  'BOOT_IMAGE=/vmlinuz module_blacklist=nouveau module_blacklist=kmodkit_test,pcspkr quiet\n',
);
put('proc/self/status', 'Name:\tnode\nCapEff:\t000001ffffffffff\n');
put(`lib/modules/${RELEASE}/modules.dep`, `kernel/first.ko:\nkernel/drivers/virtio/virtio.ko:\n`);
mkdirSync(join(root, `lib/modules/${RELEASE}/kernel`), { recursive: true });
copyFileSync(join(fixtures, 'kmodkit_test.ko'), join(root, `lib/modules/${RELEASE}/kernel/first.ko`));
put(`usr/src/linux-headers-${RELEASE}/Makefile`, '');
put(
  `usr/src/linux-headers-${RELEASE}/Module.symvers`,
  '0x9060323f\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n',
);
put(
  `usr/src/linux-headers-${RELEASE}/.config`,
  'CONFIG_MODVERSIONS=y\nCONFIG_MODULE_FORCE_LOAD=y\nCONFIG_MODULE_SIG=y\nCONFIG_SECURITY_LOCKDOWN_LSM=y\n',
);

describe('readLoadTarget', () => {
  test('a live system under a root directory', async () => {
    const t = await readLoadTarget({ root, live: true });
    expect(t).toMatchObject({
      release: RELEASE,
      vermagic: `${RELEASE} SMP preempt mod_unload modversions `,
      modversions: true,
      machine: 62,
      forceLoad: true,
      moduleSig: true,
      sigEnforce: false,
      modulesDisabled: false,
      lockdown: 'integrity',
      // core_param charp: the last module_blacklist= wins.
      blacklist: ['kmodkit_test', 'pcspkr'],
      capSysModule: true,
    });
    expect([...t.loaded!]).toEqual(['kmodkit_test', 'virtio']);
    expect(t.taints!.get('kmodkit_test')).toBe('OE');
    // kmodkit_test is neither in a Module.symvers nor in the tree (its copy there is first.ko), so
    // /proc/kallsyms is read: its export is known by name only.
    expect(t.symbols!.get('kmodkit_test_add')).toEqual({ name: 'kmodkit_test_add', module: 'kmodkit_test' });
    expect(t.symbols!.get('module_layout')?.crc).toBe(0x9060323f);
    expect(t.symbols!.has('_text')).toBe(false);
  });

  test('offline: only the files; the live state stays unknown', async () => {
    const t = await readLoadTarget({ root, release: RELEASE });
    expect(t.loaded).toBeUndefined();
    expect(t.blacklist).toBeUndefined();
    expect(t.sigEnforce).toBe(false); // CONFIG_MODULE_SIG_FORCE is not set
    expect(t.symbols!.size).toBe(1);
  });

  test("symvers files given replace the kernel's own; a missing one is a LoaderError", async () => {
    const extra = join(root, 'extra.symvers');
    writeFileSync(extra, '0x00000001\tkmodkit_test_add\tkmodkit_test\tEXPORT_SYMBOL\t\n');
    const t = await readLoadTarget({ root, release: RELEASE, symvers: [extra] });
    expect([...t.symbols!.keys()]).toEqual(['kmodkit_test_add']);
    await expect(readLoadTarget({ root, release: RELEASE, symvers: ['/nonexistent'] })).rejects.toMatchObject(
      {
        code: 'ENOENT',
      },
    );
  });

  test('checkModule: under lockdown an unsigned module is EPERM; a signed one gets to module_blacklist=', async () => {
    const unsigned = await checkModule(join(fixtures, 'kmodkit_test.ko'), '', { root, live: true });
    expect(unsigned.prediction).toMatchObject({
      errno: 'EPERM',
      reason: 'Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7',
    });
    const c = await checkModule(join(fixtures, 'kmodkit_test-signed.ko'), '', { root, live: true });
    expect(c.prediction).toMatchObject({
      willLoad: false,
      errno: 'EPERM',
      reason: 'Module kmodkit_test is blacklisted',
    });
    await expect(checkModule(join(root, 'nosuch.ko'), '', { root })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
