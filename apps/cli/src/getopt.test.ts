import { describe, expect, test } from 'vitest';
import { MODINFO_OPTIONS } from './commands/modinfo.js';
import { getoptLong } from './getopt.js';

// modinfo's table (tools/modinfo.c cmdopts, in order, plus --json last). The expected messages are
// what Debian 12's glibc getopt_long printed for `modinfo <args>` (after the "modinfo: " prefix); the
// conformance test re-checks them against the real tool.
const TABLE = MODINFO_OPTIONS;

const opts = (line: ReturnType<typeof getoptLong>) =>
  line.options.map((o) => (o.value === undefined ? o.name : `${o.name}=${o.value}`));

describe('getoptLong parses like glibc getopt_long', () => {
  test.each([
    [['-F', 'name', 'x.ko'], ['field=name'], ['x.ko']],
    [['-Fname', 'x.ko'], ['field=name'], ['x.ko']],
    [['--field=name', 'x.ko'], ['field=name'], ['x.ko']],
    [['--field', 'name', 'x.ko'], ['field=name'], ['x.ko']],
    [['--fie=name', 'x.ko'], ['field=name'], ['x.ko']],
    [['--fiel', 'name'], ['field=name'], []],
    [['-F', '-a', 'x.ko'], ['field=-a'], ['x.ko']],
    [['-F', '--', 'x.ko'], ['field=--'], ['x.ko']],
    [['-0Fname', 'x.ko'], ['null', 'field=name'], ['x.ko']],
    [['-ad', 'x.ko'], ['author', 'description'], ['x.ko']],
    [['x.ko', '-n', 'y.ko'], ['filename'], ['x.ko', 'y.ko']],
    [['--', '-x', '-a'], [], ['-x', '-a']],
    [['-'], [], ['-']],
    [['--n', 'x'], ['null'], ['x']],
    [['--au'], ['author'], []],
    [['--field='], ['field='], []],
    [['-k', '6.1', '-b', '/r', 'ext4'], ['set-version=6.1', 'basedir=/r'], ['ext4']],
  ])('%j', (argv, options, operands) => {
    const line = getoptLong(argv, TABLE);
    expect(line.error).toBeUndefined();
    expect(opts(line)).toEqual(options);
    expect(line.operands).toEqual(operands);
  });

  test.each([
    [['-x'], "invalid option -- 'x'", []],
    [['-ax'], "invalid option -- 'x'", ['author']],
    [['-h', '-x'], "invalid option -- 'x'", ['help']],
    [['--bogus'], "unrecognized option '--bogus'", []],
    [['--bogus=3'], "unrecognized option '--bogus=3'", []],
    [['-F'], "option requires an argument -- 'F'", []],
    [['-k'], "option requires an argument -- 'k'", []],
    [['--field'], "option '--field' requires an argument", []],
    [['--fiel'], "option '--field' requires an argument", []],
    [['--version=3'], "option '--version' doesn't allow an argument", []],
    [['--vers=3'], "option '--version' doesn't allow an argument", []],
    [['--author='], "option '--author' doesn't allow an argument", []],
    [['--f', 'x'], "option '--f' is ambiguous; possibilities: '--filename' '--field'", []],
    [['--f=x'], "option '--f=x' is ambiguous; possibilities: '--filename' '--field'", []],
    [['-V', '--f'], "option '--f' is ambiguous; possibilities: '--filename' '--field'", ['version']],
  ])('%j → %s', (argv, error, before) => {
    const line = getoptLong(argv, TABLE);
    expect(line.error).toBe(error);
    expect(opts(line)).toEqual(before);
  });

  test('an empty long name is a prefix of every option', () => {
    expect(getoptLong(['--=x'], TABLE).error).toBe(
      `option '--=x' is ambiguous; possibilities:${Object.keys(TABLE)
        .map((n) => ` '--${n}'`)
        .join('')}`,
    );
  });
});

describe('short options without a long form (insmod "psfVh")', () => {
  const INSMOD = {
    version: { short: 'V', takesValue: false },
    help: { short: 'h', takesValue: false },
    f: { short: 'f', takesValue: false, shortOnly: true },
    p: { short: 'p', takesValue: false, shortOnly: true },
  } as const;

  test.each([
    [['-f', 'x.ko'], ['f'], ['x.ko']],
    [
      ['-pf', 'x.ko', 'a=1'],
      ['p', 'f'],
      ['x.ko', 'a=1'],
    ],
    [['x.ko', '-f', 'a=-1'], ['f'], ['x.ko', 'a=-1']],
    [['--he'], ['help'], []],
  ])('%j', (argv, options, operands) => {
    const line = getoptLong(argv, INSMOD);
    expect(line.error).toBeUndefined();
    expect(opts(line)).toEqual(options);
    expect(line.operands).toEqual(operands);
  });

  test.each([
    [['--f'], "unrecognized option '--f'"],
    [['--p=1'], "unrecognized option '--p=1'"],
    [['-x'], "invalid option -- 'x'"],
  ])('%j → %s', (argv, error) => {
    expect(getoptLong(argv, INSMOD).error).toBe(error);
  });
});
