import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ARCHITECTURES } from './arch.js';
import { errnoEntries, errnoInfo, errnoName, errnoNumber, strerror } from './errno.js';
import { isErrnoError } from './error.js';

/** Every kind of value, including null-prototype objects whose String() throws. */
const ANYTHING = { withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true };

// The numbers are checked wholesale against the kernel headers in test/kernel-headers.test.ts;
// these are the cases the brief names, as readable examples.
test.each([
  ['EAGAIN', undefined, 11],
  ['EWOULDBLOCK', undefined, 11],
  ['EDEADLOCK', undefined, 35],
  ['ENOTSUP', undefined, 95],
  ['EHWPOISON', undefined, 133],
  ['ERESTARTSYS', undefined, 512],
  ['ENOTSUPP', undefined, 524],
  ['EAGAIN', 'alpha', 35],
  ['EDQUOT', 'mips', 1133],
  ['EDEADLOCK', 'powerpc', 58],
  ['EDEADLOCK', 'sparc', 108],
  ['ECANCELLED', 'parisc', 253],
  ['ENOTSUP', 'parisc', 223],
  ['EAGAIN', 'x86', 11],
  ['EAGAIN', 'arm64', 11],
  ['EAGAIN', 's390', 11],
  ['EAGAIN', 'riscv', 11],
  ['ERESTARTSYS', 'mips', 512],
] as const)('errnoNumber(%s, %s) is %i', (name, arch, n) => {
  expect(errnoNumber(name, arch)).toBe(n);
});

test.each([
  [11, undefined, 'EAGAIN'],
  [35, undefined, 'EDEADLK'],
  [95, undefined, 'EOPNOTSUPP'],
  [58, 'powerpc', 'EDEADLOCK'],
  [253, 'parisc', 'ECANCELED'],
  [67, 'sparc', 'EPROCLIM'],
  [141, 'mips', 'EINIT'],
  [524, undefined, 'ENOTSUPP'],
] as const)('errnoName(%i, %s) is %s', (n, arch, name) => {
  expect(errnoName(n, arch)).toBe(name);
});

test.each([0, 41, 58, 134, 520, 532, -1, 1.5, Number.NaN])(
  'errnoName(%d) has no name on the generic table',
  (n) => {
    expect(errnoName(n)).toBeUndefined();
  },
);

test.each([
  ['EWOULDBLOCK', undefined, 'Resource temporarily unavailable'],
  ['ENOTSUP', undefined, 'Operation not supported'],
  [129, undefined, 'Key was rejected by service'],
  [0, undefined, 'Success'],
  [512, undefined, 'Unknown error 512'],
  ['ERESTARTSYS', undefined, 'Unknown error 512'],
  [-1, undefined, 'Unknown error -1'],
  [2 ** 31 - 1, undefined, 'Unknown error 2147483647'],
  [58, 'powerpc', 'Unknown error 58'],
  ['EDEADLOCK', 'powerpc', 'Unknown error 58'],
  ['EDEADLOCK', 'x86', 'Resource deadlock avoided'],
  ['EDQUOT', 'mips', 'Disk quota exceeded'],
  [67, 'sparc', 'Too many processes'],
  ['EINIT', 'mips', 'Unknown error 141'],
  [35, 'alpha', 'Resource temporarily unavailable'],
] as const)('strerror(%j, %s) is %j', (codeOrName, arch, text) => {
  expect(strerror(codeOrName, arch)).toBe(text);
});

describe('bad arguments', () => {
  test.each([
    ['EFOO', undefined, "strerror: unknown errno name 'EFOO'"],
    ['eperm', undefined, "strerror: unknown errno name 'eperm'"],
    ['EINIT', 'x86', "strerror: unknown errno name 'EINIT'"],
    [1, 'vax', "strerror: unknown architecture 'vax'"],
    [1.5, undefined, 'strerror: 1.5 is not an errno number'],
    [2 ** 31, undefined, 'strerror: 2147483648 is not an errno number'],
    [Number.NaN, undefined, 'strerror: NaN is not an errno number'],
  ] as const)('strerror(%j, %s) throws ErrnoError EINVAL', (codeOrName, arch, message) => {
    const call = () => strerror(codeOrName, arch);
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect(isErrnoError(e) && e.code === 'EINVAL' && e.errno === 22).toBe(true);
    }
  });

  test('lookups answer undefined instead of throwing, whatever they are given', () => {
    fc.assert(
      fc.property(fc.anything(ANYTHING), fc.anything(ANYTHING), (a, b) => {
        expect(errnoNumber(a as string, b as string) ?? 0).toBeTypeOf('number');
        expect(errnoName(a as number, b as string) ?? '').toBeTypeOf('string');
        errnoInfo(a as number, b as string);
      }),
    );
  });

  test('strerror answers every C int on every arch, or throws only ErrnoError', () => {
    const arches = Object.keys(ARCHITECTURES);
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.constantFrom(...arches),
        (n, arch) => {
          expect(strerror(n, arch)).toBeTypeOf('string');
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.double()),
        fc.option(fc.string(), { nil: undefined }),
        (x, arch) => {
          try {
            strerror(x, arch);
          } catch (e) {
            expect(isErrnoError(e)).toBe(true);
          }
        },
      ),
    );
  });
});

describe.each(Object.keys(ARCHITECTURES))('the %s table', (arch) => {
  const entries = errnoEntries(arch)!;

  test('names and numbers round-trip, and every alias reaches its entry', () => {
    for (const e of entries) {
      expect(errnoName(e.errno, arch)).toBe(e.name);
      expect(errnoNumber(e.name, arch)).toBe(e.errno);
      for (const alias of e.aliases) expect(errnoInfo(alias, arch)).toBe(e);
    }
  });

  test('has EPERM … EHWPOISON and the 19 internal codes, with glibc text only for user-visible ones', () => {
    expect(entries.filter((e) => e.internal).map((e) => e.errno)).toEqual([
      512, 513, 514, 515, 516, 517, 518, 519, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531,
    ]);
    expect(entries.filter((e) => e.internal && e.message !== `Unknown error ${e.errno}`)).toEqual([]);
    expect(errnoNumber('EHWPOISON', arch)).toBeDefined();
    expect(entries.filter((e) => !e.internal).length).toBeGreaterThanOrEqual(131);
  });

  test('entries are frozen', () => {
    expect(Object.isFrozen(entries)).toBe(true);
    expect(Object.isFrozen(entries[0])).toBe(true);
    expect(Object.isFrozen(entries[0]!.aliases)).toBe(true);
  });
});
