// Every arch/ directory of the kernel tree, every errno macro its headers define (as gcc's
// preprocessor resolves them), against the package's tables.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { errnoEntries, errnoInfo, errnoName, errnoNumber, resolveArch } from '../src/index.js';
import { kernelArches, kernelErrnoMacros, kernelSource } from './oracles.js';

const kernel = kernelSource();
const arches = kernelArches(kernel);
const genericUapi = kernelErrnoMacros(kernel, 'x86').uapi;

/** Names the package knows that no kernel header defines: glibc's bits/errno.h adds them. */
const GLIBC_ONLY = new Set(['ENOTSUP']);

test('the kernel tree has the architectures the package lists, and no others', () => {
  expect(arches.filter((a) => resolveArch(a) !== a)).toEqual([]);
  expect(arches.length).toBeGreaterThan(20);
});

describe.each(arches)('arch/%s', (arch) => {
  const { uapi, all } = kernelErrnoMacros(kernel, arch);

  test('every macro has the number the headers give it', () => {
    const wrong = [...all.values].filter(([name, n]) => errnoNumber(name, arch) !== n);
    expect(wrong).toEqual([]);
    expect(all.values.size).toBeGreaterThan(150);
  });

  test('exactly the include/linux/errno.h codes are internal', () => {
    const wrong = [...all.values.keys()].filter(
      (name) => errnoInfo(name, arch)?.internal !== !uapi.values.has(name),
    );
    expect(wrong).toEqual([]);
  });

  test('the package knows no name the headers do not define (but glibc ENOTSUP)', () => {
    const names = errnoEntries(arch)!.flatMap((e) => [e.name, ...e.aliases]);
    expect(names.filter((n) => !all.values.has(n) && !GLIBC_ONLY.has(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('errnoName gives the name the header defines the number with', () => {
    for (const [name, n] of all.values) {
      if (!all.numeric.has(name)) continue;
      // parisc defines ECANCELLED 253 and ECANCELED as its alias; the package answers with the
      // spelling every other table (and glibc's errlist.h) uses.
      const expected = !genericUapi.numeric.has(name) && name === 'ECANCELLED' ? 'ECANCELED' : name;
      expect(errnoName(n, arch), `${arch} ${n}`).toBe(expected);
    }
  });
});

test('the Debian/uname/Node spellings give the same numbers as the kernel directory', () => {
  const pairs: Array<[string, string]> = [
    ['x86_64', 'x86'],
    ['aarch64', 'arm64'],
    ['ppc64el', 'powerpc'],
    ['mips64el', 'mips'],
    ['s390x', 's390'],
    ['sparc64', 'sparc'],
    ['hppa', 'parisc'],
    ['alpha', 'alpha'],
  ];
  for (const [alias, arch] of pairs) {
    const { all } = kernelErrnoMacros(kernel, arch);
    const wrong = [...all.values].filter(([name, n]) => errnoNumber(name, alias) !== n);
    expect(wrong, alias).toEqual([]);
  }
});

test('src/tables.ts is exactly what scripts/gen-tables.mjs generates (nobody edited it by hand)', () => {
  const script = fileURLToPath(new URL('../scripts/gen-tables.mjs', import.meta.url));
  expect(
    execFileSync('node', [script, '--check'], {
      encoding: 'utf8',
      env: { ...process.env, KMODKIT_KERNEL_SRC: kernel },
    }),
  ).toMatch(/is up to date/);
});
