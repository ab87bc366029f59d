// JavaScript strings reach the kernel as UTF-8; every rule in this package works on those bytes.
const encoder = new TextEncoder();
// Not fatal: bytes the kernel cut out of a multibyte character decode to U+FFFD, as a terminal shows them.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode `bytes[start, end)`. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decoder.decode(bytes.subarray(start, end));
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A lone surrogate: TextEncoder writes it as U+FFFD, so the text does not decode back to itself.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Strings for byte ranges of UTF-8 `bytes`. When the bytes are known to be exactly `source` encoded,
 * a range on character boundaries is a slice of `source` (no decoding); a range that cuts a character
 * (the kernel splits at byte 0xa0, which is also a continuation byte) is decoded on its own.
 */
export class Utf8Slicer {
  readonly #bytes: Uint8Array;
  readonly #source: string | null;
  readonly #ascii: boolean;
  // A cursor from byte offsets to UTF-16 offsets in `source`; ranges are asked for in increasing order.
  #bytePos = 0;
  #index = 0;

  /** `source`: the text `bytes` encode, if known; for bytes alone, pass null and it is decoded if valid. */
  constructor(bytes: Uint8Array, end: number, source: string | null) {
    this.#bytes = bytes;
    if (source !== null) {
      this.#ascii = source.length === bytes.length;
      this.#source = this.#ascii || !LONE_SURROGATE.test(source) ? source : null;
    } else {
      let decoded: string | null = null;
      try {
        decoded = strictDecoder.decode(bytes.subarray(0, end));
      } catch {
        // invalid UTF-8: every range is decoded on its own
      }
      this.#ascii = decoded !== null && decoded.length === end;
      this.#source = decoded;
    }
  }

  /** The text of `bytes[start, end)`. */
  text(start: number, end: number): string {
    const source = this.#source;
    if (source === null) return utf8Decode(this.#bytes, start, end);
    if (this.#ascii) return source.slice(start, end);
    if (!this.#isBoundary(start) || !this.#isBoundary(end)) return utf8Decode(this.#bytes, start, end);
    return source.slice(this.#indexOf(start), this.#indexOf(end));
  }

  #isBoundary(pos: number): boolean {
    return pos >= this.#bytes.length || (this.#bytes[pos]! & 0xc0) !== 0x80;
  }

  #indexOf(pos: number): number {
    if (pos < this.#bytePos) {
      this.#bytePos = 0;
      this.#index = 0;
    }
    const bytes = this.#bytes;
    let index = this.#index;
    for (let p = this.#bytePos; p < pos; p++) {
      const b = bytes[p]!;
      // One UTF-16 unit per lead byte, two for a four-byte sequence (a surrogate pair).
      if ((b & 0xc0) !== 0x80) index += b >= 0xf0 ? 2 : 1;
    }
    this.#bytePos = pos;
    this.#index = index;
    return index;
  }
}

/** The UTF-8 byte length of `text`, without encoding it (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length += 2; // four bytes for two UTF-16 units
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}

/** `text` up to its first NUL: what a C string holding it ends at. */
export function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}
