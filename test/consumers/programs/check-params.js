// @kmodkit/params as a user calls it, the README's example included. Imports nothing else, so it runs
// in a project where @kmodkit/params is the only package installed.
import { formatArgs, ParamError, parseArgs, parseValue } from '@kmodkit/params';

/** @returns {string[]} what went wrong; empty when everything matched */
export function checkParams() {
  const failures = [];
  const input = 'debug=1 name="two words" list=1,2,3 quiet';
  const { args, rest } = parseArgs(input);
  const seen = JSON.stringify(args.map(({ name, value }) => [name, value]));
  const want = JSON.stringify([
    ['debug', '1'],
    ['name', 'two words'],
    ['list', '1,2,3'],
    ['quiet', null],
  ]);
  if (seen !== want) failures.push(`params: parseArgs(${input}) gave ${seen}, want ${want}`);
  if (rest !== null) failures.push(`params: parseArgs left rest ${JSON.stringify(rest)}`);
  // kernel/params.c: parse_args stops at a bare `--` and hands back what follows.
  const split = parseArgs('a=1 -- b=2');
  if (split.rest !== 'b=2') failures.push(`params: rest after -- is ${JSON.stringify(split.rest)}`);

  const list = parseValue('array:int:4', '1,2,3');
  if (JSON.stringify(list) !== '[1,2,3]')
    failures.push(`params: parseValue array gave ${JSON.stringify(list)}`);

  const formatted = formatArgs(args);
  if (formatted !== input) failures.push(`params: formatArgs gave ${formatted}, want ${input}`);

  try {
    parseValue('int', 'twelve');
    failures.push('params: parseValue(int, twelve) did not throw');
  } catch (error) {
    if (!(error instanceof ParamError)) failures.push(`params: bad value threw ${error}, not a ParamError`);
  }
  return failures;
}
