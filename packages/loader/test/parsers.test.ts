import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LoaderError } from '../src/index.js';
import { parseKallsyms, parseModuleSymvers, parseVermagic, sameMagic } from '../src/predict/index.js';
import { haveKernelInputs, KERNEL_SYMVERS, RELEASE } from './target-fixture.js';

describe('parseModuleSymvers', () => {
  test('the modpost write_dump format: CRC, module path, export type, namespace', () => {
    const map = parseModuleSymvers(
      '0x9060323f\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n' +
        '0x84b45156\tinsert_resource_expand_to_fit\tvmlinux\tEXPORT_SYMBOL_GPL\tCXL\n' +
        '0x0000abcd\tdrm_foo\tdrivers/gpu/drm/drm-kms\tEXPORT_SYMBOL\t\n',
    );
    expect([...map.values()]).toEqual([
      { name: 'module_layout', crc: 0x9060323f, module: 'vmlinux', namespace: '', gplOnly: false },
      {
        name: 'insert_resource_expand_to_fit',
        crc: 0x84b45156,
        module: 'vmlinux',
        namespace: 'CXL',
        gplOnly: true,
      },
      { name: 'drm_foo', crc: 0xabcd, module: 'drm_kms', namespace: '', gplOnly: false },
    ]);
  });

  test('the 5.4–5.9 order (namespace before the export type)', () => {
    expect(parseModuleSymvers('0x00000001\tx\tvmlinux\tNS\tEXPORT_SYMBOL_GPL\n').get('x')).toMatchObject({
      namespace: 'NS',
      gplOnly: true,
    });
  });

  test.each(['not a line', '0xZZ\tx\tvmlinux\tEXPORT_SYMBOL\t', '0x1\tx'])(
    '%j is a LoaderError with its line',
    (line) => {
      expect(() => parseModuleSymvers(`0x1\ta\tvmlinux\tEXPORT_SYMBOL\t\n${line}\n`)).toThrowError(
        expect.objectContaining({ code: 'ESYMVERSFORMAT', line: 2 }),
      );
    },
  );

  test('never throws anything but a LoaderError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseModuleSymvers(text);
        } catch (e) {
          expect(e).toBeInstanceOf(LoaderError);
        }
      }),
    );
  });

  test.skipIf(!haveKernelInputs)(`Debian's ${RELEASE} Module.symvers: every line`, () => {
    const text = readFileSync(KERNEL_SYMVERS, 'utf8');
    const map = parseModuleSymvers(text);
    expect(map.size).toBe(
      new Set(
        text
          .trim()
          .split('\n')
          .map((l) => l.split('\t')[1]),
      ).size,
    );
    expect(map.get('module_layout')).toEqual({
      name: 'module_layout',
      crc: 0x9060323f,
      module: 'vmlinux',
      namespace: '',
      gplOnly: false,
    });
    expect(map.get('param_ops_bool_enable_only')?.gplOnly).toBe(true);
    expect([...map.values()].filter((s) => s.namespace).length).toBeGreaterThan(100);
  });
});

describe('parseKallsyms', () => {
  const kallsyms = [
    'ffffffff81000000 T _text',
    'ffffffff82000000 R __start___ksymtab_gpl',
    'ffffffff81f00000 r __ksymtab_printk',
    'ffffffff82000010 r __ksymtab_gpl_thing',
    'ffffffff82100000 R __stop___ksymtab_gpl',
    'ffffffffc0a1b000 r __ksymtab_kmodkit_test_add\t[kmodkit_test]',
    'ffffffffc0a1b010 t helper\t[kmodkit_test]',
  ].join('\n');

  test('exports are the __ksymtab_ entries; GPL-only from the __ksymtab_gpl range of vmlinux', () => {
    expect([...parseKallsyms(kallsyms).values()]).toEqual([
      { name: 'printk', module: 'vmlinux', gplOnly: false },
      { name: 'gpl_thing', module: 'vmlinux', gplOnly: true },
      { name: 'kmodkit_test_add', module: 'kmodkit_test' },
    ]);
  });

  test('kptr_restrict zeros: GPL-ness unknown; absolute __crc_ (before 5.19) give CRCs', () => {
    const zeroed = kallsyms.replace(/^[0-9a-f]{16}/gm, '0000000000000000');
    expect(parseKallsyms(zeroed).get('gpl_thing')).toEqual({ name: 'gpl_thing', module: 'vmlinux' });
    expect(parseKallsyms(`${kallsyms}\n0000000092997ed8 A __crc_printk\n`).get('printk')?.crc).toBe(
      0x92997ed8,
    );
  });

  test('a line not in the format is a LoaderError with its line', () => {
    expect(() => parseKallsyms('ffffffff81000000 T _text\nThe real System.map is elsewhere\n')).toThrowError(
      expect.objectContaining({ code: 'EKALLSYMSFORMAT', line: 2 }),
    );
  });
});

describe('vermagic', () => {
  const kernel = '6.1.0-56-amd64 SMP preempt mod_unload modversions ';
  test('parseVermagic', () => {
    expect(parseVermagic(kernel)).toEqual({
      release: '6.1.0-56-amd64',
      flags: ['SMP', 'preempt', 'mod_unload', 'modversions'],
      modversions: true,
    });
  });
  test.each([
    ['6.1.0-99-amd64 SMP preempt mod_unload modversions ', true, true],
    ['6.1.0-99-amd64 SMP preempt mod_unload modversions ', false, false],
    ['6.1.0-56-amd64 SMP preempt mod_unload modversions', true, false],
    ['6.1.0-56-amd64 SMP mod_unload modversions ', true, false],
    [kernel, false, true],
  ])('same_magic(%j, kernel, has_crcs=%s) is %s', (module, crcs, same) => {
    expect(sameMagic(module, kernel, crcs)).toBe(same);
  });
  test('with CRCs, only what follows the first space matters (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[^ ]*$/), fc.stringMatching(/^[^ ]*$/), fc.string(), (a, b, rest) => {
        expect(sameMagic(`${a} ${rest}`, `${b} ${rest}`, true)).toBe(true);
        expect(sameMagic(`${a} ${rest}`, `${b} ${rest}`, false)).toBe(a === b);
      }),
    );
  });
});
