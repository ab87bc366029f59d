import { cString } from './byte-reader.js';
import { ElfError } from './error.js';

/** A string table section (`SHT_STRTAB`): NUL-terminated strings addressed by byte offset. */
export class StringTable {
  readonly bytes: Uint8Array;
  /** File offset of the table's section header, for error messages. */
  readonly fileOffset: number;

  constructor(bytes: Uint8Array, fileOffset: number) {
    this.bytes = bytes;
    this.fileOffset = fileOffset;
  }

  /** The string at `offset`; throws BAD_STRING_OFFSET past the end of the table. */
  get(offset: number, what = 'string'): string {
    if (!(offset >= 0 && offset < this.bytes.length)) {
      throw new ElfError(
        'BAD_STRING_OFFSET',
        `${what} offset ${offset} is outside its ${this.bytes.length}-byte string table`,
        { offset: this.fileOffset },
      );
    }
    return cString(this.bytes, offset);
  }

  /**
   * Whether the string at `offset` is `want` (with `prefix`: starts with it), compared as bytes
   * without decoding — the same answer as `get(offset) === name` for any offset inside the table.
   */
  matches(offset: number, want: Uint8Array, prefix = false): boolean {
    const b = this.bytes;
    if (!(offset >= 0 && offset + want.length <= b.length)) return false;
    for (let k = 0; k < want.length; k++) if (b[offset + k] !== want[k]) return false;
    // The end of the table ends a string as a NUL does (cString); the section-name table is
    // checked to end in one (ElfFile), as the kernel and kmod require.
    return prefix || offset + want.length === b.length || b[offset + want.length] === 0;
  }
}
