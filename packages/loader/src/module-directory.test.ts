import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { aliasNormalize, ModuleDirectory, modnameNormalize, pathToModname } from './module-directory.js';

describe('names as kmod normalises them (shared/util.c)', () => {
  test.each([
    ['ext4', 'ext4'],
    ['snd-hda-intel', 'snd_hda_intel'],
    ['kmodkit_test-signed.ko.xz', 'kmodkit_test_signed'],
  ])('modnameNormalize(%s) = %s', (given, name) => expect(modnameNormalize(given)).toBe(name));

  test('pathToModname takes the basename', () => {
    expect(pathToModname('/lib/modules/6.1/kernel/fs/fat/vfat.ko')).toBe('vfat');
    expect(pathToModname('dir/')).toBeUndefined();
  });

  test.each([
    ['fs-vfat', 'fs_vfat'],
    ['pci:v0000[0-9]d*', 'pci:v0000[0-9]d*'],
    ['a-[x-y]-b', 'a_[x-y]_b'],
    ['bad]', undefined],
    ['bad[', undefined],
  ])('aliasNormalize(%s) = %s', (given, alias) => expect(aliasNormalize(given)).toBe(alias));
});

describe('ModuleDirectory over depmod text files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-moddir-'));
  writeFileSync(
    join(dir, 'modules.dep'),
    'kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko\nkernel/fs/fat/fat.ko:\n/abs/snd-dummy.ko.xz:\n',
  );
  writeFileSync(
    join(dir, 'modules.alias'),
    '# Aliases extracted from modules themselves.\nalias fs-vfat vfat\nalias pci:v00008086d*sv*sd*bc*sc*i* fat\n',
  );
  writeFileSync(join(dir, 'modules.symbols'), 'alias symbol:fat_attach fat\n');
  writeFileSync(join(dir, 'modules.builtin'), 'kernel/arch/x86/events/amd/amd-uncore.ko\n');
  writeFileSync(
    join(dir, 'modules.builtin.modinfo'),
    'amd_uncore.license=GPL v2\0amd_uncore.alias=cpu-amd-uncore*\0amd_uncore.description=AMD Uncore Driver\0other.license=GPL\0',
  );
  const md = new ModuleDirectory(dir);

  test('names resolve through modules.dep, relative to the directory or absolute', () => {
    expect(md.lookupName('vfat')).toEqual({
      kind: 'file',
      name: 'vfat',
      path: `${dir}/kernel/fs/fat/vfat.ko`,
    });
    expect(md.lookupName('snd-dummy')).toEqual({
      kind: 'file',
      name: 'snd_dummy',
      path: '/abs/snd-dummy.ko.xz',
    });
    expect(md.lookupName('amd-uncore')).toEqual({ kind: 'builtin', name: 'amd_uncore' });
    expect(md.lookupName('nothere')).toBeUndefined();
  });

  test('aliases: modules.dep first, then symbols, modules.alias, built-ins', () => {
    expect(md.lookup('fs-vfat')).toEqual([
      { kind: 'file', name: 'vfat', path: `${dir}/kernel/fs/fat/vfat.ko` },
    ]);
    expect(md.lookup('symbol:fat_attach')?.map((l) => l.name)).toEqual(['fat']);
    expect(md.lookup('pci:v00008086d000010D3sv*sd*bc*sc*i*')?.map((l) => l.name)).toEqual(['fat']);
    expect(md.lookup('cpu-amd-uncore-x')).toEqual([{ kind: 'builtin', name: 'amd_uncore' }]);
    expect(md.lookup('nothere')).toEqual([]);
    expect(md.lookup('bad]')).toBeUndefined();
  });

  test('built-in modinfo strings lose their module prefix', () => {
    expect(md.builtinModinfo('amd_uncore')).toEqual([
      'license=GPL v2',
      'alias=cpu-amd-uncore*',
      'description=AMD Uncore Driver',
    ]);
    expect(md.builtinModinfo('nothere')).toBe('ENOSYS');
    expect(new ModuleDirectory(join(dir, 'missing')).builtinModinfo('x')).toBe('ENOENT');
  });
});
