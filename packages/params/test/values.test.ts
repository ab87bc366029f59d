import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatValue,
  ParamError,
  type ParamValue,
  parseParamType,
  parseValue,
  SCALAR_TYPES,
} from '../src/index.js';
import { INTEGER_BOUNDS } from './integer-bounds.js';

const SEED = 0x6b6d6f64;

function failure(run: () => unknown): ParamError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParamError) return error;
    throw error;
  }
  throw new Error('expected a ParamError');
}

describe('parseValue', () => {
  test.each<[string, string | null, ParamValue]>([
    ['byte', '0xff', 255],
    ['short', '-0x8000', -32768],
    ['ushort', '+017', 15],
    ['int', '10\n', 10],
    ['uint', '4294967295', 4294967295],
    ['hexint', '16', 16],
    ['long', '-9223372036854775808', -9223372036854775808n],
    ['ulong', '0xffffffffffffffff', 18446744073709551615n],
    ['ullong', '0', 0n],
    ['charp', 'a b,c', 'a b,c'],
    ['charp', '', ''],
    ['bool', null, true],
    ['bool', 'off', false],
    ['bool', 'True', true],
    ['bint', null, true],
    ['bint', 'n', false],
    ['invbool', 'y', false],
    ['invbool', '0', true],
    ['string:4', 'abc', 'abc'],
    ['array:int:3', '1,-2,0x3', [1, -2, 3]],
    ['array:charp:3', 'a,,b', ['a', '', 'b']],
    ['array:bool:2', 'y,n', [true, false]],
    ['array:ulong:1', '7', [7n]],
  ])('%s %j', (type, raw, value) => {
    expect(parseValue(type, raw)).toEqual(value);
  });

  test.each<[string, string | null, string, string]>([
    ['int', null, 'MISSING_VALUE', 'EINVAL'],
    ['invbool', null, 'MISSING_VALUE', 'EINVAL'],
    ['charp', null, 'MISSING_VALUE', 'EINVAL'],
    ['array:int:2', null, 'MISSING_VALUE', 'EINVAL'],
    ['int', '', 'INVALID_VALUE', 'EINVAL'],
    ['int', ' 1', 'INVALID_VALUE', 'EINVAL'],
    ['int', '1\n\n', 'INVALID_VALUE', 'EINVAL'],
    ['uint', '-1', 'INVALID_VALUE', 'EINVAL'],
    ['int', '0x', 'INVALID_VALUE', 'EINVAL'],
    ['int', '08', 'INVALID_VALUE', 'EINVAL'],
    ['byte', '256', 'OUT_OF_RANGE', 'ERANGE'],
    ['int', '2147483648', 'OUT_OF_RANGE', 'ERANGE'],
    ['ullong', '18446744073709551616', 'OUT_OF_RANGE', 'ERANGE'],
    // Overflow is reported before trailing garbage is looked at (lib/kstrtox.c: _kstrtoull).
    ['ullong', '99999999999999999999z', 'OUT_OF_RANGE', 'ERANGE'],
    ['bool', 'x', 'INVALID_VALUE', 'EINVAL'],
    ['bool', '', 'INVALID_VALUE', 'EINVAL'],
    ['charp', 'x'.repeat(1025), 'TOO_LONG', 'ENOSPC'],
    ['charp', `${'x'.repeat(1023)}é`, 'TOO_LONG', 'ENOSPC'],
    ['string:4', 'abcd', 'TOO_LONG', 'ENOSPC'],
    ['string:3', 'aé', 'TOO_LONG', 'ENOSPC'],
    ['array:int:2', '1,2,3', 'TOO_MANY_ELEMENTS', 'EINVAL'],
    ['array:int:2', '1,x', 'INVALID_VALUE', 'EINVAL'],
    ['array:int:2', '1,2,', 'TOO_MANY_ELEMENTS', 'EINVAL'],
    ['array:int:0', '1', 'TOO_MANY_ELEMENTS', 'EINVAL'],
    ['float', '1', 'UNKNOWN_TYPE', 'EINVAL'],
    ['array:string:2', 'a', 'UNKNOWN_TYPE', 'EINVAL'],
    ['string:-1', 'a', 'UNKNOWN_TYPE', 'EINVAL'],
  ] as Array<[string, string | null, string, string]>)('%s %j → %s', (type, raw, code, errno) => {
    const error = failure(() => parseValue(type, raw, 'p_x'));
    expect(error).toMatchObject({ code, errno });
    if (code !== 'UNKNOWN_TYPE') {
      expect(error.param).toBe('p_x');
      expect(error.message).toMatch(/^p_x: /);
    }
  });

  test('the value is a C string: it ends at the first NUL', () => {
    expect(parseValue('int', '12\u00003')).toBe(12);
  });

  test('any input gives a value or a ParamError, never another exception', () => {
    const type = fc.oneof(
      fc.constantFrom(
        ...SCALAR_TYPES,
        'string:0',
        'string:3',
        'array:int:2',
        'array:charp:1',
        'array:bool:0',
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(type, fc.option(fc.string(), { nil: null }), (t, raw) => {
        try {
          parseValue(t, raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ParamError);
        }
      }),
      { numRuns: 3000, seed: SEED },
    );
  });
});

describe('formatValue', () => {
  test.each<[string, unknown, string]>([
    ['byte', 255, '255'],
    ['short', -1, '-1'],
    ['long', -5n, '-5'],
    ['ullong', 18446744073709551615n, '18446744073709551615'],
    // "%#08x" in the kernel's vsprintf: "0x" counts toward the width and is printed even for 0.
    ['hexint', 0, '0x000000'],
    ['hexint', 0xabc, '0x000abc'],
    ['hexint', 0xdeadbeef, '0xdeadbeef'],
    ['bool', true, 'Y'],
    ['invbool', true, 'N'],
    ['bint', false, '0'],
    ['charp', null, '(null)'],
    ['charp', 'x y', 'x y'],
    ['string:8', 'abc', 'abc'],
    ['array:int:4', [1, -2], '1,-2'],
    ['array:bool:2', [], ''],
  ])('%s %s', (type, value, text) => {
    expect(formatValue(type, value)).toBe(text);
  });

  test.each<[string, unknown]>([
    ['byte', 256],
    ['int', 1.5],
    ['int', '1'],
    ['uint', -1],
    ['long', 2n ** 63n],
    ['bool', 1],
    ['charp', 5],
    ['string:3', 'abc'],
    ['array:int:1', [1, 2]],
    ['array:int:1', 1],
  ])('%s %s is BAD_VALUE', (type, value) => {
    expect(failure(() => formatValue(type, value))).toMatchObject({ code: 'BAD_VALUE', errno: 'EINVAL' });
  });

  test('any JavaScript value gives text or a ParamError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCALAR_TYPES, 'string:4', 'array:long:2'),
        fc.anything(),
        (type, value) => {
          try {
            formatValue(type, value);
          } catch (error) {
            expect(error).toBeInstanceOf(ParamError);
          }
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  });
});

describe('parseValue(formatValue(v)) is v for every type', () => {
  const arbitraryValue = (scalar: string, charp: fc.Arbitrary<string>): fc.Arbitrary<unknown> => {
    const bounds = INTEGER_BOUNDS[scalar];
    if (bounds) {
      const n = fc.bigInt({ min: bounds[0], max: bounds[1] });
      return bounds[1] > 2n ** 32n ? n : n.map(Number);
    }
    if (scalar === 'charp') return charp;
    return fc.boolean();
  };
  const noNul = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replaceAll('\0', ''));

  test.each(SCALAR_TYPES.map((t) => [t]))('%s', (type) => {
    fc.assert(
      fc.property(arbitraryValue(type, noNul), (v) => {
        expect(parseValue(type, formatValue(type, v))).toEqual(v);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  test('string:N', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), noNul, (size, text) => {
        fc.pre(new TextEncoder().encode(text).length < size);
        expect(parseValue(`string:${size}`, formatValue(`string:${size}`, text))).toBe(text);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  test.each(SCALAR_TYPES.map((t) => [t]))('array:%s:N', (element) => {
    const noComma = noNul.map((s) => s.replaceAll(',', ''));
    fc.assert(
      fc.property(fc.array(arbitraryValue(element, noComma), { minLength: 1, maxLength: 5 }), (values) => {
        const type = `array:${element}:5`;
        expect(parseValue(type, formatValue(type, values))).toEqual(values);
      }),
      { numRuns: 200, seed: SEED },
    );
  });
});

describe('parseParamType', () => {
  test('spellings', () => {
    expect(parseParamType('int')).toEqual({ kind: 'scalar', scalar: 'int' });
    expect(parseParamType('string:64')).toEqual({ kind: 'string', size: 64 });
    expect(parseParamType('array:charp:8')).toEqual({ kind: 'array', element: 'charp', max: 8 });
    for (const bad of [
      '',
      'INT',
      'string',
      'string:',
      'string:01',
      'array:int',
      'array:int:x',
      'array:string:1:2',
    ]) {
      expect(failure(() => parseParamType(bad)).code).toBe('UNKNOWN_TYPE');
    }
  });
});

// kernel/params.c: param_set_long/ulong call kstrtol/kstrtoul on the arch's `long`, 32 bits on ILP32.
describe('longBits: the width of long and ulong follows the module', () => {
  test.each<[string, string, 32 | 64, ParamValue | string]>([
    ['long', '2147483647', 32, 2147483647n],
    ['long', '-2147483648', 32, -2147483648n],
    ['long', '2147483648', 32, 'ERANGE'],
    ['long', '-2147483649', 32, 'ERANGE'],
    ['ulong', '4294967295', 32, 4294967295n],
    ['ulong', '0xffffffff', 32, 4294967295n],
    ['ulong', '4294967296', 32, 'ERANGE'],
    ['long', '2147483648', 64, 2147483648n],
    ['ulong', '4294967296', 64, 4294967296n],
    ['array:long:2', '1,2147483648', 32, 'ERANGE'],
    // ullong is 64-bit on every arch; int never depends on it.
    ['ullong', '4294967296', 32, 4294967296n],
    ['int', '2147483648', 64, 'ERANGE'],
  ])('%s %s at %i bits', (type, raw, longBits, expected) => {
    if (typeof expected === 'string' && expected === 'ERANGE') {
      const error = failure(() => parseValue(type, raw, 'p', { longBits }));
      expect([error.code, error.errno]).toEqual(['OUT_OF_RANGE', 'ERANGE']);
    } else {
      expect(parseValue(type, raw, 'p', { longBits })).toEqual(expected);
    }
  });

  test('the default is 64 bits', () => {
    expect(parseValue('long', '9223372036854775807')).toBe(9223372036854775807n);
  });

  test('formatValue refuses a long that a 32-bit module cannot hold', () => {
    expect(formatValue('long', -2147483648n, { longBits: 32 })).toBe('-2147483648');
    expect(failure(() => formatValue('long', 2147483648n, { longBits: 32 })).code).toBe('BAD_VALUE');
    expect(formatValue('long', 2147483648n)).toBe('2147483648');
  });

  test('a width other than 32 or 64 is a typed error', () => {
    const error = failure(() => parseValue('long', '1', 'p', { longBits: 16 as 32 }));
    expect(error.code).toBe('BAD_VALUE');
  });

  test('at 32 bits a long is accepted exactly when it fits in int32', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), (n) => {
        const fits = BigInt.asIntN(32, n) === n;
        let got: ParamValue | string | undefined;
        try {
          got = parseValue('long', n.toString(), 'p', { longBits: 32 });
        } catch (error) {
          if (!(error instanceof ParamError)) throw error;
          got = error.errno;
        }
        expect(got).toEqual(fits ? n : 'ERANGE');
      }),
      { seed: SEED },
    );
  });
});
