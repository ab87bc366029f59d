// The system calls on this host, which answer for real: the kernel here may refuse module loading
// (ENOSYS, as on the machines kmodkit is developed on) or allow it; each assertion follows what a probe
// of finit_module answers. What kmodkit decides before asking the kernel is the same everywhere. The
// real kernel's answers to real loads are test/qemu.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explain, isErrnoError } from '@kmodkit/errno';
import { describe, expect, test } from 'vitest';
import {
  createModule,
  finitModule,
  hostSyscallArch,
  insertModule,
  LoaderError,
  loadModules,
  MODULE_SYSCALL_NUMBERS,
  oldInitModule,
} from '../src/index.js';

const fixture = fileURLToPath(new URL('../../../fixtures/modules/kmodkit_test.ko', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'kmodkit-syscalls-'));

/** What finit_module on a closed descriptor answers here: EBADF with module support, ENOSYS without. */
const probe = await finitModule(1 << 20).catch((e: unknown) => e);
const noModules = isErrnoError(probe) && probe.code === 'ENOSYS';

describe('on this host', () => {
  test('finit_module on a bad descriptor: EBADF, or ENOSYS without module support', () => {
    expect(isErrnoError(probe)).toBe(true);
    expect(['EBADF', 'ENOSYS', 'EPERM']).toContain((probe as { code: string }).code);
    expect((probe as { explanation?: string }).explanation).toBe(
      explain('finit_module', (probe as { code: string }).code),
    );
  });

  test.runIf(noModules)('a kernel without module support is said so in one line', async () => {
    const error = await insertModule(fixture).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ErrnoError', code: 'ENOSYS', syscall: 'init_module' });
    expect((error as Error).message).toBe(
      'this kernel has no module support: init_module and finit_module answer ENOSYS (Function not implemented)',
    );
    // loadModules passes it on, with nothing loaded (and no /proc/modules to consult).
    await expect(loadModules([fixture])).rejects.toMatchObject({ code: 'ENOSYS' });
  });

  test.runIf(hostSyscallArch() === 'x86_64')(
    'create_module, number 174 here: ENOSYS, removed in 2.6',
    async () => {
      expect(MODULE_SYSCALL_NUMBERS.x86_64.create_module).toBe(174);
      const error = await createModule('x', 4096).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ENOSYS', syscall: 'create_module' });
      expect((error as { explanation: string }).explanation).toMatch(/Linux 2\.6/);
    },
  );
});

describe('decided before the kernel is asked', () => {
  test.each([
    ['missing', join(scratch, 'nosuch.ko'), 'ENOENT'],
    ['a directory', scratch, 'EISDIR'],
    ['empty', join(scratch, 'empty.ko'), 'EINVAL'],
    ['5 bytes', join(scratch, 'five.ko'), 'EINVAL'],
  ])('%s: ErrnoError %s, as kmod_file_open', async (_, path, code) => {
    writeFileSync(join(scratch, 'empty.ko'), '');
    writeFileSync(join(scratch, 'five.ko'), '\x7fELF\x02');
    await expect(insertModule(path)).rejects.toMatchObject({ name: 'ErrnoError', code });
  });

  test('the old init_module is refused without a system call', () => {
    expect(() => oldInitModule()).toThrowError(expect.objectContaining({ code: 'REMOVED_SYSCALL' }));
    expect(() => oldInitModule()).toThrow(LoaderError);
  });

  test('a NUL in a parameter string is refused', async () => {
    await expect(finitModule(fixture, 'a=\0b')).rejects.toMatchObject({
      name: 'LoaderError',
      code: 'EINVAL',
    });
  });
});
