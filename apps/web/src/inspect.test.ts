import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_DECOMPRESSED_SIZE, readModule } from '@kmodkit/elf';
import { parseArgs, parseModprobeOptions } from '@kmodkit/params';
import { describe, expect, test } from 'vitest';
import { MAX_DECOMPRESSED_SIZE as SHIM_MAX } from './decompress-shim.js';
import { inspectFile } from './inspect.js';
import { formatModinfo, modinfoLines } from './modinfo-output.js';
import {
  buildArgs,
  type FieldValue,
  fieldOf,
  modinfoOrder,
  permString,
  shellQuote,
} from './param-builder.js';

const dir = fileURLToPath(new URL('../../../fixtures/modules/', import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(dir + name));

describe('inspectFile', () => {
  test.each(['kmodkit_test.ko', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst', 'kmodkit_test.ko.gz'])(
    '%s reads as kmodkit_test, decompressors loaded when needed',
    async (name) => {
      const r = await inspectFile(name, fixture(name));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.summary).toMatchObject({
        name: 'kmodkit_test',
        license: 'GPL',
        version: '1.2.3',
        architecture: 'x86-64',
        elfClass: 'ELF64',
        endian: 'little',
        authors: ['Second Author <second@example.invalid>', 'kmodkit developers <kmodkit@example.invalid>'],
        softdeps: { pre: ['crc32c'], post: [] },
        firmware: ['kmodkit/kmodkit_test-fw.bin'],
        signature: null,
        depends: [],
        vermagic: '6.1.0-56-amd64 SMP preempt mod_unload modversions ',
      });
      expect(r.summary.aliases).toHaveLength(5);
      expect(r.summary.compression).toBe(name.endsWith('.ko') ? 'none' : r.summary.compression);
      expect(r.summary.imageSize).toBe(fixture('kmodkit_test.ko').length);
      expect(r.problems).toEqual([]);
    },
  );

  test('the signed fixture: signer, key and hash as kmod prints them', async () => {
    const r = await inspectFile('s.ko', fixture('kmodkit_test-signed.ko'));
    expect(r.ok && r.summary.signature).toMatchObject({
      idType: 'PKCS#7',
      signer: 'kmodkit test signing key',
      keyId: '33:C3:62:B3:9E:2B:DA:84:3F:71:81:0A:55:7C:03:FF:D6:9C:20:28',
      hashAlgorithm: 'sha256',
    });
  });

  test('a file that is not ELF: ENOEXEC at byte 0', async () => {
    const r = await inspectFile('notes.txt', new TextEncoder().encode('hello, not a module'));
    expect(r).toMatchObject({
      ok: false,
      error: { errno: 'ENOEXEC', errnoText: 'Exec format error', offset: 0 },
    });
  });

  test('a truncated module is read, and validate() says what the kernel refuses, with its offset', async () => {
    const r = await inspectFile('cut.ko', fixture('kmodkit_test.ko').subarray(0, 4096));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]!.errno).toBe('ENOEXEC');
    expect(r.problems[0]!.message).not.toMatch(/\(at byte/);
  });

  test('the shim states the library’s size limit', () => {
    expect(SHIM_MAX).toBe(MAX_DECOMPRESSED_SIZE);
  });
});

describe('modinfo output is kmod 30’s, byte for byte (golden files)', () => {
  const golden = (name: string) => readFileSync(`${dir}golden/${name}.modinfo.txt`, 'utf8');
  test.each([
    'kmodkit_test.ko',
    'kmodkit_test-signed.ko',
    'kmodkit_test-stripped.ko',
    'kmodkit_dep.ko',
    'kmodkit_test.ko.xz',
    'kmodkit_test.ko.zst',
  ])('%s', async (name) => {
    const r = await inspectFile(name, fixture(name));
    if (!r.ok) throw new Error('unreadable');
    const expected = golden(name);
    const path = expected.slice('filename:       '.length, expected.indexOf('\n'));
    expect(formatModinfo(path, modinfoLines(r.module))).toBe(expected);
  });

  test('keys longer than 15 bytes get keylen - 15 spaces (printf with a negative width)', () => {
    expect(formatModinfo('f', [{ key: 'a_very_long_key_name', value: 'v' }])).toBe(
      'filename:       f\na_very_long_key_name:     v\n',
    );
  });
});

