import { ElfError } from './error.js';

const TWO_32 = 2 ** 32;

/**
 * The one endian-aware cursor of @kmodkit/elf: fixed-width reads at absolute offsets of a byte
 * view, endianness set once. Every read is bounds-checked and fails with an `ElfError`
 * (`OUT_OF_BOUNDS`) naming the offset — never a `RangeError` from `DataView`.
 *
 * 64-bit values come back as `number` from `u64n`/`i64n` (exact up to 2^53, which every offset and
 * size of a real module is) and as `bigint` from `u64` where every bit matters (CRCs).
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly length: number;
  readonly littleEndian: boolean;
  readonly #view: DataView;

  constructor(bytes: Uint8Array, littleEndian: boolean) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.littleEndian = littleEndian;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws OUT_OF_BOUNDS unless `[offset, offset + size)` lies inside the bytes. */
  check(offset: number, size: number, what = 'read'): void {
    if (!(offset >= 0 && size >= 0 && offset + size <= this.length)) {
      throw new ElfError(
        'OUT_OF_BOUNDS',
        `${what} of ${size} bytes at ${offset} is outside the ${this.length}-byte image`,
        // An offset that is no number (a u64 past 2^53 read as Infinity) is reported at the image's end.
        { offset: Number.isFinite(offset) ? offset : this.length },
      );
    }
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.bytes[offset]!;
  }

  i8(offset: number): number {
    this.check(offset, 1);
    return this.#view.getInt8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.#view.getUint16(offset, this.littleEndian);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.#view.getUint32(offset, this.littleEndian);
  }

  i32(offset: number): number {
    this.check(offset, 4);
    return this.#view.getInt32(offset, this.littleEndian);
  }

  u64(offset: number): bigint {
    this.check(offset, 8);
    return this.#view.getBigUint64(offset, this.littleEndian);
  }

  /** Unsigned 64-bit as a number (exact below 2^53). */
  u64n(offset: number): number {
    this.check(offset, 8);
    const a = this.#view.getUint32(offset, this.littleEndian);
    const b = this.#view.getUint32(offset + 4, this.littleEndian);
    return this.littleEndian ? b * TWO_32 + a : a * TWO_32 + b;
  }

  /** Signed 64-bit as a number (exact within ±2^53). */
  i64n(offset: number): number {
    this.check(offset, 8);
    const lo = this.#view.getUint32(offset + (this.littleEndian ? 0 : 4), this.littleEndian);
    const hi = this.#view.getInt32(offset + (this.littleEndian ? 4 : 0), this.littleEndian);
    return hi * TWO_32 + lo;
  }

  /** An unsigned word of `size` bytes (4 or 8) as a number: ELF32 vs ELF64 fields. */
  word(offset: number, size: 4 | 8): number {
    return size === 8 ? this.u64n(offset) : this.u32(offset);
  }

  /** A signed word of `size` bytes (4 or 8) as a number. */
  sword(offset: number, size: 4 | 8): number {
    return size === 8 ? this.i64n(offset) : this.i32(offset);
  }

  /** A view of `[offset, offset + size)`, bounds-checked; no copy. */
  view(offset: number, size: number, what?: string): Uint8Array {
    this.check(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}

const decoder = new TextDecoder('utf-8');

/** Decodes bytes as UTF-8 (invalid sequences become U+FFFD; ModinfoEntry.raw keeps the bytes). */
export function decodeString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * The NUL-terminated string starting at `offset` of `bytes`; a string running into the end of
 * `bytes` without a NUL ends there (callers that need the NUL check it themselves).
 */
export function cString(bytes: Uint8Array, offset: number): string {
  let end = bytes.indexOf(0, offset);
  if (end < 0) end = bytes.length;
  return decodeString(bytes.subarray(offset, end));
}
