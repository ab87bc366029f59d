import { describe, expect, test } from 'vitest';
import { type Arg, paramEqual, parseArgs } from '../src/index.js';

const a = (name: string, value: string | null = null): Arg => ({ name, value });

// The kernel's surprises, spelled out (each is also checked against the kernel's own code in
// differential.test.ts; this table documents them).
describe('parseArgs', () => {
  test.each<[string, Arg[], string | null]>([
    ['', [], null],
    [' \t\n\v\f\r ', [], null],
    ['a=1 b= c', [a('a', '1'), a('b', ''), a('c')], null],
    ['a==b', [a('a', '=b')], null],
    // A '=' as the first byte does not split: next_arg's `equals == 0` means "none yet".
    ['=x', [a('=x')], null],
    ['=x=y', [a('=x', 'y')], null],
    // Quotes: one may open the argument or the value; only a final quote closes, and only one is dropped.
    ['"a=b c"', [a('a', 'b c')], null],
    ['a="b c"', [a('a', 'b c')], null],
    ['a="b"c', [a('a', 'b"c')], null],
    ['"a"=b', [a('a"', 'b')], null],
    ['a=b"c d"', [a('a', 'b"c d"')], null],
    ['a="', [a('a', '')], null],
    ['"', [a('')], null],
    ['"open b=c', [a('open b', 'c')], null],
    // A bare `--` ends parsing; quoted it is still bare, with a value it is an argument.
    ['a -- b c', [a('a')], 'b c'],
    ['a --', [a('a')], ''],
    ['"--" x', [], 'x'],
    ['--=1', [a('--', '1')], null],
    // The kernel's isspace() is Latin-1: byte 0xa0 splits, also inside UTF-8 characters.
    ['x=\u00a0y', [a('x', '\ufffd'), a('y')], null],
    ['x=àb', [a('x', '\ufffd'), a('b')], null],
    ['x="àb"', [a('x', 'àb')], null],
    ['é=ü', [a('é', 'ü')], null],
    ['k=😀 x=†y', [a('k', '😀'), a('x', '\ufffd'), a('y')], null],
    // An unpaired surrogate reaches the kernel as U+FFFD (what TextEncoder writes).
    ['a=\ud800 b', [a('a', '\ufffd'), a('b')], null],
    // Input ends at the first NUL, as the kernel's C string does.
    ['a=1\0b=2', [a('a', '1')], null],
  ])('%j', (input, args, rest) => {
    expect(parseArgs(input)).toEqual({ args, rest });
  });

  test('a long input (beyond the reused encode buffer) parses the same', () => {
    const line = 'a=1 b="x y" café=ü '.repeat(40_000);
    const { args } = parseArgs(line);
    expect(args).toHaveLength(120_000);
    expect(args.slice(-3)).toEqual([a('a', '1'), a('b', 'x y'), a('café', 'ü')]);
  });

  test('bytes in, including invalid UTF-8', () => {
    expect(parseArgs(Uint8Array.of(0x61, 0x3d, 0xff, 0x20, 0x62))).toEqual({
      args: [a('a', '\ufffd'), a('b')],
      rest: null,
    });
  });
});

describe('paramEqual', () => {
  test.each([
    ['foo_bar', 'foo-bar', true],
    ['foo-bar', 'foo_bar', true],
    ['foo__bar', 'foo-_bar', true],
    ['foo', 'foo_', false],
    ['Foo', 'foo', false],
    ['', '', true],
  ])('%s %s', (x, y, equal) => {
    expect(paramEqual(x, y)).toBe(equal);
  });
});
