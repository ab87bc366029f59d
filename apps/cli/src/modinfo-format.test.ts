import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatHead,
  formatInfo,
  infoList,
  kmodHex,
  type ModinfoOutput,
  type ModinfoStyle,
} from './modinfo-format.js';

// Expected strings are kmod 30's output (tools/modinfo.c, libkmod-module.c); the conformance test
// checks the same rules against the real modinfo on real modules.
const full: ModinfoStyle = { field: undefined, separator: '\n' };

function info(list: { key: string; value: string }[], style = full): ModinfoOutput {
  const out = { stdout: '', stderr: '' };
  formatInfo(list, style, out);
  return out;
}

describe('kmodHex', () => {
  test.each([
    [[], ''],
    [[0x0a], '0A'],
    [[0xde, 0xad, 0xbe, 0xef], 'DE:AD:BE:EF'],
  ])('%j → %s', (bytes, text) => expect(kmodHex(Uint8Array.from(bytes))).toBe(text));

  test('a line break and two tabs after every 20th byte, none after the last', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i);
    expect(kmodHex(Uint8Array.from(twenty))).toBe(
      twenty.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':'),
    );
    const text = kmodHex(new Uint8Array(41).fill(0xff));
    expect(text.split(':\n\t\t').map((l) => l.split(':').length)).toEqual([20, 20, 1]);
  });

  test('any bytes: every byte as two digits, lines of 20 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const lines = kmodHex(bytes).split(':\n\t\t');
        const digits = Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0'));
        const expected: string[] = [];
        for (let i = 0; i < digits.length; i += 20) expected.push(digits.slice(i, i + 20).join(':'));
        expect(lines).toEqual(expected.length === 0 ? [''] : expected);
      }),
    );
  });
});

describe('formatInfo', () => {
  test('keys are padded to column 16; a key of 16 or more is followed by (length - 15) spaces', () => {
    const out = info([
      { key: 'license', value: 'GPL' },
      { key: 'a23456789012345', value: 'x' },
      { key: 'a234567890123456', value: 'y' },
      { key: 'a23456789012345678', value: 'z' },
    ]);
    expect(out.stdout).toBe(
      'license:        GPL\na23456789012345:x\na234567890123456: y\na23456789012345678:   z\n',
    );
  });

  test('parm and parmtype merge per name, newest name first, at the end', () => {
    const list = [
      { key: 'parmtype', value: 'a:int' },
      { key: 'parm', value: 'a:first' },
      { key: 'license', value: 'GPL' },
      { key: 'parm', value: 'b:only a description' },
      { key: 'parmtype', value: 'c:bool' },
      { key: 'parm', value: 'a:second' },
    ];
    expect(info(list).stdout).toBe(
      'license:        GPL\n' +
        'parm:           c:bool\n' +
        'parm:           b:only a description\n' +
        'parm:           a:second (int)\n',
    );
    expect(info(list, { field: 'parm', separator: '\n' }).stdout).toBe(
      'c: (bool)\nb:only a description\na:second (int)\n',
    );
  });

  test('a parm without a colon is reported and skipped', () => {
    const out = info([{ key: 'parm', value: 'nocolon' }]);
    expect(out).toEqual({
      stdout: '',
      stderr: 'modinfo: ERROR: Found invalid "parm=nocolon": missing \':\'\n',
    });
  });

  test('-0 prints key=value\\0 but keeps the padded parm lines', () => {
    const out = info(
      [
        { key: 'license', value: 'GPL' },
        { key: 'parm', value: 'a:x' },
      ],
      { field: undefined, separator: '\0' },
    );
    expect(out.stdout).toBe('license=GPL\0parm:           a:x\0');
  });

  test('-F prints every value of the key, nothing else', () => {
    const list = [
      { key: 'alias', value: 'a' },
      { key: 'license', value: 'GPL' },
      { key: 'alias', value: 'b' },
    ];
    expect(info(list, { field: 'alias', separator: '\n' }).stdout).toBe('a\nb\n');
    expect(info(list, { field: 'nothere', separator: '\n' }).stdout).toBe('');
  });
});

describe('formatHead', () => {
  test('a file: filename first; -F filename stops there', () => {
    expect(formatHead('m', '/x/m.ko', full)).toEqual({ text: 'filename:       /x/m.ko\n', done: false });
    expect(formatHead('m', '/x/m.ko', { field: 'filename', separator: '\0' })).toEqual({
      text: '/x/m.ko\0',
      done: true,
    });
    expect(formatHead('m', '/x/m.ko', { field: 'name', separator: '\n' })).toEqual({ text: '', done: false });
  });

  test('a built-in module: name, then filename (builtin)', () => {
    expect(formatHead('ext4', undefined, full).text).toBe(
      'name:           ext4\nfilename:       (builtin)\n',
    );
    expect(formatHead('ext4', undefined, { field: 'name', separator: '\n' }).text).toBe('ext4\n');
    expect(formatHead('ext4', undefined, { field: 'filename', separator: '\n' }).text).toBe('(builtin)\n');
  });
});

test('infoList appends the signature fields after .modinfo, in kmod order', () => {
  const list = infoList([{ key: 'name', value: 'm' }], {
    idType: 'PKCS#7',
    signer: 'key',
    keyId: Uint8Array.of(1, 2),
    hashAlgorithm: 'sha256',
    signature: Uint8Array.of(0xab),
  });
  expect(list).toEqual([
    { key: 'name', value: 'm' },
    { key: 'sig_id', value: 'PKCS#7' },
    { key: 'signer', value: 'key' },
    { key: 'sig_key', value: '01:02' },
    { key: 'sig_hashalgo', value: 'sha256' },
    { key: 'signature', value: 'AB' },
  ]);
});
