import { expect, test } from 'vitest';
import { ARCH_ALIASES, ARCHITECTURES, resolveArch } from './arch.js';
import { errnoNumber } from './errno.js';

test.each([
  ['x86_64', 'x86'],
  ['amd64', 'x86'],
  ['i386', 'x86'],
  ['i686', 'x86'],
  ['x64', 'x86'],
  ['ia32', 'x86'],
  ['aarch64', 'arm64'],
  ['armhf', 'arm'],
  ['ppc64', 'powerpc'],
  ['ppc64le', 'powerpc'],
  ['ppc64el', 'powerpc'],
  ['mips64el', 'mips'],
  ['s390x', 's390'],
  ['sparc64', 'sparc'],
  ['hppa', 'parisc'],
  ['riscv64', 'riscv'],
  ['loong64', 'loongarch'],
  ['x86', 'x86'],
  ['generic', 'generic'],
])('resolveArch(%s) is %s', (alias, arch) => {
  expect(resolveArch(alias)).toBe(arch);
});

test('every alias names an arch directory, and no alias shadows one', () => {
  for (const [alias, arch] of Object.entries(ARCH_ALIASES)) {
    expect(Object.hasOwn(ARCHITECTURES, arch), alias).toBe(true);
    expect(Object.hasOwn(ARCHITECTURES, alias), alias).toBe(false);
  }
});

test.each(['', 'X86', 'vax', 'toString', '__proto__', 'constructor', 'arm64 '])(
  'an unknown architecture %j resolves to nothing and looks nothing up',
  (arch) => {
    expect(resolveArch(arch)).toBeUndefined();
    expect(errnoNumber('EPERM', arch)).toBeUndefined();
  },
);

test('the generic table is every arch but alpha, mips, parisc, powerpc, sparc', () => {
  const own = Object.entries(ARCHITECTURES).filter(([, t]) => t !== 'generic');
  expect(own).toEqual(
    Object.entries({ alpha: 'alpha', mips: 'mips', parisc: 'parisc', powerpc: 'powerpc', sparc: 'sparc' }),
  );
});
