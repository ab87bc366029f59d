// @kmodkit/loader against Debian's real 6.1 kernel under qemu (scripts/qemu-run.sh): the errno matrix
// of the module syscalls, kmod's choice of finit_module or init_module, parameters arriving in sysfs,
// a dependent pair loaded and removed in order, and a failed loadModules leaving nothing behind.
// Broken variants of the fixture modules are made at test time, in a directory the guest sees (not /tmp).
// Two boots: everything, then modules_disabled=1 alone (irreversible until reboot).
// Opt-in: KMODKIT_QEMU=1 (CI sets it); in CI a missing harness fails.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explain } from '@kmodkit/errno';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const qemuRun = join(repo, 'scripts/qemu-run.sh');
const cases = fileURLToPath(new URL('qemu/cases.mjs', import.meta.url));
const enabled = process.env.KMODKIT_QEMU === '1';
const dir = `/var/tmp/kmodkit-loader-qemu-${process.pid}`;

// biome-ignore lint/suspicious/noExplicitAny: JSON from the guest, checked by toMatchObject
type Json = any;
type Result = {
  case: string;
  ok: boolean;
  value?: Json;
  code?: string;
  errno?: number;
  explanation?: string;
  message?: string;
  name?: string;
};

/** The broken variants (scripts/make-module-variants.sh lists them). */
function makeVariants(): void {
  rmSync(dir, { recursive: true, force: true });
  execFileSync(join(repo, 'scripts/make-module-variants.sh'), [dir], { stdio: 'inherit' });
}

function boot(script: string): Map<string, Result> {
  const out = execFileSync(qemuRun, ['sh', '-c', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, KMODKIT_QEMU_TIMEOUT: process.env.KMODKIT_QEMU_TIMEOUT ?? '900' },
  });
  const results = new Map<string, Result>();
  for (const line of out.split('\n'))
    if (line.startsWith('{')) {
      const r = JSON.parse(line) as Result;
      results.set(r.case, r);
    }
  return results;
}

