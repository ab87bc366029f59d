import type { ByteReader } from './byte-reader.js';
import { SectionType, sectionTypeName } from './constants.js';
import { ElfError } from './error.js';

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

  constructor(reader: ByteReader, machine: number, fields: Omit<Section, 'data' | 'typeName' | 'inBounds'>) {
    this.#reader = reader;
    this.#machine = machine;
    this.index = fields.index;
    this.name = fields.name;
    this.nameOffset = fields.nameOffset;
    this.type = fields.type;
    this.flags = fields.flags;
    this.addr = fields.addr;
    this.offset = fields.offset;
    this.size = fields.size;
    this.link = fields.link;
    this.info = fields.info;
    this.addralign = fields.addralign;
    this.entsize = fields.entsize;
    this.headerOffset = fields.headerOffset;
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
