// strerror against the C library: the host's glibc for the generic (x86) numbering, and glibc's
// own errlist.h, compiled per architecture, for every table — so the "one message per name"
// assumption behind the per-arch messages is checked, not assumed.
import { constants } from 'node:os';
import { describe, expect, test } from 'vitest';
import { errnoEntries, errnoNumber, strerror } from '../src/index.js';
import {
  glibcErrlist,
  glibcSource,
  hostErrnoNames,
  hostStrerror,
  kernelArches,
  kernelSource,
} from './oracles.js';

const UP_TO = 600;
const numbers = Array.from({ length: UP_TO + 11 }, (_, i) => i - 10);

describe('the host C library (x86_64 glibc)', () => {
  const host = hostStrerror(numbers);

  test.each(['generic', 'x86', 'x86_64'])(
    'strerror(n, %s) for n = -10 … 600 is what glibc prints',
    (arch) => {
      const wrong = numbers.filter((n, i) => strerror(n, arch === 'generic' ? undefined : arch) !== host[i]);
      expect(wrong).toEqual([]);
    },
  );

  test('the host is glibc, and the oracle can tell numbers apart', () => {
    expect(host[10 + 129]).toBe('Key was rejected by service');
    expect(host[10 + 512]).toBe('Unknown error 512');
    expect(new Set(host).size).toBeGreaterThan(130);
  });

  test("python's errno module (the C headers) gives the same numbers for every name", () => {
    const names = hostErrnoNames();
    const wrong = Object.entries(names).filter(([name, n]) => errnoNumber(name, 'x86') !== n);
    expect(wrong).toEqual([]);
    expect(Object.keys(names).length).toBeGreaterThan(130);
  });

  test("strerror by name is the host's strerror of the host's number for that name", () => {
    const names = Object.entries(hostErrnoNames());
    const texts = hostStrerror(names.map(([, n]) => n));
    expect(names.filter(([name], i) => strerror(name, 'x86') !== texts[i])).toEqual([]);
  });

  test("Node's os.constants.errno agrees for every name it has", () => {
    const arch = process.arch === 'x64' ? 'x86' : process.arch;
    const entries = Object.entries(constants.errno);
    expect(entries.filter(([name, n]) => errnoNumber(name, arch) !== n)).toEqual([]);
    expect(entries.length).toBeGreaterThan(70);
  });
});

describe("glibc 2.36's errlist.h built for each architecture", () => {
  const kernel = kernelSource();
  const glibc = glibcSource();

  test.each(kernelArches(kernel))(
    'arch/%s: strerror matches glibc for every number the table has',
    (arch) => {
      const errlist = glibcErrlist(kernel, glibc, arch);
      const tableNumbers = errnoEntries(arch)!.map((e) => e.errno);
      const checked = [...new Set([...numbers, ...tableNumbers, ...errlist.keys()])];
      const wrong = checked
        .map((n) => [n, strerror(n, arch), errlist.get(n) ?? `Unknown error ${n}`] as const)
        .filter(([, ours, theirs]) => ours !== theirs);
      expect(wrong).toEqual([]);
      expect(errlist.size).toBeGreaterThan(130);
    },
  );

  test('the arch-specific cases come out as glibc builds them', () => {
    expect(glibcErrlist(kernel, glibc, 'mips').get(1133)).toBe('Disk quota exceeded');
    expect(glibcErrlist(kernel, glibc, 'powerpc').get(58)).toBeUndefined();
    expect(glibcErrlist(kernel, glibc, 'sparc').get(67)).toBe('Too many processes');
  });
});