describe('buildArgs', () => {
  const mod = readModule(fixture('kmodkit_test.ko'));
  const build = (values: [string, FieldValue][]) =>
    buildArgs('kmodkit_test', 'kmodkit_test.ko', modinfoOrder(mod.params, mod.modinfo), new Map(values));

  test('fields follow the ops: bool checkbox, integer ranges by type and word size, text sizes, arrays', () => {
    const field = (name: string, cls: 'ELF32' | 'ELF64' = 'ELF64') =>
      fieldOf(mod.params.find((p) => p.name === name)!, cls);
    expect(field('p_bool')).toEqual({ kind: 'bool' });
    expect(field('p_byte')).toEqual({ kind: 'integer', min: 0n, max: 255n, hex: false });
    expect(field('p_short')).toEqual({ kind: 'integer', min: -32768n, max: 32767n, hex: false });
    expect(field('p_long')).toEqual({ kind: 'integer', min: -(2n ** 63n), max: 2n ** 63n - 1n, hex: false });
    expect(field('p_long', 'ELF32')).toEqual({
      kind: 'integer',
      min: -(2n ** 31n),
      max: 2n ** 31n - 1n,
      hex: false,
    });
    expect(field('p_ullong')).toMatchObject({ max: 2n ** 64n - 1n });
    expect(field('p_hexint')).toMatchObject({ hex: true, max: 0xffffffffn });
    expect(field('p_string')).toEqual({ kind: 'text', maxBytes: 15 });
    expect(field('p_charp')).toEqual({ kind: 'text', maxBytes: 1024 });
    expect(field('p_int_array')).toMatchObject({ kind: 'array', max: 4, element: { kind: 'integer' } });
    expect(field('p_cb')).toEqual({ kind: 'custom' });
  });

  test('a string the kernel reads back as the values set, in the module’s order, and the commands', () => {
    const b = build([
      ['p_charp', 'two words'],
      ['p_bool', true],
      ['p_int_array', ['1', '-2', '3']],
      ['p_int', ''],
    ]);
    expect(b.args).toBe('p_charp="two words" p_bool=Y p_int_array=1,-2,3');
    expect(b.errno).toBeNull();
    expect(b.insmod).toBe(`insmod kmodkit_test.ko 'p_charp="two words"' p_bool=Y p_int_array=1,-2,3`);
    expect(b.options).toBe('options kmodkit_test p_charp="two words" p_bool=Y p_int_array=1,-2,3');
    expect(parseArgs(b.args).args).toEqual([
      { name: 'p_charp', value: 'two words' },
      { name: 'p_bool', value: 'Y' },
      { name: 'p_int_array', value: '1,-2,3' },
    ]);
    // modprobe.d: kmod reads the options back as the same string.
    expect(parseModprobeOptions(b.options)[0]!.options).toBe(b.args);
  });

  test('the shell passes insmod exactly the parameter string (a real sh as the oracle)', () => {
    const b = build([
      ['p_charp', `it's "quoted" $HOME`],
      ['p_string', 'a b'],
    ]);
    const argv = execFileSync('sh', ['-c', `set -- ${b.insmod.slice('insmod '.length)}; shift; echo "$*"`], {
      encoding: 'utf8',
    });
    expect(argv.trimEnd()).toBe(b.args);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  test('refused values carry the errno and the line parse_args logs', () => {
    const b = build([
      ['p_byte', '300'],
      ['p_int', '12abc'],
      ['p_string', 'sixteen bytes!!!'],
    ]);
    // parse_args returns the last failing argument's error: p_string comes last.
    expect(parseArgs(b.args).args.map((a) => a.name)).toEqual(['p_byte', 'p_int', 'p_string']);
    expect(b.errno).toBe('ENOSPC');
    expect(b.issues.get('p_byte')).toMatchObject({
      errno: 'ERANGE',
      errnoText: 'Numerical result out of range',
      kernelLog: "kmodkit_test: `300' invalid for parameter `p_byte'",
    });
    expect(b.issues.get('p_int')).toMatchObject({ errno: 'EINVAL' });
    expect(b.issues.get('p_string')).toMatchObject({
      errno: 'ENOSPC',
      kernelLog: "kmodkit_test: `sixteen bytes!!!' too large for parameter `p_string'",
    });
  });

  test('an array with more values than it holds is refused', () => {
    expect(build([['p_int_array', ['1', '2', '3', '4', '5']]]).issues.get('p_int_array')?.errno).toBe(
      'EINVAL',
    );
  });

  test('parameters in modinfo’s order: the golden file’s parm lines', () => {
    const golden = readFileSync(`${dir}golden/kmodkit_test.ko.modinfo.txt`, 'utf8');
    const names = [...golden.matchAll(/^parm: +([^:]+):/gm)].map((m) => m[1]);
    expect(modinfoOrder(mod.params, mod.modinfo).map((p) => p.name)).toEqual(names);
  });

  test('permissions as ls shows them', () => {
    expect([0o644, 0o444, 0o600, 0, 0o755].map(permString)).toEqual([
      'rw-r--r--',
      'r--r--r--',
      'rw-------',
      '---------',
      'rwxr-xr-x',
    ]);
  });
});
