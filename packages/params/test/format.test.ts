import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Arg, formatArgs, ParamError, parseArgs } from '../src/index.js';

const SEED = 0x6b6d6f64;
const a = (name: string, value: string | null = null): Arg => ({ name, value });

describe('formatArgs', () => {
  test.each<[Arg[], string]>([
    [[], ''],
    [[a('a', '1'), a('b'), a('c', '')], 'a=1 b c='],
    [[a('a', 'x y')], 'a="x y"'],
    [[a('a', '"q')], 'a=""q'],
    [[a('a', 'q"')], '"a="q""'],
    [[a('a', 'q"'), a('b')], '"a="q"" b'],
    [[a('a b', 'c')], '"a b=c"'],
    [[a('')], '""'],
    [[a('=x')], '=x'],
    [[a('x', 'à')], 'x="à"'],
    [[a('x', 'ü')], 'x=ü'],
    [[a('--', '1')], '--=1'],
  ])('%j', (args, text) => {
    expect(formatArgs(args)).toBe(text);
    expect(parseArgs(text)).toEqual({ args, rest: null });
  });

  test.each<[Arg]>([
    [a('--')],
    [a('', 'x')],
    [a('a=b', 'c')],
    [a('a', 'x\0y')],
    [a('\ud800')],
    [a('x', 'a "')],
  ])('%j cannot be expressed', (arg) => {
    expect(() => formatArgs([arg])).toThrow(ParamError);
    try {
      formatArgs([arg]);
    } catch (error) {
      expect(error).toMatchObject({ code: 'NOT_EXPRESSIBLE', errno: 'EINVAL' });
    }
  });

  const CHARS = ['a', 'b', '=', '"', ' ', '\t', '-', 'é', 'à', '\u00a0', ','];
  const text = (max: number) =>
    fc.array(fc.constantFrom(...CHARS), { maxLength: max }).map((c) => c.join(''));
  const arg = fc.record({ name: text(6), value: fc.option(text(8), { nil: null }) });

  test('parseArgs(formatArgs(x)) is x for every expressible x', () => {
    let expressible = 0;
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), (args) => {
        let formatted: string;
        try {
          formatted = formatArgs(args);
        } catch (error) {
          if (error instanceof ParamError && error.code === 'NOT_EXPRESSIBLE') return;
          throw error;
        }
        expressible++;
        expect(parseArgs(formatted)).toEqual({ args, rest: null });
      }),
      { numRuns: 5000, seed: SEED },
    );
    expect(expressible).toBeGreaterThan(1500);
  });

  test('plain names and values are always expressible and never quoted', () => {
    const plain = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,10}$/).filter((n) => n !== '--');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: plain,
            value: fc.option(fc.stringMatching(/^[^\s"\0\u0080-\uffff]{0,10}$/), { nil: null }),
          }),
        ),
        (args) => {
          const out = formatArgs(args);
          expect(out).not.toContain('"');
          expect(parseArgs(out).args).toEqual(args);
        },
      ),
      { numRuns: 1000, seed: SEED },
    );
  });

  test('the output is the shortest closed input that reads back as the argument (all up to 7 bytes)', () => {
    const alphabet = ['a', '=', '"', ' ', '-'];
    const shortest = new Map<string, number>();
    const visit = (s: string) => {
      const parsed = parseArgs(s);
      // Closed: an even number of quotes, so no quote is open at the end.
      if (parsed.rest === null && parsed.args.length === 1 && s.split('"').length % 2 === 1) {
        const key = JSON.stringify(parsed.args);
        if (!shortest.has(key)) shortest.set(key, s.length);
      }
    };
    // Breadth-first by length, so the first input seen for an argument is a shortest one.
    let level = [''];
    for (let length = 1; length <= 7; length++) {
      level = level.flatMap((s) => alphabet.map((c) => s + c));
      level.forEach(visit);
    }
    expect(shortest.size).toBeGreaterThan(500);
    for (const [key, length] of shortest) {
      expect(formatArgs(JSON.parse(key)).length, key).toBe(length);
    }
  });
});