describe.skipIf(!enabled)('the real kernel (qemu)', () => {
  let r: Map<string, Result>;
  let disabled: Map<string, Result>;
  beforeAll(() => {
    if (!existsSync(qemuRun)) throw new Error(`${qemuRun} is missing`);
    makeVariants();
    r = boot(
      `node ${cases} ${dir} matrix; setpriv --inh-caps=-sys_module --bounding-set=-sys_module node ${cases} ${dir} eperm`,
    );
    disabled = boot(`node ${cases} ${dir} disabled`);
  }, 1_900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const failed = (name: string, code: string, syscall?: string) => {
    const result = r.get(name) ?? disabled.get(name);
    expect(result, name).toMatchObject({ ok: false, name: 'ErrnoError', code });
    if (syscall !== undefined) expect(result!.explanation).toBe(explain(syscall, code));
  };
  const succeeded = (name: string) => {
    const result = r.get(name);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    return result!.value;
  };

  test('the state the loads start from', () => {
    expect(succeeded('state')).toEqual({
      compression: null,
      sigEnforce: false,
      modulesDisabled: false,
      tainted: '0',
    });
  });

  test.each([
    ['finit random', 'ENOEXEC', 'finit_module'],
    ['finit empty', 'EINVAL', 'finit_module'],
    ['init empty', 'ENOEXEC', 'init_module'],
    ['finit truncated', 'ENOEXEC', 'finit_module'],
    ['init truncated', 'ENOEXEC', 'init_module'],
    ['finit unknown flag', 'EINVAL', 'finit_module'],
    ['finit missing dependency', 'ENOENT', 'finit_module'],
    ['bad int', 'EINVAL', 'finit_module'],
    ['byte out of range', 'ERANGE', 'finit_module'],
    ['missing value', 'EINVAL', 'finit_module'],
    ['no this_module', 'ENOEXEC', 'finit_module'],
    ['insert twice', 'EEXIST', 'finit_module'],
    ['delete in use', 'EAGAIN', 'delete_module'],
    ['delete not loaded', 'ENOENT', 'delete_module'],
    ['debian signed, bytes edited', 'EKEYREJECTED', 'finit_module'],
    ['vermagic flags differ', 'ENOEXEC', 'finit_module'],
    ['eperm finit', 'EPERM', 'finit_module'],
    ['eperm init', 'EPERM', 'init_module'],
    ['eperm delete', 'EPERM', 'delete_module'],
    ['disabled finit', 'EPERM', 'finit_module'],
    ['disabled init', 'EPERM', 'init_module'],
    ['disabled delete', 'EPERM', 'delete_module'],
  ])('%s: %s, with its explanation', (name, code, syscall) => failed(name, code, syscall));

  test('finit_module with MODULE_INIT_COMPRESSED_FILE on a kernel without CONFIG_MODULE_DECOMPRESS', () => {
    failed('finit xz compressed flag', 'EOPNOTSUPP');
  });

  test('insertModule: finit_module for a plain file; parameters as sysfs shows them; taints O and E', () => {
    const v = succeeded('insert with params');
    expect(v.result).toEqual({ syscall: 'finit_module', compression: 'none', inKernelDecompression: false });
    expect(v.sys).toMatchObject({ initstate: 'live', refcnt: 0, taint: 'OE', version: '1.2.3', holders: [] });
    expect(v.sys.parameters).toMatchObject({
      p_int: '5',
      p_charp: 'in qemu',
      p_int_array: '4,5,6',
      p_byte: '7',
    });
    // The reader agrees with the shell, file by file.
    const shell = Object.fromEntries(
      (v.shell as string)
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(v.sys.parameters).toEqual(shell);
    expect(v.sys.modes).toMatchObject({ p_uint: 0o600, p_short: 0o444, p_int: 0o644 });
    expect(v.taint).toBe('OE');
  });

  test('the dependent pair: loaded in order, the holder listed, removed in order', () => {
    succeeded('insert dependent');
    expect(succeeded('holders')).toEqual({ holders: ['kmodkit_dep'], refcnt: 1 });
    expect(succeeded('remove pair in order')).toEqual([]);
  });

  test('compressed files go through user space and init_module (no /sys/module/compression)', () => {
    expect(succeeded('insert xz')).toEqual({
      syscall: 'init_module',
      compression: 'xz',
      inKernelDecompression: false,
    });
    expect(succeeded('insert zst')).toEqual({
      syscall: 'init_module',
      compression: 'zstd',
      inKernelDecompression: false,
    });
  });

  test('signatures and version magic', () => {
    succeeded('stripped debug');
    succeeded('signed');
    expect(succeeded('signed by an unknown key, bytes edited')).toBe('OE');
    // Debian's module, signed by the key the kernel trusts: no E; its signature cut off: E.
    expect(succeeded('debian signed')).toBe('');
    expect(succeeded('debian signature stripped')).toBe('E');
    succeeded('vermagic release differs');
    expect(succeeded('vermagic flags, IGNORE_VERMAGIC')).toBe('FOE');
    expect(succeeded('vermagic flags, xz, insmod -f in user space')).toMatchObject({
      syscall: 'init_module',
    });
  });

  test('loadModules: a pair; a failure unloads what it loaded, and keeps what was there', () => {
    expect(succeeded('loadModules pair')).toEqual({
      loaded: ['kmodkit_test', 'kmodkit_dep'],
      alreadyLoaded: [],
      after: ['kmodkit_dep', 'kmodkit_test'],
    });
    failed('loadModules failing second', 'ENOEXEC', 'finit_module');
    expect(succeeded('after failed loadModules')).toEqual([]);
    expect(succeeded('loadModules keeps what was there')).toEqual({
      code: 'ENOEXEC',
      after: ['kmodkit_test'],
    });
  });

  test('the removed 2.4 calls: the kernel answers ENOSYS, explained as removed in 2.6', () => {
    for (const [name, syscall] of [
      ['create_module', 'create_module'],
      ['query_module', 'query_module'],
      ['get_kernel_syms', 'get_kernel_syms'],
    ] as const) {
      failed(name, 'ENOSYS', syscall);
      expect(r.get(name)!.explanation).toMatch(/2\.6/);
    }
    expect(r.get('old init_module')).toMatchObject({
      ok: false,
      name: 'LoaderError',
      code: 'REMOVED_SYSCALL',
    });
  });

  test('modules_disabled: read before and after', () => {
    expect(disabled.get('state before')).toMatchObject({ ok: true, value: false });
    expect(disabled.get('state after')).toMatchObject({ ok: true, value: true });
  });
});
