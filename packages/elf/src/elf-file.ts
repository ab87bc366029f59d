import type { ByteReader } from './byte-reader.js';
import { cString } from './byte-reader.js';
import { machineName, SectionIndex, SectionType, SymbolType } from './constants.js';
import { ElfError } from './error.js';
import { type ElfHeader, readHeader } from './header.js';
import { type ClassLayout, layoutOf, shentsizeProblem } from './layout.js';
import { type Relocation, readRelocations } from './relocation.js';
import { Section } from './section.js';
import { StringTable } from './string-table.js';
import { SymbolTable } from './symbol.js';

// Stateless: a TextEncoder keeps nothing between calls.
const encoder = new TextEncoder();

/** The UTF-8 bytes of a section name looked up by name (each file caches its answers in `section`). */
function encodedName(name: string): Uint8Array {
  return encoder.encode(name);
}

/** Where a relocation points: a place in a section of this file, or an undefined (imported) symbol. */
export type RelocationTarget =
  | {
      readonly kind: 'section';
      readonly sectionIndex: number;
      readonly offset: number;
      readonly symbol: string;
    }
  | { readonly kind: 'undefined'; readonly name: string; readonly addend: number };

/**
 * A relocatable ELF image read lazily: the header on construction, the section headers on first
 * use of `sections`, the symbol table and relocations only when asked for.
 */
export class ElfFile {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly reader: ByteReader;
  readonly is64: boolean;
  /** sizeof(void *) on the target: 4 or 8. */
  readonly wordSize: 4 | 8;
  /** Where this class's header fields sit (Elf32_* or Elf64_*). */
  readonly layout: ClassLayout;
  #sections: Section[] | undefined;
  // The caches below are made on first use: a module read for its `.modinfo` alone needs none of them.
  #scanned: Map<string, Section | undefined> | undefined;
  #single: Map<number, Section> | undefined;
  #names: Section | undefined;
  #tableCache: { count: number; names: StringTable } | null | undefined;
  #symtab: SymbolTable | null | undefined;
  #relocs: Map<number, Relocation[]> | undefined;
  #relocsAt: Map<number, Map<number, Relocation>> | undefined;

  constructor(bytes: Uint8Array) {
    const { header, reader } = readHeader(bytes);
    this.bytes = bytes;
    this.header = header;
    this.reader = reader;
    this.is64 = header.class === 'ELF64';
    this.layout = layoutOf(this.is64);
    this.wordSize = this.layout.word;
  }

  get machineName(): string {
    return machineName(this.header.machine);
  }

  /** Size of one section header on this class. */
  get shdrSize(): number {
    return this.layout.shdr.size;
  }

