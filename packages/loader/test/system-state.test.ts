// The readers on the files captured from Debian's real 6.1 kernel under qemu
// (scripts/capture-guest-root.sh wrote test/fixtures/guest-root; never edited by hand).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  decodeTaint,
  LoaderError,
  listSysModules,
  moduleTaintFlags,
  readCmdline,
  readHolders,
  readInitState,
  readKernelCompression,
  readModulesDisabled,
  readProcModules,
  readSigEnforce,
  readSysModule,
  readSystemState,
  readTainted,
  TAINT_FLAGS,
} from '../src/index.js';
import { guestRoot } from './guest-root.js';

const root = guestRoot();
const at = { root };

describe('the captured guest', () => {
  test('/proc/modules under the root agrees with kmod lsmod run in the guest', async () => {
    const modules = await readProcModules(at);
    const lsmod = readFileSync(`${root}/lsmod.txt`, 'utf8').trim().split('\n').slice(1);
    expect(modules.map((m) => m.name)).toEqual(lsmod.map((line) => line.split(/\s+/)[0]));
    expect(modules.map((m) => m.refcount)).toEqual(lsmod.map((line) => Number(line.split(/\s+/)[2])));
    expect(modules.find((m) => m.name === 'kmodkit_test')).toMatchObject({
      usedBy: ['kmodkit_dep'],
      taints: 'OE',
    });
  });

  test('/sys/module/kmodkit_test: what the kernel showed after insmod with parameters', () => {
    const m = readSysModule('kmodkit_test', at)!;
    expect(m).toMatchObject({
      name: 'kmodkit_test',
      initstate: 'live',
      refcnt: 1,
      holders: ['kmodkit_dep'],
      taint: 'OE',
      coresize: 16384,
      initsize: 0,
      version: '1.2.3',
      srcversion: 'AB1332B239B311107A7E728',
      notes: ['.note.Linux', '.note.gnu.build-id'],
    });
    const values = Object.fromEntries(m.parameters.map((p) => [p.name, p.value]));
    // insmod … p_int=-7 p_charp=captured p_int_array=9,8 p_bool=n (capture-guest-root.sh); perm-0 ones absent.
    expect(values).toMatchObject({
      p_int: '-7',
      p_charp: 'captured',
      p_int_array: '9,8',
      p_bool: 'N',
      p_hexint: '0x00beef',
    });
    expect(values).not.toHaveProperty('p_ushort');
    expect(m.parameters.map((p) => p.name)).toEqual([...m.parameters.map((p) => p.name)].sort());
  });

  test('a built-in module has no initstate or refcnt, only parameters', () => {
    const printk = readSysModule('printk', at)!;
    expect(printk).toMatchObject({
      initstate: undefined,
      refcnt: undefined,
      holders: [],
      coresize: undefined,
    });
    expect(printk.parameters.find((p) => p.name === 'time')?.value).toBe('Y');
  });

  test('init state as kmod reads it: live, coming without the file, undefined when not loaded', () => {
    expect(readInitState('kmodkit_dep', at)).toBe('live');
    expect(readInitState('printk', at)).toBe('coming');
    expect(readInitState('nosuch', at)).toBeUndefined();
    expect(readSysModule('nosuch', at)).toBeUndefined();
    expect(readHolders('virtio', at)?.sort()).toEqual(['9pnet_virtio', 'virtio_pci']);
  });

  test('every module of /proc/modules has a /sys/module directory', async () => {
    const names = listSysModules(at);
    for (const m of await readProcModules(at)) expect(names).toContain(m.name);
  });

  test('tainted, cmdline, modules_disabled, sig_enforce, compression', () => {
    const taint = readTainted(at);
    expect(taint.mask).toBe(12288n);
    expect(taint.flags.map((f) => f.name)).toEqual(['TAINT_OOT_MODULE', 'TAINT_UNSIGNED_MODULE']);
    expect(taint.text).toBe('Tainted: G           OE     ');
    const cmdline = readCmdline(at);
    expect(cmdline.text).toMatch(/^console=ttyS0 quiet panic=-1 /);
    expect(cmdline.modules).toEqual({ options: [], blacklist: [] });
    expect(readModulesDisabled(at)).toBe(false);
    expect(readSigEnforce(at)).toBe(false);
    // Debian's 6.1 is built without CONFIG_MODULE_DECOMPRESS.
    expect(readKernelCompression(at)).toBeUndefined();
  });

  test('readSystemState gathers them', async () => {
    const state = await readSystemState(at);
    expect(state.modules).toHaveLength(12);
    expect(state.tainted.mask).toBe(12288n);
    expect(state.sigEnforce).toBe(false);
  });

  test('a root without the files: LoaderError ENOENT for the required ones, undefined for optional ones', async () => {
    const empty = { root: fileURLToPath(new URL('fixtures', import.meta.url)) };
    expect(() => readTainted(empty)).toThrowError(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readCmdline(empty)).toThrow(LoaderError);
    expect(readSigEnforce(empty)).toBeUndefined();
    await expect(readProcModules(empty)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('module names cannot leave /sys/module', () => {
    expect(() => readSysModule('../../proc', at)).toThrowError(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('decodeTaint', () => {
  test.each([
    [0, 'Not tainted', []],
    [1, 'Tainted: P                  ', ['P']],
    [4097, 'Tainted: P           O      ', ['P', 'O']],
    [(1 << 19) - 1, 'Tainted: PFSRMBUDAWCIOELKXTN', [...'PFSRMBUDAWCIOELKXTN']],
  ])('%i', (mask, text, letters) => {
    const t = decodeTaint(mask);
    expect(t.text).toBe(text);
    expect(t.flags.map((f) => f.letter)).toEqual(letters);
    expect(t.unknownBits).toEqual([]);
  });

  test('bits beyond the table are kept, and the mask is an unsigned long', () => {
    expect(decodeTaint(1n << 40n).unknownBits).toEqual([40]);
    expect(decodeTaint(2n ** 64n - 1n).flags).toHaveLength(TAINT_FLAGS.length);
  });

  test('module taint letters', () => {
    expect(moduleTaintFlags('OE').map((f) => f.name)).toEqual(['TAINT_OOT_MODULE', 'TAINT_UNSIGNED_MODULE']);
  });
});
