import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readModule, SectionType, SymbolType, sectionIndexName } from '../src/index.js';
import { readelfRelocations, readelfSections, readelfSymbols } from './readelf.js';

/** readelf's short names: 'SHT_PROGBITS' → 'PROGBITS', 'STT_FUNC' → 'FUNC', 'SHN_UNDEF' → 'UND'. */
const short = (name: string) =>
  name
    .replace(/^(SHT|STT|STB|STV|SHN)_/, '')
    .replace(/^UNDEF$/, 'UND')
    .replace(/^COMMON$/, 'COM');

/** readelf prints control characters as ^A … ^_ (binutils readelf.c print_symbol). */
const caretNotation = (name: string) =>
  name.replace(/[\x00-\x1f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 64)}`);

/** Asserts that our sections, symbols and relocations of `file` are what binutils' readelf reads. */
export function expectSameAsReadelf(file: string): void {
  const mod = readModule(new Uint8Array(readFileSync(file)));
  const elf = mod.elf;

  const sections = mod.sections.map((s) => ({
    index: s.index,
    name: s.name,
    type: short(s.typeName),
    offset: s.offset,
    size: s.size,
    link: s.link,
    info: s.info,
  }));
  expect(sections, `${file}: sections`).toEqual(readelfSections(file));

  const symtab = elf.symbols!;
  const symbols = readelfSymbols(file);
  expect(symtab.count, `${file}: symbol count`).toBe(symbols.length);
  for (const t of symbols) {
    const s = symtab.get(t.index);
    expect(
      {
        index: s.index,
        value: s.value,
        size: s.size,
        type: short(s.typeName),
        bind: short(s.bindName),
        visibility: short(s.visibilityName),
        ndx: short(sectionIndexName(s.sectionIndex)),
        // readelf names a section symbol after its section
        name: s.type === SymbolType.STT_SECTION ? t.name : caretNotation(s.name),
      },
      `${file}: symbol ${t.index}`,
    ).toEqual(t);
  }

  const relocations = readelfRelocations(file);
  for (const sec of mod.sections) {
    if (sec.type !== SectionType.SHT_REL && sec.type !== SectionType.SHT_RELA) continue;
    const theirs = relocations.filter((r) => r.section === sec.name);
    const ours = elf.relocations(sec);
    expect(ours.length, `${file}: ${sec.name} entries`).toBe(theirs.length);
    ours.forEach((r, i) => {
      const t = theirs[i]!;
      const where = `${file}: ${sec.name}[${i}]`;
      expect(r.offset, `${where} offset`).toBe(t.offset);
      if (t.type.startsWith('unrecognized')) {
        // An older binutils than the kernel (Debian 12's readelf and LoongArch's newer types): the number.
        expect(r.type, `${where} type`).toBe(Number(t.info & (elf.is64 ? 0xffffffffn : 0xffn)));
      } else if (!r.typeName.startsWith('0x')) {
        expect(r.typeName, `${where} type`).toBe(t.type);
      }
      if (sec.type === SectionType.SHT_RELA && t.addend !== undefined)
        expect(r.addend, `${where} addend`).toBe(t.addend);
    });
  }
}
