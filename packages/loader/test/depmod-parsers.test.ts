/**
 * The small readers of depmod's inputs, each as kmod 30 reads them: depmod.d lines
 * (freadline_wrapped, strtok), kernel version patterns (regexec), alias normalisation,
 * Module.symvers CRCs (strtoull), devname's sscanf and glibc's fgets pieces. Whole trees are
 * compared with kmod itself in apps/cli/test/depmod.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { normalizeAlias } from '../src/depmod/alias-files.js';
import { kernelMatches, parseConfigText, wrappedLines } from '../src/depmod/config.js';
import { fgetsLines, parseHexU64, SymbolTable } from '../src/depmod/symbol-table.js';

describe('depmod.d', () => {
  test('freadline_wrapped: backslash-newline joins, other backslashes vanish, numbers of the last line', () => {
    expect(wrappedLines('a\nb \\\nc\n\\x\\\\y\nlast')).toEqual([
      { line: 'a', lineNumber: 1 },
      { line: 'b c', lineNumber: 3 },
      { line: 'x\\y', lineNumber: 4 },
      { line: 'last', lineNumber: 5 },
    ]);
    expect(wrappedLines('\\\n')).toEqual([]);
  });

  test('lines: search order reversed (kmod prepends), override paths, bad lines', () => {
    const config = { searches: [], overrides: [], externals: [], excludes: [] } as Parameters<
      typeof parseConfigText
    >[3];
    const log: string[] = [];
    parseConfigText(
      'search updates built-in\nsearch extra\noverride foo 6.* extra\noverride bar 5.* x\nexternal * /opt/m\nexclude a b\nbogus\n override\n',
      'f.conf',
      '6.1.0-1',
      config,
      (level, message) => log.push(`${level}: ${message}`),
    );
    expect(config.searches).toEqual([
      { type: 'path', path: 'extra' },
      { type: 'built-in' },
      { type: 'path', path: 'updates' },
    ]);
    expect(config.overrides).toEqual(['extra/foo']);
    expect(config.externals).toEqual(['/opt/m']);
    expect(config.excludes).toEqual(['b', 'a']);
    expect(log).toEqual([
      'info: f.conf:4: override kernel did not match 5.*\n',
      "error: f.conf:7: ignoring bad line starting with 'bogus'\n",
      "error: f.conf:8: ignoring bad line starting with 'override'\n",
    ]);
  });

  test('kernel patterns: "*", extended regular expressions searched anywhere, POSIX classes; a bad one matches nothing', () => {
    expect(kernelMatches('*', '6.1.0-1-amd64')).toBe(true);
    expect(kernelMatches('^6\\.1', '6.1.0-1-amd64')).toBe(true);
    expect(kernelMatches('amd64$', '6.1.0-1-amd64')).toBe(true);
    expect(kernelMatches('^[[:digit:]]+\\.[[:digit:]]+', '6.1.0')).toBe(true);
    expect(kernelMatches('^5', '6.1.0')).toBe(false);
    expect(kernelMatches('(', '6.1.0')).toBe(false);
  });
});

describe('values', () => {
  test('alias_normalize: dashes outside brackets, unmatched brackets refused', () => {
    expect(normalizeAlias('pci:v00008086d*sv*sd*bc*sc*i*')).toBe('pci:v00008086d*sv*sd*bc*sc*i*');
    expect(normalizeAlias('char-major-10-[0-9]-x')).toBe('char_major_10_[0-9]_x');
    expect(normalizeAlias('a[b')).toBeUndefined();
    expect(normalizeAlias('a]b')).toBeUndefined();
  });

  test('strtoull base 16 with nothing left over', () => {
    expect(parseHexU64('0x1f')).toBe(31);
    expect(parseHexU64('1F')).toBe(31);
    expect(parseHexU64('0x')).toBeUndefined();
    expect(parseHexU64('zz')).toBeUndefined();
    expect(parseHexU64('12g')).toBeUndefined();
    expect(parseHexU64('-1')).toBe(2 ** 64 - 1);
    expect(parseHexU64('ffffffffffffffffff')).toBe(2 ** 64 - 1);
  });

  test('glibc fgets: lines keep their newline; longer ones come in pieces of size - 1', () => {
    expect(fgetsLines('ab\ncdefg\nh', 4)).toEqual(['ab\n', 'cde', 'fg\n', 'h']);
  });

  test('Module.symvers: only vmlinux lines with four fields; System.map: __ksymtab_ names; fake symbols', () => {
    const table = new SymbolTable();
    const log: string[] = [];
    table.loadSymvers(
      '0x1\tfoo\tvmlinux\tEXPORT_SYMBOL\n0x2\tbar\tdrivers/x\tEXPORT_SYMBOL\n0x3\tbaz\tvmlinux\nzz\tq\tvmlinux\tE\n',
      'S',
      (_l, m) => log.push(m),
    );
    expect(table.find('foo')).toEqual({ name: 'foo', crc: 1, owner: undefined });
    expect(table.find('.foo')).toEqual({ name: 'foo', crc: 1, owner: undefined });
    expect(table.find('bar')).toBeUndefined();
    expect(table.find('baz')).toBeUndefined();
    expect(table.find('__this_module')).toBeDefined();
    expect(log).toEqual(['S:4 Invalid symbol version zz: Success\n']);
    const map = new SymbolTable('_');
    map.loadSystemMap('c0 R ___ksymtab_one\nc0 T two\nnospace\n', 'M', (_l, m) => log.push(m));
    expect(map.find('one')?.name).toBe('one');
    expect(map.find('_one')?.name).toBe('one');
    expect(map.find('two')).toBeUndefined();
    // kmod prints the line with its newline, then one more.
    expect(log.at(-1)).toBe('M:3: invalid line: nospace\n\n');
  });
});
