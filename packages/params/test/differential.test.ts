// Differential tests: the library against the kernel's own parse_args/next_arg/param_ops code (Linux 6.1,
// compiled from the real sources by test/kernel-oracle). Thousands of generated and hand-written inputs.
import fc from 'fast-check';
import { describe, expect, inject, test } from 'vitest';
import {
  type Arg,
  formatArgs,
  formatValue,
  ParamError,
  parseArgs,
  parseValue,
  SCALAR_TYPES,
  validateArgs,
} from '../src/index.js';
import { INTEGER_BOUNDS } from './integer-bounds.js';
import {
  ERRNO_NAME,
  type OracleRequest,
  parseLoad,
  parseSet,
  parseTokens,
  runOracle,
} from './kernel-oracle/client.js';

const oracle = inject('kernelOracle');
const utf8 = new TextEncoder();
const decode = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
// `pnpm fuzz` (KMODKIT_FUZZ=1): a fresh seed each run, printed, and 20 times the inputs. Otherwise fixed.
const FUZZ = process.env.KMODKIT_FUZZ === '1';
const SEED = FUZZ ? Number(process.env.KMODKIT_FUZZ_SEED ?? Date.now() % 2 ** 31) : 0x6b6d6f64;
const SCALE = FUZZ ? 20 : 1;
if (FUZZ) console.log(`differential fuzzing with seed ${SEED} (KMODKIT_FUZZ_SEED=${SEED} repeats it)`);

// Characters that matter to the grammar, plus multibyte ones whose UTF-8 holds byte 0xa0 (a kernel space).
const GRAMMAR_CHARS = [
  'a',
  'b',
  'x',
  '=',
  '"',
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '-',
  '_',
  ',',
  '.',
  "'",
  '\\',
  '\u00a0',
  'à',
  '†',
  'é',
  '\u0085',
  '😀',
];
const grammarString = (max: number) =>
  fc.array(fc.constantFrom(...GRAMMAR_CHARS), { maxLength: max }).map((chars) => chars.join(''));

function sample<T>(arb: fc.Arbitrary<T>, n: number, seed = SEED): T[] {
  return fc.sample(arb, { numRuns: n * SCALE, seed });
}

describe.skipIf(oracle === '')('tokenizer = kernel parse_args/next_arg', () => {
  const HAND: string[] = [
    '',
    ' ',
    'a',
    'a=1',
    'a=',
    '=',
    '==',
    '=a',
    '=a=b',
    'a==b',
    '"',
    '""',
    '"""',
    '"a"',
    '"a=b"',
    '"a"=b',
    'a="b"',
    'a="b',
    'a=b"',
    'a="b"c',
    'a="b c" d',
    '"a b"=c',
    '"a=b c" d=e',
    'a="',
    '"a=',
    '"a="',
    'a b\tc\nd\ve\ff\rg',
    '  lead  trail  ',
    '--',
    '-- ',
    ' -- a b',
    'a -- b -- c',
    '"--"',
    '--=1 b',
    '--x',
    'a="-- b" -- c',
    'x=à y',
    'x="à y" z',
    'nbsp\u00a0split',
    '\u00a0\u00a0a',
    'dagger†x',
    'a=1\u0000b=2',
    'café=crème brûlée',
    'k="v""w" z',
    'a,b=c,d e',
  ];
  const generated = [
    ...sample(grammarString(24), 2500),
    ...sample(fc.string({ unit: 'binary', maxLength: 20 }), 500),
  ];
  const bytes = sample(fc.uint8Array({ maxLength: 24 }), 1000);

  test('hand-written and generated strings split exactly as the kernel splits them', () => {
    const inputs = [...HAND, ...generated];
    const answers = runOracle(
      oracle,
      inputs.map((s) => ({ cmd: 'T', input: utf8.encode(s) })),
    );
    inputs.forEach((input, i) => {
      const kernel = parseTokens(answers[i]!);
      const expected = {
        args: kernel.args.map((a) => ({ name: decode(a.name), value: a.value && decode(a.value) })),
        rest: kernel.rest && decode(kernel.rest),
      };
      expect(parseArgs(input), JSON.stringify(input)).toEqual(expected);
      expect(parseArgs(utf8.encode(input)), `bytes of ${JSON.stringify(input)}`).toEqual(expected);
    });
  });

  test('raw bytes (invalid UTF-8, NUL, 0xa0) split exactly as the kernel splits them', () => {
    const answers = runOracle(
      oracle,
      bytes.map((b) => ({ cmd: 'T', input: b })),
    );
    bytes.forEach((input, i) => {
      const kernel = parseTokens(answers[i]!);
      const expected = {
        args: kernel.args.map((a) => ({ name: decode(a.name), value: a.value && decode(a.value) })),
        rest: kernel.rest && decode(kernel.rest),
      };
      expect(parseArgs(input), Buffer.from(input).toString('hex')).toEqual(expected);
    });
  });

  test('formatArgs output reads back through the kernel as the same arguments', () => {
    const arg = fc.record({ name: grammarString(8), value: fc.option(grammarString(10), { nil: null }) });
    const lists = sample(fc.array(arg, { maxLength: 5 }), 3000).flatMap((args) => {
      try {
        return [{ args, text: formatArgs(args) }];
      } catch (error) {
        if (error instanceof ParamError && error.code === 'NOT_EXPRESSIBLE') return [];
        throw error;
      }
    });
    expect(lists.length).toBeGreaterThan(1000 * SCALE);
    const answers = runOracle(
      oracle,
      lists.map(({ text }) => ({ cmd: 'T', input: utf8.encode(text) })),
    );
    lists.forEach(({ args, text }, i) => {
      const kernel = parseTokens(answers[i]!);
      const got: Arg[] = kernel.args.map((a) => ({
        name: decode(a.name),
        value: a.value && decode(a.value),
      }));
      expect(got, text).toEqual(args);
      expect(kernel.rest).toBeNull();
    });
  });
});