  /**
   * Section header count and name-table index, with extended numbering resolved: e_shnum 0 means
   * the count is in section 0's sh_size, e_shstrndx SHN_XINDEX means the index is in its sh_link.
   */
  #numbering(): { count: number; shstrndx: number } {
    const h = this.header;
    let count = h.shnum;
    let shstrndx = h.shstrndx;
    if (h.shoff === 0) return { count: 0, shstrndx: 0 };
    if (count === 0 || shstrndx === SectionIndex.SHN_XINDEX) {
      this.#checkTable(1);
      const shdr = this.layout.shdr;
      if (count === 0) count = this.reader.word(h.shoff + shdr.sh_size, this.wordSize);
      if (shstrndx === SectionIndex.SHN_XINDEX) shstrndx = this.reader.u32(h.shoff + shdr.sh_link);
    }
    return { count, shstrndx };
  }

  #checkTable(count: number): void {
    const h = this.header;
    const bad = shentsizeProblem(h.shentsize, this.layout);
    if (bad) throw bad;
    const end = h.shoff + count * this.shdrSize;
    if (!(h.shoff > 0 && end <= this.bytes.length)) {
      throw new ElfError(
        'SECTION_HEADERS_OUT_OF_BOUNDS',
        `the section header table (${count} entries at offset ${h.shoff}) runs past the ${this.bytes.length}-byte image`,
        { offset: this.layout.ehdr.e_shoff },
      );
    }
  }

  /**
   * The checked section header table: count, name-table index, and the name table's bytes. Shared
   * by `sections` and the header scan of `section(name)`, so both fail the same way.
   */
  #table(): { count: number; names: StringTable } | undefined {
    if (this.#tableCache !== undefined) return this.#tableCache ?? undefined;
    const { count, shstrndx } = this.#numbering();
    if (count === 0) {
      this.#tableCache = null;
      return undefined;
    }
    this.#checkTable(count);
    if (shstrndx === SectionIndex.SHN_UNDEF || shstrndx >= count) {
      throw new ElfError(
        'BAD_SHSTRNDX',
        `the section name table index ${shstrndx} is not a section (there are ${count})`,
        { offset: this.layout.ehdr.e_shstrndx },
      );
    }
    const strSection = this.#sectionAt(shstrndx, '');
    const names = strSection.data;
    // kmod's kmod_elf_new and the kernel's elf_validity_cache_secstrings refuse a section-name
    // table that is empty or does not end in NUL: so every name in it is terminated, and reading
    // one by bytes (section(name)) or decoded (sections) gives the same answer.
    if (names.length === 0 || names[names.length - 1] !== 0) {
      const empty = names.length === 0;
      throw new ElfError(
        empty ? 'EMPTY_SHSTRTAB' : 'SHSTRTAB_NOT_TERMINATED',
        empty ? 'the section name table is empty' : 'the section name table does not end with a NUL byte',
        { offset: empty ? strSection.headerOffset : strSection.offset + names.length - 1 },
      );
    }
    this.#tableCache = { count, names: new StringTable(names, strSection.headerOffset) };
    this.#names = strSection;
    return this.#tableCache;
  }

  #sectionAt(index: number, name: string): Section {
    const h = this.header;
    return new Section(this.reader, h.machine, this.layout, index, this.#headerAt(index), name);
  }

  /** File offset of section header `index`: headers are sizeof(Elf_Shdr) apart (e_shentsize is checked equal). */
  #headerAt(index: number): number {
    return this.header.shoff + index * this.shdrSize;
  }

  /** Every section header, index 0 included. */
  get sections(): readonly Section[] {
    if (this.#sections) return this.#sections;
    const table = this.#table();
    if (!table) {
      this.#sections = [];
      return this.#sections;
    }
    const out: Section[] = new Array(table.count);
    for (let i = 0; i < table.count; i++) out[i] = this.#single?.get(i) ?? this.#build(i, table.names);
    this.#sections = out;
    return out;
  }

  /** Section `index` (in range) with its name: the one place a section's name is decoded. */
  #build(index: number, names: StringTable): Section {
    const nameOffset = this.reader.u32(this.#headerAt(index) + this.layout.shdr.sh_name);
    const name = index === 0 && nameOffset === 0 ? '' : names.get(nameOffset, `name of section ${index}`);
    return this.#sectionAt(index, name);
  }

  /**
   * The first section called `name`, if any: the header table is scanned comparing name bytes (as
   * kmod's kmod_elf_get_section does), whether or not `sections` was built, and only the match is
   * built. So the answer never depends on what was read before.
   */
  section(name: string): Section | undefined {
    this.#scanned ??= new Map();
    const scanned = this.#scanned;
    if (scanned.has(name)) return scanned.get(name);
    const found = this.#scan(name);
    scanned.set(name, found);
    return found;
  }

  #scan(name: string): Section | undefined {
    const want = encodedName(name);
    return this.#find((_type, _link, _info, nameAt) => this.#nameMatches(nameAt, want, true), true)[0];
  }

  /** Sections whose name starts with `prefix`, in index order (`__ksymtab` → `__ksymtab`, `__ksymtab_gpl` …). */
  sectionsWithPrefix(prefix: string): Section[] {
    const want = encodedName(prefix);
    return this.#find((_type, _link, _info, nameAt) => this.#nameMatches(nameAt, want, false));
  }

  /** True if the section name at `nameAt` of the name table is `want` (or starts with it). */
  #nameMatches(nameAt: number, want: Uint8Array, exact: boolean): boolean {
    return this.#table()!.names.matches(nameAt, want, !exact);
  }

  /**
   * The sections whose header fields match, found by reading the raw headers: the other sections
   * are not built and their names not decoded (most callers want two or three of fifty).
   */
  #find(
    match: (type: number, link: number, info: number, nameAt: number) => boolean,
    first = false,
  ): Section[] {
    const out: Section[] = [];
    if (this.#sections) {
      for (const s of this.#sections) {
        if (match(s.type, s.link, s.info, s.nameOffset)) {
          out.push(s);
          if (first) break;
        }
      }
      return out;
    }
    const table = this.#table();
    if (!table) return out;
    const r = this.reader;
    const shdr = this.layout.shdr;
    for (let i = 0; i < table.count; i++) {
      const o = this.#headerAt(i);
      if (
        match(
          r.u32(o + shdr.sh_type),
          r.u32(o + shdr.sh_link),
          r.u32(o + shdr.sh_info),
          r.u32(o + shdr.sh_name),
        )
      ) {
        out.push(this.sectionAt(i));
        if (first) break;
      }
    }
    return out;
  }

  /**
   * Section `index`; throws BAD_SECTION_INDEX if there is none, at byte `at` when the index was
   * read from the image there. Reads only that header (and its name) unless `sections` was built.
   */
  sectionAt(index: number, what = 'section index', at?: number): Section {
    if (this.#sections) {
      const s = this.#sections[index];
      if (s) return s;
    } else {
      const cached = this.#single?.get(index);
      if (cached) return cached;
      const table = this.#table();
      if (table && Number.isInteger(index) && index >= 0 && index < table.count) {
        const s = this.#build(index, table.names);
        this.#single ??= new Map();
        this.#single.set(index, s);
        return s;
      }
    }
    const message = `${what} ${index} is not a section (there are ${this.#count()})`;
    throw new ElfError('BAD_SECTION_INDEX', message, at === undefined ? {} : { offset: at });
  }

  #count(): number {
    return this.#sections?.length ?? this.#table()?.count ?? 0;
  }

  /**
   * The section-name string table (e_shstrndx, extended numbering resolved), checked to lie inside
   * the image; undefined for a file without section headers. Builds no other Section.
   */
  get sectionNameTable(): Section | undefined {
    this.#table();
    return this.#names;
  }

  /** The symbol table (the first SHT_SYMTAB section), or null for a module without one. */
  get symbols(): SymbolTable | null {
    if (this.#symtab !== undefined) return this.#symtab;
    const [sym] = this.#find((type) => type === SectionType.SHT_SYMTAB, true);
    if (!sym) {
      this.#symtab = null;
      return null;
    }
    const strSec = this.sectionAt(
      sym.link,
      `string table (sh_link) of symbol table ${sym.index}`,
      sym.headerOffset + this.layout.shdr.sh_link,
    );
    const strings = new StringTable(strSec.data, strSec.headerOffset);
    const [xsec] = this.#find(
      (type, link) => type === SectionType.SHT_SYMTAB_SHNDX && link === sym.index,
      true,
    );
    this.#symtab = new SymbolTable(this.reader, this.is64, sym, strings, xsec?.data);
    return this.#symtab;
  }

  /** The entries of relocation section `rel` (SHT_REL or SHT_RELA), in stored order. */
  relocations(rel: Section): Relocation[] {
    if (rel.type !== SectionType.SHT_REL && rel.type !== SectionType.SHT_RELA) {
      throw new ElfError(
        'NOT_RELOCATIONS',
        `section ${rel.index} (${rel.name}) is ${rel.typeName}, not SHT_REL/SHT_RELA`,
        {
          offset: rel.headerOffset,
        },
      );
    }
    const target = this.sectionAt(
      rel.info,
      `target (sh_info) of relocation section ${rel.index}`,
      rel.headerOffset + this.layout.shdr.sh_info,
    );
    return readRelocations(this.reader, this.is64, this.header.machine, rel, target);
  }

  /** The relocations that patch section `index` (from every SHT_REL/SHT_RELA section aimed at it). */
  relocationsFor(index: number): readonly Relocation[] {
    this.#relocs ??= new Map();
    const relocs = this.#relocs;
    let out = relocs.get(index);
    if (out) return out;
    out = [];
    const isRel = (type: number, info: number) =>
      (type === SectionType.SHT_REL || type === SectionType.SHT_RELA) && info === index;
    for (const s of this.#find((type, _link, info) => isRel(type, info))) {
      for (const rel of this.relocations(s)) out.push(rel);
    }
    relocs.set(index, out);
    return out;
  }

  /** The relocation of section `index` at byte `offset` of it, if any. */
  relocationAt(index: number, offset: number): Relocation | undefined {
    this.#relocsAt ??= new Map();
    const relocsAt = this.#relocsAt;
    let map = relocsAt.get(index);
    if (!map) {
      map = new Map();
      for (const rel of this.relocationsFor(index)) if (!map.has(rel.offset)) map.set(rel.offset, rel);
      relocsAt.set(index, map);
    }
    return map.get(offset);
  }

  /**
   * What a relocation points at: symbol + addend. For a defined symbol (a section symbol or a named
   * one) that is a place in a section; for an undefined one, the imported symbol's name.
   */
  relocationTarget(rel: Relocation): RelocationTarget {
    const symtab = this.symbols;
    if (!symtab) throw new ElfError('NO_SYMBOL_TABLE', 'relocations need a symbol table and there is none');
    const sym = symtab.get(rel.symbolIndex);
    if (sym.sectionIndex === SectionIndex.SHN_UNDEF) {
      return { kind: 'undefined', name: sym.name, addend: rel.addend };
    }
    const name = sym.type === SymbolType.STT_SECTION ? this.sectionAt(sym.sectionIndex).name : sym.name;
    return { kind: 'section', sectionIndex: sym.sectionIndex, offset: sym.value + rel.addend, symbol: name };
  }

  /** The NUL-terminated string at `offset` of section `index`; throws if the place is outside it. */
  stringAt(index: number, offset: number, what = 'string'): string {
    const data = this.sectionAt(index).data;
    if (!(offset >= 0 && offset < data.length)) {
      throw new ElfError('BAD_STRING_OFFSET', `${what} at offset ${offset} is outside section ${index}`, {
        offset: this.sectionAt(index).headerOffset,
      });
    }
    return cString(data, offset);
  }
}
