import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { byteString, fnmatch } from './fnmatch.js';

describe('fnmatch', () => {
  test.each([
    ['pci:v00008086d*sv*sd*bc*sc*i*', 'pci:v00008086d000010D3sv*sd*bc*sc*i*', true],
    ['pci:v00008086d*', 'pci:v00001AF4d000010FF', false],
    ['usb:v?bcd', 'usb:vXbcd', true],
    ['a[0-9]b', 'a5b', true],
    ['a[!0-9]b', 'a5b', false],
    ['a[^0-9]b', 'axb', true],
    ['a[]]b', 'a]b', true],
    ['a[]-b]c', 'a-c', false],
    ['a[]-b]c', 'a^c', true],
    ['a[z-a]b', 'ayb', false],
    ['a[[:digit:]]b', 'a7b', true],
    ['a[[:nosuch:]]b', 'a7b', false],
    ['a[\\]]b', 'a]b', true],
    ['a[b', 'a[b', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['ab\\', 'ab\\', false],
    ['a.b', 'axb', false],
    ['*/x', 'a/b/x', true],
    ['*', '.hidden', true],
  ])('fnmatch(%s, %s) = %s', (pattern, name, result) => expect(fnmatch(pattern, name)).toBe(result));

  test('byteString gives UTF-8 bytes one per character', () => {
    expect(byteString('ab')).toBe('ab');
    expect(byteString('é')).toBe('\xc3\xa9');
  });
});

/** glibc's own fnmatch(3) with flags 0 (through Python's ctypes), in the C locale, on each case. */
function glibcFnmatch(cases: readonly (readonly [string, string])[]): boolean[] | undefined {
  const script = `
import ctypes, sys
libc = ctypes.CDLL("libc.so.6")
out = []
for line in sys.stdin.buffer.read().split(b"\\n")[:-1]:
    p, s = line.split(b"\\x00")
    out.append("1" if libc.fnmatch(p, s, 0) == 0 else "0")
print("".join(out))
`;
  const input = cases.map(([p, s]) => `${p}\0${s}\n`).join('');
  const r = spawnSync('python3', ['-c', script], { input: Buffer.from(input, 'latin1'), encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return [...r.stdout.trim()].map((c) => c === '1');
}

const haveOracle = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL("libc.so.6")']).status === 0;
if (!haveOracle && process.env.CI)
  throw new Error('python3 with ctypes is needed for the glibc fnmatch oracle');

describe.skipIf(!haveOracle)('fnmatch agrees with glibc', () => {
  test('on random patterns and names over the characters that matter', () => {
    const token = fc.constantFrom(
      'a',
      'b',
      'c',
      '0',
      '9',
      '-',
      '_',
      ':',
      '.',
      '/',
      '*',
      '?',
      '[',
      ']',
      '!',
      '^',
      '\\',
      '[:alpha:]',
      '[:digit:]',
      '[:xdigit:]',
      '[:nosuch:]',
      '[.a.]',
      '[=b=]',
      '\xe9',
      '\x01',
    );
    const text = fc.array(token, { maxLength: 8 }).map((t) => t.join(''));
    const name = fc
      .array(fc.constantFrom('a', 'b', 'c', '0', '9', '-', '_', ':', '.', '/', '[', ']', '*', '\\', '\xe9'), {
        maxLength: 8,
      })
      .map((t) => t.join(''));
    const cases = fc.sample(fc.tuple(text, name), { numRuns: 20_000, seed: 10 });
    const expected = glibcFnmatch(cases)!;
    expect(expected).toHaveLength(cases.length);
    const wrong = cases.filter(([p, s], i) => fnmatch(p, s) !== expected[i]);
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});
