import type { ByteReader } from './byte-reader.js';
import { SectionType, sectionTypeName } from './constants.js';
import { ElfError } from './error.js';
import type { ClassLayout } from './layout.js';

/** One section header (`Elf32_Shdr`/`Elf64_Shdr`) with a lazy view of its bytes. */
export class Section {
  readonly index: number;
  readonly name: string;
  /** sh_name: offset of the name in the section-name string table. */
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** File offset of this section's header, for error messages. */
  readonly headerOffset: number;
  readonly #reader: ByteReader;
  readonly #machine: number;
  #data: Uint8Array | undefined;

  /**
   * Reads the section header at `headerOffset` (Elf_Shdr: name, type u32; flags, addr, offset, size
   * word; link, info u32; addralign, entsize word, at the offsets of `layout`). The caller has
   * bounds-checked the header table.
   */
  constructor(
    reader: ByteReader,
    machine: number,
    layout: ClassLayout,
    index: number,
    headerOffset: number,
    name: string,
  ) {
    const r = reader;
    const o = headerOffset;
    const w = layout.word;
    const shdr = layout.shdr;
    this.#reader = reader;
    this.#machine = machine;
    this.index = index;
    this.name = name;
    this.headerOffset = o;
    this.nameOffset = r.u32(o + shdr.sh_name);
    this.type = r.u32(o + shdr.sh_type);
    this.flags = r.word(o + shdr.sh_flags, w);
    this.addr = r.word(o + shdr.sh_addr, w);
    this.offset = r.word(o + shdr.sh_offset, w);
    this.size = r.word(o + shdr.sh_size, w);
    this.link = r.u32(o + shdr.sh_link);
    this.info = r.u32(o + shdr.sh_info);
    this.addralign = r.word(o + shdr.sh_addralign, w);
    this.entsize = r.word(o + shdr.sh_entsize, w);
  }

  /** `SHT_PROGBITS`, `SHT_RELA` … */
  get typeName(): string {
    return sectionTypeName(this.type, this.#machine);
  }

  /** True if the section's bytes lie inside the image (always true for SHT_NOBITS/SHT_NULL). */
  get inBounds(): boolean {
    if (this.type === SectionType.SHT_NOBITS || this.type === SectionType.SHT_NULL) return true;
    return this.offset >= 0 && this.size >= 0 && this.offset + this.size <= this.#reader.length;
  }

  /**
   * The section's bytes: a view into the image, not a copy. Empty for SHT_NOBITS. Throws
   * SECTION_OUT_OF_BOUNDS if sh_offset + sh_size runs past the image (kernel/module/main.c:
   * validate_section_offset).
   */
  get data(): Uint8Array {
    if (this.#data) return this.#data;
    if (this.type === SectionType.SHT_NOBITS || this.type === SectionType.SHT_NULL) {
      this.#data = this.#reader.bytes.subarray(0, 0);
    } else if (!this.inBounds) {
      throw new ElfError(
        'SECTION_OUT_OF_BOUNDS',
        `section ${this.index} (${this.name || 'unnamed'}) at offset ${this.offset} with size ${this.size} runs past the ${this.#reader.length}-byte image`,
        { offset: this.headerOffset },
      );
    } else {
      this.#data = this.#reader.bytes.subarray(this.offset, this.offset + this.size);
    }
    return this.#data;
  }
}