function spellings(n: bigint): string[] {
  const sign = n < 0n ? '-' : '';
  const m = n < 0n ? -n : n;
  const out = [
    `${sign}${m}`,
    `${sign}0x${m.toString(16)}`,
    `${sign}0X${m.toString(16).toUpperCase()}`,
    `${sign}0${m.toString(8)}`,
  ];
  if (n >= 0n) out.push(`+${m}`, `+0x${m.toString(16)}`);
  return out.flatMap((s) => [s, `${s}\n`, `${s}\n\n`, ` ${s}`, `${s} `, `${s}x`]);
}

const COMMON_VALUES = [
  '',
  '0',
  '-0',
  '+0',
  '00',
  '0x',
  '0X',
  '0x\n',
  '+',
  '-',
  '+-1',
  '-+1',
  '--1',
  '0x1g',
  '08',
  '09',
  '0b1',
  '1e3',
  '1.5',
  'abc',
  '\n',
  '1\n',
  '1\r',
  ' 1',
  '1,2',
  '0xffffffffffffffff',
  '0x10000000000000000',
  '99999999999999999999',
  '99999999999999999999x',
  '-9223372036854775809',
  '0777',
  '0x0',
  '0xA',
  'y',
  'Y',
  'n',
  'N',
  't',
  'T',
  'f',
  'F',
  '1',
  'on',
  'ON',
  'oN',
  'off',
  'of',
  'oF',
  'o',
  'O',
  'ox',
  'yes',
  'no',
  'true',
  'false',
  'enable',
];

