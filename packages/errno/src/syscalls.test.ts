import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { errnoName, errnoNumber } from './errno.js';
import { explain, MODULE_SYSCALLS, syscallErrors } from './syscalls.js';

/** Every kind of value, including null-prototype objects whose String() throws. */
const ANYTHING = { withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true };

// What each call can return, as the man pages and Linux 6.1 say (see the sources in each entry).
const EXPECTED_ERRNOS: Record<string, string[]> = {
  init_module: [
    'EPERM',
    'ENOENT',
    'ESRCH',
    'EINTR',
    'ENOMEM',
    'EFAULT',
    'EBUSY',
    'EEXIST',
    'EINVAL',
    'ENOSPC',
    'ENOSYS',
    'ENOEXEC',
    'EBADMSG',
    'ENOKEY',
    'EKEYREJECTED',
  ],
  finit_module: [
    'EPERM',
    'ENOENT',
    'ESRCH',
    'EINTR',
    'EBADF',
    'ENOMEM',
    'EACCES',
    'EFAULT',
    'EBUSY',
    'EEXIST',
    'EINVAL',
    'EFBIG',
    'ETXTBSY',
    'ENOSPC',
    'ENOSYS',
    'ENOEXEC',
    'EBADMSG',
    'EOPNOTSUPP',
    'ENOKEY',
    'EKEYREJECTED',
  ],
  delete_module: ['EPERM', 'ENOENT', 'EINTR', 'EAGAIN', 'EFAULT', 'EBUSY', 'ENOSYS'],
  create_module: ['EPERM', 'EFAULT', 'ENOMEM', 'EEXIST', 'EINVAL', 'ENOSYS'],
  query_module: ['ENOENT', 'EFAULT', 'EINVAL', 'ENOSPC', 'ENOSYS'],
  get_kernel_syms: ['ENOSYS'],
};

test('the syscalls are the six module calls, current and removed', () => {
  expect([...MODULE_SYSCALLS].sort()).toEqual(Object.keys(EXPECTED_ERRNOS).sort());
});

describe.each(Object.entries(EXPECTED_ERRNOS))('%s', (syscall, names) => {
  const errors = syscallErrors(syscall)!;

  test('lists exactly its errnos, each once, by canonical name, ordered by number', () => {
    expect(errors.map((e) => e.name).sort()).toEqual([...names].sort());
    for (const e of errors) expect(errnoName(errnoNumber(e.name)!)).toBe(e.name);
    const numbers = errors.map((e) => errnoNumber(e.name)!);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  test('every entry has a meaning, a source, and explain() says it', () => {
    for (const e of errors) {
      expect(e.meaning.length, e.name).toBeGreaterThan(20);
      expect(e.source, e.name).toMatch(/man 2 |kernel\/|kmod |fs\//);
      const text = explain(syscall, e.name)!;
      expect(text.startsWith(e.meaning), e.name).toBe(true);
      expect(text.endsWith(e.hint === undefined ? e.meaning : `Hint: ${e.hint}`)).toBe(true);
      expect(explain(syscall, errnoNumber(e.name)!)).toBe(text);
    }
  });
});

// The cases the issue names, and kmod's wording where kmod has its own.
test.each([
  ['finit_module', 'EBADF', /not opened for reading/],
  ['finit_module', 'ETXTBSY', /open for writing/],
  ['finit_module', 'EINVAL', /flags has bits other than MODULE_INIT_IGNORE_MODVERSIONS/],
  ['init_module', 'EINVAL', /^(?!.*flags has bits)/],
  ['finit_module', 'EKEYREJECTED', /unsigned/],
  ['init_module', 'EEXIST', /Module already in kernel/],
  ['init_module', 'ENOEXEC', /Invalid module format/],
  ['finit_module', 'ENOEXEC', /module has no symbols \(stripped\?\)/],
  ['finit_module', 'ENOENT', /Unknown symbol in module, or unknown parameter \(see dmesg\)/],
  ['init_module', 'EPERM', /modules_disabled/],
  ['create_module', 'ENOSYS', /Linux 2\.6 or later/],
  ['query_module', 38, /Linux 2\.6 or later/],
  ['get_kernel_syms', 'ENOSYS', /kallsyms/],
  ['delete_module', 'EWOULDBLOCK', /Module <name> is in use/],
  ['delete_module', 'EAGAIN', /^EWOULDBLOCK: other modules depend/],
  ['delete_module', 'ENOENT', /not currently loaded/],
  ['delete_module', 'EBUSY', /no exit function/],
  ['delete_module', 35, /^EWOULDBLOCK/],
] as const)('explain(%s, %j) matches %s', (syscall, codeOrName, pattern) => {
  const arch = codeOrName === 35 ? 'alpha' : undefined;
  expect(explain(syscall, codeOrName, arch)).toMatch(pattern);
});

test.each([
  ['init_module', 'EHOSTDOWN', /init function returned -EHOSTDOWN \("Host is down"\)/],
  ['finit_module', 19, /returned -ENODEV \("No such device"\)/],
  ['finit_module', 'EPROBE_DEFER', /-EPROBE_DEFER \("Unknown error 517"\), a kernel-internal code/],
  ['init_module', 4000, /returned -4000 \("Unknown error 4000"\)/],
] as const)('explain(%s, %j): an errno from the module init function', (syscall, codeOrName, pattern) => {
  expect(explain(syscall, codeOrName)).toMatch(pattern);
});

test.each([
  ['delete_module', 'ENODEV'],
  ['get_kernel_syms', 'EPERM'],
  ['finit', 'EPERM'],
  ['init_module', 'EFOO'],
  ['init_module', 1.5],
  ['init_module', Number.NaN],
  ['toString', 'EPERM'],
] as const)('explain(%s, %j) has no answer', (syscall, codeOrName) => {
  expect(explain(syscall, codeOrName)).toBeUndefined();
});

test('an unknown arch has no answer; syscallErrors of an unknown call is undefined', () => {
  expect(explain('init_module', 'EPERM', 'vax')).toBeUndefined();
  expect(syscallErrors('sys_init_module')).toBeUndefined();
  expect(syscallErrors('__proto__')).toBeUndefined();
});

test('the lists cannot be changed by a caller', () => {
  expect(Object.isFrozen(MODULE_SYSCALLS)).toBe(true);
  expect(Object.isFrozen(syscallErrors('init_module'))).toBe(true);
  expect(Object.isFrozen(syscallErrors('init_module')![0])).toBe(true);
});

test('explain and syscallErrors answer a string or undefined for any input, never throw', () => {
  fc.assert(
    fc.property(fc.anything(ANYTHING), fc.anything(ANYTHING), fc.anything(ANYTHING), (a, b, c) => {
      const text = explain(a as string, b as number, c as string);
      expect(text === undefined || typeof text === 'string').toBe(true);
      syscallErrors(a as string);
    }),
  );
});
