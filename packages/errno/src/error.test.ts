import fc from 'fast-check';
import { expect, test } from 'vitest';
import { ErrnoError, isErrnoError } from './error.js';
import { explain } from './syscalls.js';

/** Every kind of value, including null-prototype objects whose String() throws. */
const ANYTHING = { withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true };

test.each([
  [
    'EKEYREJECTED',
    { syscall: 'finit_module' },
    129,
    'EKEYREJECTED',
    'finit_module: Key was rejected by service (EKEYREJECTED)',
  ],
  [
    129,
    { syscall: 'finit_module' },
    129,
    'EKEYREJECTED',
    'finit_module: Key was rejected by service (EKEYREJECTED)',
  ],
  [
    'EWOULDBLOCK',
    { syscall: 'delete_module' },
    11,
    'EAGAIN',
    'delete_module: Resource temporarily unavailable (EAGAIN)',
  ],
  ['ENOENT', {}, 2, 'ENOENT', 'No such file or directory (ENOENT)'],
  [517, { syscall: 'init_module' }, 517, 'EPROBE_DEFER', 'init_module: Unknown error 517 (EPROBE_DEFER)'],
  [999, {}, 999, 'UNKNOWN', 'Unknown error 999'],
  ['EAGAIN', { arch: 'alpha' }, 35, 'EAGAIN', 'Resource temporarily unavailable (EAGAIN)'],
  [1133, { arch: 'mips64el', syscall: 'quotactl' }, 1133, 'EDQUOT', 'quotactl: Disk quota exceeded (EDQUOT)'],
  ['EPERM', { message: 'custom' }, 1, 'EPERM', 'custom'],
] as const)('new ErrnoError(%j, %j)', (codeOrName, options, errno, code, message) => {
  const e = new ErrnoError(codeOrName, options);
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('ErrnoError');
  expect(e.errno).toBe(errno);
  expect(e.code).toBe(code);
  expect(e.syscall).toBe('syscall' in options ? options.syscall : undefined);
  expect(e.message).toBe(message);
  expect(isErrnoError(e)).toBe(true);
});

test("a module syscall's error carries explain()'s text for it; other errors none", () => {
  const e = new ErrnoError('EEXIST', { syscall: 'finit_module' });
  expect(e.explanation).toBe(explain('finit_module', 'EEXIST'));
  expect(e.explanation).toMatch(/already loaded/);
  expect(new ErrnoError(164, { syscall: 'init_module', arch: 'mips' }).explanation).toBe(
    explain('init_module', 'EKEYREJECTED'),
  );
  expect(new ErrnoError('ENOSYS', { syscall: 'create_module' }).explanation).toMatch(/2\.6/);
  expect(new ErrnoError('EDQUOT', { syscall: 'quotactl' }).explanation).toBeUndefined();
  expect(new ErrnoError('EPERM').explanation).toBeUndefined();
});

test('the cause is kept', () => {
  const cause = new Error('EPERM from node');
  expect(new ErrnoError('EPERM', { cause }).cause).toBe(cause);
  expect('cause' in new ErrnoError('EPERM')).toBe(false);
});

test.each([
  ['EFOO', {}, "ErrnoError: unknown errno name 'EFOO'"],
  [1, { arch: 'vax' }, "ErrnoError: unknown architecture 'vax'"],
  [Number.NaN, {}, 'ErrnoError: NaN is not an errno number'],
  [0.5, {}, 'ErrnoError: 0.5 is not an errno number'],
] as const)('new ErrnoError(%j, %j) throws an EINVAL ErrnoError', (codeOrName, options, message) => {
  let thrown: unknown;
  try {
    new ErrnoError(codeOrName, options);
  } catch (e) {
    thrown = e;
  }
  expect(isErrnoError(thrown)).toBe(true);
  expect(thrown).toMatchObject({ code: 'EINVAL', errno: 22, message });
});

test('isErrnoError recognises a copy from another bundle by name, and nothing else', () => {
  const foreign = Object.assign(new Error('x'), { name: 'ErrnoError', errno: 1, code: 'EPERM' });
  expect(isErrnoError(foreign)).toBe(true);
  expect(isErrnoError(new Error('x'))).toBe(false);
  expect(isErrnoError({ name: 'ErrnoError', errno: 1 })).toBe(false);
  expect(isErrnoError(undefined)).toBe(false);
});

test('the constructor, given anything, makes an ErrnoError or throws an EINVAL one', () => {
  fc.assert(
    fc.property(fc.anything(ANYTHING), fc.anything(ANYTHING), (a, arch) => {
      try {
        expect(isErrnoError(new ErrnoError(a as number, { arch: arch as string }))).toBe(true);
      } catch (e) {
        expect(e).toMatchObject({ name: 'ErrnoError', code: 'EINVAL' });
      }
    }),
  );
});
