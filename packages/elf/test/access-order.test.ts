import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isElfError, type KernelModule, readModule } from '../src/index.js';
import { fixture } from './fixtures.js';
import { layout } from './fuzz/layout.js';
import { mutate } from './fuzz/mutate.js';

/**
 * One answer whatever the order of access (issue 11 §2): every property of a (mutated) module is
 * read in several orders, each on a fresh reader, and the answers — values or ElfError code and
 * offset — must be identical. Lazy caches (the header scan of `section(name)`, single section
 * headers, the section list) must never change what a later property sees.
 */
const READERS: Record<string, (m: KernelModule) => unknown> = {
  sections: (m) => m.sections.map((s) => [s.index, s.name, s.type, s.offset, s.size]),
  'section(.modinfo)': (m) => m.section('.modinfo')?.index,
  'section(__versions)': (m) => m.section('__versions')?.index,
  'section(.gnu.linkonce.this_module)': (m) => m.section('.gnu.linkonce.this_module')?.index,
  'sectionsWithPrefix(__ksymtab)': (m) => m.elf.sectionsWithPrefix('__ksymtab').map((s) => s.index),
  sectionNameTable: (m) => m.elf.sectionNameTable?.index,
  'sectionAt(1)': (m) => m.elf.sectionAt(1).name,
  modinfo: (m) => m.modinfo.map((e) => [e.key, e.value]),
  name: (m) => m.name,
  vermagic: (m) => m.vermagic,
  aliases: (m) => m.aliases,
  versions: (m) => m.versions,
  imports: (m) => m.imports,
  exports: (m) => m.exports,
  params: (m) => m.params,
  thisModule: (m) => m.thisModule,
  signature: (m) => m.signature?.signer,
  contentLength: (m) => m.contentLength,
  symbols: (m) => m.elf.symbols?.all().map((s) => s.name),
  validate: (m) => m.validate().map((e) => [e.code, e.offset]),
};
const NAMES = Object.keys(READERS);

function answer(f: () => unknown): string {
  try {
    return JSON.stringify(f(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (e) {
    if (isElfError(e)) return `ElfError ${e.code}@${e.offset}`;
    throw e;
  }
}

/** Every property's answer, read in `order` on a fresh reader (or readModule's own ElfError). */
function readAll(bytes: Uint8Array, order: readonly string[]): Record<string, string> {
  let mod: KernelModule;
  try {
    mod = readModule(bytes);
  } catch (e) {
    if (isElfError(e)) return { readModule: e.code };
    throw e;
  }
  const out: Record<string, string> = {};
  for (const name of order) out[name] = answer(() => READERS[name]!(mod));
  return out;
}

const BASES = ['kmodkit_test.ko', 'kmodkit_dep.ko', 'kmodkit_test-signed.ko', 'kmodkit_test-stripped.ko'].map(
  (n) => layout(n, fixture(n)),
);

/** The orders tried for every case: as declared, reversed, and `validate()` first or last. */
function orders(shuffled: readonly string[]): string[][] {
  const rest = NAMES.filter((n) => n !== 'validate');
  return [NAMES, [...NAMES].reverse(), ['validate', ...rest], [...rest, 'validate'], [...shuffled]];
}

describe('every property gives one answer whatever the order of access', () => {
  test('on the fixtures as they are', () => {
    for (const base of BASES) {
      const [first, ...others] = orders(NAMES).map((o) => readAll(base.bytes, o));
      for (const other of others) expect(other).toEqual(first);
    }
  });

  test('a section name at the very end of the name table without its NUL', () => {
    // The case: `section(name)` before and after `sections` must agree, so `versions`,
    // `imports`, `modinfo` and `params` must not depend on whether validate() ran first.
    const base = BASES[0]!;
    const bytes = base.bytes.slice();
    const mod = readModule(base.bytes);
    const names = mod.elf.sectionNameTable!;
    const versions = mod.section('__versions')!;
    const dv = new DataView(bytes.buffer);
    // Move "__versions" to the end of the table, dropping its NUL, and point sh_name at it.
    const at = names.offset + names.size - '__versions'.length;
    bytes.set(new TextEncoder().encode('__versions'), at);
    dv.setUint32(versions.headerOffset, at - names.offset, true);
    const [first, ...others] = orders(NAMES).map((o) => readAll(bytes, o));
    for (const other of others) expect(other).toEqual(first);
    // The kernel and kmod refuse such a table: every property that needs a name says so.
    expect(first!.versions).toMatch(/^ElfError SHSTRTAB_NOT_TERMINATED@/);
    expect(first!.validate).toContain('SHSTRTAB_NOT_TERMINATED');
  });

  test('on mutated fixtures (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BASES.length - 1 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.shuffledSubarray(NAMES, { minLength: NAMES.length }),
        (b, seed, shuffled) => {
          const { bytes } = mutate(BASES[b]!, seed);
          const [first, ...others] = orders(shuffled).map((o) => readAll(bytes, o));
          for (const other of others) expect(other).toEqual(first);
        },
      ),
      { numRuns: 300 },
    );
  });
});
