import { describe, expect, test } from 'vitest';
import { formatHead, formatInfo, type ModinfoOutput, type ModinfoStyle } from './modinfo-format.js';

// Expected strings are kmod 30's output (tools/modinfo.c, libkmod-module.c); the conformance test
// checks the same rules against the real modinfo on real modules.
const full: ModinfoStyle = { field: undefined, separator: '\n' };

function info(list: { key: string; value: string }[], style = full): ModinfoOutput {
  const out = { stdout: '', stderr: '' };
  formatInfo(list, style, out);
  return out;
}

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