describe.skipIf(oracle === '')('parseValue/formatValue = kernel param_set_*/param_get_*', () => {
  function check(cases: Array<{ type: string; raw: string | null }>) {
    const requests: OracleRequest[] = cases.map(({ type, raw }) => ({
      cmd: 'V',
      type,
      value: raw === null ? null : utf8.encode(raw),
    }));
    const answers = runOracle(oracle, requests);
    cases.forEach(({ type, raw }, i) => {
      const kernel = parseSet(answers[i]!);
      const label = `${type} ${JSON.stringify(raw)}`;
      let got: string;
      try {
        got = `ok ${formatValue(type, parseValue(type, raw, 'p'))}\n`;
      } catch (error) {
        if (!(error instanceof ParamError)) throw error;
        got = error.errno;
      }
      expect(got, label).toBe(kernel.rc === 0 ? `ok ${decode(kernel.shown!)}` : ERRNO_NAME[kernel.rc]);
    });
  }

  test('integers: every type at and beyond its bounds, in every base, with signs and newlines', () => {
    const cases: Array<{ type: string; raw: string | null }> = [];
    for (const [type, [min, max]] of Object.entries(INTEGER_BOUNDS)) {
      const points = [
        min - 1n,
        min,
        min + 1n,
        -1n,
        0n,
        1n,
        7n,
        8n,
        255n,
        256n,
        max - 1n,
        max,
        max + 1n,
        max * 16n,
      ];
      for (const n of points) for (const raw of spellings(n)) cases.push({ type, raw });
      for (const raw of [...COMMON_VALUES, null]) cases.push({ type, raw });
      const random = sample(fc.stringMatching(/^[-+]?(0[xX]?)?[0-9a-fA-FxX]{0,22}\n?$/), 150);
      for (const raw of random) cases.push({ type, raw });
      for (const raw of sample(fc.bigInt({ min: min - 10n, max: max + 10n }), 100))
        cases.push({ type, raw: raw.toString() });
    }
    expect(cases.length).toBeGreaterThan(3000);
    check(cases);
  });

  test('booleans: bool, invbool, bint with every one- and two-character spelling', () => {
    const chars = ['', 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', '1', '0', 'o', 'O', 'x', '2', ' ', '\n', 'é'];
    const cases: Array<{ type: string; raw: string | null }> = [];
    for (const type of ['bool', 'invbool', 'bint', 'bool_enable_only']) {
      cases.push({ type, raw: null });
      for (const a of chars) for (const b of chars) cases.push({ type, raw: a + b });
      for (const raw of COMMON_VALUES) cases.push({ type, raw });
    }
    check(cases);
  });

  test('strings: charp up to its 1024-byte limit and string:N at its size, multibyte included', () => {
    const cases: Array<{ type: string; raw: string | null }> = [];
    for (const type of ['charp', 'string:1', 'string:2', 'string:8', 'string:16']) {
      cases.push({ type, raw: null });
      for (const len of [0, 1, 2, 3, 6, 7, 8, 9, 15, 16, 17]) {
        cases.push(
          { type, raw: 'a'.repeat(len) },
          { type, raw: 'é'.repeat(len) },
          { type, raw: `${'a'.repeat(len)}€` },
        );
      }
      for (const raw of sample(grammarString(12), 60)) cases.push({ type, raw });
    }
    for (const len of [1022, 1023, 1024, 1025, 2000]) {
      cases.push({ type: 'charp', raw: 'x'.repeat(len) }, { type: 'charp', raw: `${'x'.repeat(len - 1)}é` });
    }
    check(cases);
  });

  test('arrays: comma lists of every element type, at and over their size', () => {
    const elements = SCALAR_TYPES;
    const item = fc.constantFrom(
      '0',
      '1',
      '-1',
      '255',
      '256',
      '0x10',
      'y',
      'n',
      '',
      'abc',
      '1\n',
      '99999999999999999999',
      'on',
    );
    const lists = sample(
      fc.array(item, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(',')),
      120,
    );
    const cases: Array<{ type: string; raw: string | null }> = [];
    for (const element of elements) {
      for (const max of [0, 1, 3, 4]) {
        const type = `array:${element}:${max}`;
        cases.push(
          { type, raw: null },
          { type, raw: '' },
          { type, raw: ',' },
          { type, raw: '1,2,3' },
          { type, raw: '1,2,3,' },
        );
        for (const raw of lists) cases.push({ type, raw });
      }
    }
    check(cases);
  });
});

describe.skipIf(oracle === '')('validateArgs = load_module parse_args over declared parameters', () => {
  const declared = [
    { name: 'debug_level', type: 'int' },
    { name: 'verbose', type: 'bool' },
    { name: 'quiet', type: 'invbool' },
    { name: 'count', type: 'bint' },
    { name: 'mask', type: 'hexint' },
    { name: 'big', type: 'ullong' },
    { name: 'label', type: 'charp' },
    { name: 'buf', type: 'string:8' },
    { name: 'ids', type: 'array:ushort:3' },
    { name: 'names', type: 'array:charp:2' },
  ];
  const initial: Record<string, string> = {
    debug_level: '0',
    verbose: 'N',
    quiet: 'Y',
    count: '0',
    mask: '0x000000',
    big: '0',
    label: '(null)',
    buf: '',
    ids: '',
    names: '',
  };
  const name = fc.constantFrom(
    ...declared.map((d) => d.name),
    'debug-level',
    'Debug_level',
    'unknown',
    'x-y',
    'ids',
  );
  const value = fc.option(
    fc.constantFrom(
      '1',
      '0',
      '-5',
      '0x7f',
      'y',
      'off',
      '1,2',
      '1,2,3,4',
      'abc',
      '',
      'a b',
      'toolongvalue',
      '70000',
    ),
    { nil: null },
  );
  const argLists = sample(fc.array(fc.record({ name, value }), { maxLength: 6 }), 1500);

  test('the load fails with the kernel errno, unknown names only warn, the last value wins', () => {
    const decls = declared.map((d) => `${d.name}:${d.type}`).join(' ');
    const texts = argLists.map((args) => formatArgs(args));
    const answers = runOracle(
      oracle,
      texts.map((t) => ({ cmd: 'L', declarations: decls, args: utf8.encode(t) })),
    );
    texts.forEach((text, i) => {
      const kernel = parseLoad(answers[i]!);
      const result = validateArgs(text, declared);
      expect(result.errno, text).toBe(kernel.rc === 0 ? null : ERRNO_NAME[kernel.rc]);
      expect(
        result.issues.filter((x) => x.kind === 'unknown').map((x) => x.name),
        text,
      ).toEqual(kernel.unknown.map(decode));
      if (kernel.rc !== 0) return;
      declared.forEach((d, j) => {
        const v = result.values.get(d.name);
        const shown = v === undefined ? initial[d.name] : formatValue(d.type, v);
        // param_array_get of zero elements prints nothing, not even the newline.
        const noElements = v === undefined ? d.type.startsWith('array:') : Array.isArray(v) && v.length === 0;
        const sysfs = noElements ? '' : `${shown}\n`;
        expect(sysfs, `${text} → ${d.name}`).toBe(decode(kernel.shown[j]!));
      });
    });
  });
});
