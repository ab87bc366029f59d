/**
 * Extended modversions (CONFIG_EXTENDED_MODVERSIONS, Linux 6.15+): `__version_ext_crcs` and
 * `__version_ext_names`, added to the fixture with objcopy from its own `__versions`, and the two
 * ways the kernel's elf_validity_cache_index_versions refuses them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ElfError, readModule } from '../src/index.js';
import { FIXTURES } from './fixtures.js';
import { haveTool } from './tools.js';

const HAVE_OBJCOPY = haveTool('objcopy');

const dir = mkdtempSync(join(tmpdir(), 'kmodkit-versions-'));
const source = join(FIXTURES, 'kmodkit_test.ko');
const basic = readModule(new Uint8Array(readFileSync(source))).versions;

/** The fixture with the given sections added (file contents), and `__versions` kept or renamed away. */
function withSections(sections: Record<string, Uint8Array>, keepBasic = true): Uint8Array {
  const out = join(dir, `m${Math.random().toString(36).slice(2)}.ko`);
  const args: string[] = [];
  for (const [name, bytes] of Object.entries(sections)) {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, bytes);
    args.push('--add-section', `${name}=${file}`);
  }
  if (!keepBasic) args.push('--rename-section', '__versions=.kmodkit_was_versions');
  execFileSync('objcopy', [...args, source, out]);
  return new Uint8Array(readFileSync(out));
}

const crcsOf = (versions: readonly { crc: bigint }[]) => {
  const b = Buffer.alloc(4 * versions.length);
  for (const [i, v] of versions.entries()) b.writeUInt32LE(Number(v.crc), 4 * i);
  return b;
};
const namesOf = (versions: readonly { name: string }[]) =>
  Buffer.from(versions.map((v) => `${v.name}\0`).join(''));

describe.skipIf(!HAVE_OBJCOPY)('extended modversions', () => {
  test('the fixture has __versions to start from', () => {
    expect(basic.length).toBeGreaterThan(5);
  });

  test('read from __version_ext_crcs/__version_ext_names, which the kernel prefers to __versions', () => {
    // Different CRCs in the extended tables, to see which one is read.
    const ext = basic.map((v, i) => ({ name: v.name, crc: BigInt(i + 1) }));
    const both = readModule(
      withSections({ __version_ext_crcs: crcsOf(ext), __version_ext_names: namesOf(ext) }),
    );
    expect(both.versions).toEqual(ext);
    const alone = readModule(
      withSections({ __version_ext_crcs: crcsOf(basic), __version_ext_names: namesOf(basic) }, false),
    );
    expect(alone.elf.section('__versions')).toBeUndefined();
    expect(alone.versions).toEqual(basic);
    expect(alone.imports.map((i) => i.crc)).toEqual(
      readModule(new Uint8Array(readFileSync(source))).imports.map((i) => i.crc),
    );
    expect(alone.validate()).toEqual([]);
  });

  test.each([
    ['crcs without names', { __version_ext_crcs: crcsOf(basic) }, 'presence does not match'],
    ['names without crcs', { __version_ext_names: namesOf(basic) }, 'presence does not match'],
    [
      'more crcs than names',
      { __version_ext_crcs: crcsOf([...basic, { crc: 1n }]), __version_ext_names: namesOf(basic) },
      'more extended version crcs than names',
    ],
  ])('%s: ENOEXEC, as the kernel refuses it', (_what, sections, message) => {
    const mod = readModule(withSections(sections));
    let error: unknown;
    try {
      void mod.versions;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ElfError);
    expect((error as ElfError).code).toBe('BAD_VERSIONS');
    expect((error as ElfError).errno).toBe('ENOEXEC');
    expect((error as ElfError).message).toContain(message);
    expect(mod.validate().map((e) => e.code)).toContain('BAD_VERSIONS');
  });

  test('more names than crcs is accepted: the crcs are counted', () => {
    const mod = readModule(
      withSections({ __version_ext_crcs: crcsOf(basic.slice(1)), __version_ext_names: namesOf(basic) }),
    );
    expect(mod.versions).toEqual(basic.slice(1).map((v, i) => ({ name: basic[i]!.name, crc: v.crc })));
  });
});
