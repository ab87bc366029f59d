// Bad input from JavaScript callers gives a ParamError, never a TypeError or RangeError from inside.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import * as params from '../src/index.js';

const SEED = 0x6b6d6f64;

const CALLS: Array<[string, (a: unknown, b: unknown) => unknown]> = [
  ['parseArgs', (a) => params.parseArgs(a as string)],
  ['paramEqual', (a, b) => params.paramEqual(a as string, b as string)],
  ['parseValue', (a, b) => params.parseValue(a as string, b as string)],
  ['formatValue', (a, b) => params.formatValue(a as string, b)],
  ['parseParamType', (a) => params.parseParamType(a as string)],
  ['formatArgs', (a) => params.formatArgs(a as params.Arg[])],
  ['validateArgs', (a, b) => params.validateArgs(a as string, b as params.DeclaredParam[])],
  ['cmdlineModuleOptions', (a) => params.cmdlineModuleOptions(a as string)],
  ['builtinModuleArgs', (a, b) => params.builtinModuleArgs(a as string, b as string)],
  ['parseModprobeOptions', (a) => params.parseModprobeOptions(a as string)],
  ['modprobeParams', (a) => params.modprobeParams(a as params.ModprobeSources)],
];

// Values of the right shape mixed with arbitrary ones, so calls get past the first check sometimes.
const input = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.array(fc.record({ name: fc.string(), value: fc.option(fc.string(), { nil: null }) })),
  fc.array(fc.record({ name: fc.string(), type: fc.constantFrom('int', 'charp', 'array:int:2', 'nope') })),
  fc.record(
    { module: fc.string(), config: fc.array(fc.anything()), extra: fc.anything() },
    { requiredKeys: [] },
  ),
);

test.each(CALLS)('%s', (_, call) => {
  fc.assert(
    fc.property(input, input, (a, b) => {
      try {
        call(a, b);
      } catch (error) {
        expect(error).toBeInstanceOf(params.ParamError);
      }
    }),
    { numRuns: 1500, seed: SEED },
  );
});
