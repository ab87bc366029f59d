import { describe, expect, test } from 'vitest';
import {
  builtinModuleArgs,
  cmdlineModuleOptions,
  type DeclaredParam,
  KERNEL_PARAM_FL_HWPARAM,
  KERNEL_PARAM_FL_UNSAFE,
  validateArgs,
} from '../src/index.js';

const declared: DeclaredParam[] = [
  { name: 'debug_level', type: 'int' },
  { name: 'verbose', type: 'bool' },
  { name: 'ids', type: 'array:ushort:2' },
  { name: 'label', type: 'charp' },
];

describe('validateArgs', () => {
  test('typed values, dashes equal underscores', () => {
    const result = validateArgs('debug-level=0x10 verbose ids=1,2 label="a b"', declared);
    expect(result).toMatchObject({ ok: true, errno: null, issues: [], rest: null });
    expect([...result.values]).toEqual([
      ['debug_level', 16],
      ['verbose', true],
      ['ids', [1, 2]],
      ['label', 'a b'],
    ]);
  });

  test('unknown parameters only warn; the loader handles dyndbg and async_probe itself', () => {
    const result = validateArgs('nosuch=1 dyndbg=+p foo.dyndbg async_probe verbose=n', declared);
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      {
        kind: 'unknown',
        index: 0,
        name: 'nosuch',
        value: '1',
        message: "unknown parameter 'nosuch' ignored",
      },
    ]);
    expect(result.values.get('verbose')).toBe(false);
  });

  test('a repeated parameter: the last accepted value wins, and it is reported', () => {
    const result = validateArgs('label=a debug_level=1 label=b', declared);
    expect(result.values.get('label')).toBe('b');
    expect(result.issues).toMatchObject([{ kind: 'repeated', index: 2, name: 'label', value: 'b' }]);
  });

  test('bad values fail the load with the errno of the last bad argument', () => {
    const result = validateArgs(
      [
        { name: 'debug_level', value: '99999999999' },
        { name: 'ids', value: '1,2,3' },
        { name: 'verbose', value: 'y' },
      ],
      declared,
    );
    expect(result.ok).toBe(false);
    expect(result.errno).toBe('EINVAL');
    expect(result.issues.map((i) => [i.kind, i.errno])).toEqual([
      ['invalid', 'ERANGE'],
      ['invalid', 'EINVAL'],
    ]);
    expect(result.issues[0]!.message).toBe('debug_level: "99999999999" is out of range for int');
    expect(result.values.get('verbose')).toBe(true);
  });

  test('bool_enable_only cannot be cleared once set', () => {
    const flag = [{ name: 'once', type: 'bool_enable_only' }];
    expect(validateArgs('once=0 once once=1', flag)).toMatchObject({ ok: true, errno: null });
    const result = validateArgs('once once=n', flag);
    expect(result).toMatchObject({ ok: false, errno: 'EROFS' });
    expect(result.issues).toMatchObject([{ kind: 'repeated' }, { kind: 'invalid', errno: 'EROFS' }]);
    expect(result.values.get('once')).toBe(true);
  });

  test('bool_enable_only whose default is true: clearing it is EROFS, setting it again is fine', () => {
    const flag = [{ name: 'once', type: 'bool_enable_only', initial: true }];
    expect(validateArgs('once=y once', flag)).toMatchObject({ ok: true });
    expect(validateArgs('once=n', flag)).toMatchObject({ ok: false, errno: 'EROFS' });
    expect(validateArgs('once=n', [{ name: 'once', type: 'bool_enable_only', initial: false }]).ok).toBe(
      true,
    );
  });

  test('unsafe parameters taint when set; hardware parameters are EPERM under lockdown (param_check_unsafe)', () => {
    const params = [
      { name: 'danger', type: 'int', flags: KERNEL_PARAM_FL_UNSAFE },
      { name: 'io', type: 'int', flags: KERNEL_PARAM_FL_HWPARAM },
    ];
    const open = validateArgs('danger=1 io=0x300', params);
    expect(open.ok).toBe(true);
    expect(open.issues).toMatchObject([
      { kind: 'unsafe', name: 'danger', message: 'Setting dangerous option danger - tainting kernel' },
    ]);
    const locked = validateArgs('io=0x300 danger=x', params, { lockdown: true });
    expect(locked.issues.map((i) => [i.kind, i.name, i.errno])).toEqual([
      ['invalid', 'io', 'EPERM'],
      ['unsafe', 'danger', undefined],
      ['invalid', 'danger', 'EINVAL'],
    ]);
    expect(locked.errno).toBe('EINVAL');
    // parse_one refuses a missing value before it looks at the flags: no taint, no EPERM.
    expect(
      validateArgs('danger io', params, { lockdown: true }).issues.map((i) => [i.kind, i.errno]),
    ).toEqual([
      ['invalid', 'EINVAL'],
      ['invalid', 'EINVAL'],
    ]);
  });

  test('what follows -- is returned, not validated', () => {
    expect(validateArgs('verbose -- x=1', declared)).toMatchObject({ ok: true, rest: 'x=1', issues: [] });
  });

  test('module-defined ops cannot be checked and say so; @kmodkit/elf shapes are understood', () => {
    const result = validateArgs('x=1 s=abcdefgh a=1,2,3', [
      { name: 'x', type: 'custom' },
      { name: 's', type: 'string', maxLength: 8 },
      { name: 'a', type: 'array', elementType: 'int', maxLength: 2 },
    ]);
    expect(result.issues.map((i) => [i.kind, i.name, i.errno])).toEqual([
      ['unchecked', 'x', undefined],
      ['invalid', 's', 'ENOSPC'],
      ['invalid', 'a', 'EINVAL'],
    ]);
  });
});

describe('kernel command line', () => {
  const cmdline =
    'BOOT_IMAGE=/vmlinuz root=/dev/sda1 snd-hda-intel.model=auto snd_hda_intel.enable=1,0 "usbcore.quirks=a b" i915.x -- snd_hda_intel.after=1';

  test('builtinModuleArgs: the kernel parse_args view, dashes equal underscores, stops at --', () => {
    expect(builtinModuleArgs(cmdline, 'snd_hda_intel')).toEqual([
      { name: 'model', value: 'auto' },
      { name: 'enable', value: '1,0' },
    ]);
    expect(builtinModuleArgs(cmdline, 'usbcore')).toEqual([{ name: 'quirks', value: 'a b' }]);
  });

  test('cmdlineModuleOptions: kmod re-quotes what a bootloader quoted whole', () => {
    expect(cmdlineModuleOptions(cmdline).options).toEqual([
      { module: 'snd_hda_intel', options: 'model=auto' },
      { module: 'snd_hda_intel', options: 'enable=1,0' },
      { module: 'usbcore', options: 'quirks="a b"' },
      { module: 'i915', options: 'x' },
      { module: 'snd_hda_intel', options: 'after=1' },
    ]);
  });
});

describe('validateArgs longBits', () => {
  test('a 32-bit module refuses a long beyond int32 with ERANGE', () => {
    const declared = [{ name: 'timeout', type: 'long' }];
    expect(validateArgs('timeout=2147483648', declared, { longBits: 32 }).errno).toBe('ERANGE');
    expect(validateArgs('timeout=2147483647', declared, { longBits: 32 }).ok).toBe(true);
    expect(validateArgs('timeout=2147483648', declared).ok).toBe(true);
  });
});
