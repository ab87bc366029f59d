import { type Section, SectionFlag, SectionType, sectionFlagNames } from '@kmodkit/elf';

/** What a section holds, for the chart's colours and legend. */
export type SectionKind = 'code' | 'data' | 'rodata' | 'bss' | 'debug' | 'relocations' | 'symbols' | 'other';

export const KIND_LABELS: Record<SectionKind, string> = {
  code: 'code',
  rodata: 'read-only data',
  data: 'writable data',
  bss: 'zeroed (.bss, not in the file)',
  relocations: 'relocations',
  symbols: 'symbols and strings',
  debug: 'debug info',
  other: 'other metadata',
};

export function sectionKind(s: Section): SectionKind {
  if (s.type === SectionType.SHT_REL || s.type === SectionType.SHT_RELA) return 'relocations';
  if (s.type === SectionType.SHT_SYMTAB || s.type === SectionType.SHT_STRTAB) return 'symbols';
  if (s.name.startsWith('.debug_')) return 'debug';
  if (s.flags & SectionFlag.SHF_ALLOC) {
    if (s.type === SectionType.SHT_NOBITS) return 'bss';
    if (s.flags & SectionFlag.SHF_EXECINSTR) return 'code';
    return s.flags & SectionFlag.SHF_WRITE ? 'data' : 'rodata';
  }
  return 'other';
}

// readelf -S's key to flags.
const FLAG_LETTERS: Record<string, string> = {
  SHF_WRITE: 'W',
  SHF_ALLOC: 'A',
  SHF_EXECINSTR: 'X',
  SHF_MERGE: 'M',
  SHF_STRINGS: 'S',
  SHF_INFO_LINK: 'I',
  SHF_LINK_ORDER: 'L',
  SHF_OS_NONCONFORMING: 'O',
  SHF_GROUP: 'G',
  SHF_TLS: 'T',
  SHF_COMPRESSED: 'C',
  SHF_EXCLUDE: 'E',
};

/** Flags as readelf -S prints them ('WA', 'AX'), and their names for a tooltip. */
export function flagLetters(flags: number): { letters: string; names: string } {
  const names = sectionFlagNames(flags);
  return { letters: names.map((n) => FLAG_LETTERS[n] ?? 'x').join(''), names: names.join(' | ') };
}
