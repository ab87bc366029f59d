import { cString } from './byte-reader.js';
import { ElfError } from './error.js';

/** A string table section (`SHT_STRTAB`): NUL-terminated strings addressed by byte offset. */
export class StringTable {
  readonly bytes: Uint8Array;
  /** File offset of the table, for error messages. */
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
}
