import { ByteReader } from './byte-reader.js';
import {
  SectionIndex,
  SymbolType,
  symbolBindName,
  symbolTypeName,
  symbolVisibilityName,
} from './constants.js';
import { ElfError } from './error.js';
import type { Section } from './section.js';
import type { StringTable } from './string-table.js';

/** One symbol (`Elf32_Sym`/`Elf64_Sym`). */
export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  /** st_value: in a relocatable module, the offset inside section `sectionIndex`. */
  readonly value: number;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  /** STV_* */
  readonly visibility: number;
  /** st_shndx as stored (SHN_XINDEX when the real index is in SHT_SYMTAB_SHNDX). */
  readonly shndx: number;
  /** The section index, with SHN_XINDEX resolved through SHT_SYMTAB_SHNDX. */
  readonly sectionIndex: number;
  readonly typeName: string;
  readonly bindName: string;
  readonly visibilityName: string;
}

/**
 * A symbol table section read lazily: the entry count is known up front, each symbol is decoded
 * (and its name looked up) the first time it is asked for.
 */
export class SymbolTable {
  readonly section: Section;
  readonly count: number;
  readonly entrySize: number;
  readonly #r: ByteReader;
  readonly #is64: boolean;
  readonly #base: number;
  readonly #strings: StringTable;
  /** A reader over the table's own bytes (offsets relative to the table). */
  readonly #table: ByteReader;
  readonly #xindexReader: ByteReader | undefined;
  readonly #cache = new Map<number, ElfSymbol>();
  #byName: Map<string, number> | undefined;

  constructor(
    reader: ByteReader,
    is64: boolean,
    section: Section,
    strings: StringTable,
    xindex: Uint8Array | undefined,
  ) {
    this.#r = reader;
    this.#is64 = is64;
    this.section = section;
    this.entrySize = is64 ? 24 : 16;
    // Bounds-checked once: a symtab past the image is one error, not one per symbol.
    const data = section.data;
    this.#table = new ByteReader(data, reader.littleEndian);
    this.#xindexReader = xindex && new ByteReader(xindex, reader.littleEndian);
    this.#base = section.offset;
    this.count = Math.floor(data.length / this.entrySize);
    this.#strings = strings;
  }

  #at(i: number): number {
    if (!(i >= 0 && i < this.count && Number.isInteger(i))) {
      throw new ElfError(
        'BAD_SYMBOL_INDEX',
        `symbol index ${i} is outside the ${this.count}-entry symbol table`,
        {
          offset: this.section.headerOffset,
        },
      );
    }
    return i * this.entrySize;
  }

  /** st_shndx of symbol `i` with SHN_XINDEX resolved, without decoding the rest. */
  sectionIndexOf(i: number): number {
    const shndx = this.#table.u16(this.#at(i) + (this.#is64 ? 6 : 14));
    if (shndx !== SectionIndex.SHN_XINDEX) return shndx;
    const x = this.#xindexReader;
    if (!x || i * 4 + 4 > x.length) {
      throw new ElfError(
        'BAD_XINDEX',
        `symbol ${i} uses SHN_XINDEX but there is no SHT_SYMTAB_SHNDX entry for it`,
        {
          offset: this.#base + this.#at(i),
        },
      );
    }
    return x.u32(i * 4);
  }

  /** st_info of symbol `i` (bind << 4 | type). */
  infoOf(i: number): number {
    return this.#table.u8(this.#at(i) + (this.#is64 ? 4 : 12));
  }

  /** The name of symbol `i`, without decoding the rest. */
  nameOf(i: number): string {
    const cached = this.#cache.get(i);
    if (cached) return cached.name;
    return this.#strings.get(this.#table.u32(this.#at(i)), `name of symbol ${i}`);
  }

  /** Symbol `i`, decoded on first use. */
  get(i: number): ElfSymbol {
    const cached = this.#cache.get(i);
    if (cached) return cached;
    const o = this.#base + this.#at(i);
    const r = this.#r;
    const info = r.u8(o + (this.#is64 ? 4 : 12));
    const other = r.u8(o + (this.#is64 ? 5 : 13));
    const type = info & 0xf;
    const bind = info >> 4;
    const visibility = other & 0x3;
    const sym: ElfSymbol = {
      index: i,
      name: this.nameOf(i),
      value: this.#is64 ? r.u64n(o + 8) : r.u32(o + 4),
      size: this.#is64 ? r.u64n(o + 16) : r.u32(o + 8),
      type,
      bind,
      visibility,
      shndx: r.u16(o + (this.#is64 ? 6 : 14)),
      sectionIndex: this.sectionIndexOf(i),
      typeName: symbolTypeName(type),
      bindName: symbolBindName(bind),
      visibilityName: symbolVisibilityName(visibility),
    };
    this.#cache.set(i, sym);
    return sym;
  }

  /** Every symbol, index 0 (the null symbol) included. */
  all(): ElfSymbol[] {
    const out: ElfSymbol[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i);
    return out;
  }

  /** The first symbol called `name` (STT_SECTION and STT_FILE symbols excluded), if any. */
  find(name: string): ElfSymbol | undefined {
    if (!this.#byName) {
      const map = new Map<string, number>();
      for (let i = 1; i < this.count; i++) {
        const t = this.infoOf(i) & 0xf;
        if (t === SymbolType.STT_SECTION || t === SymbolType.STT_FILE) continue;
        const n = this.nameOf(i);
        if (n && !map.has(n)) map.set(n, i);
      }
      this.#byName = map;
    }
    const i = this.#byName.get(name);
    return i === undefined ? undefined : this.get(i);
  }
}
