/**
 * gzip (RFC 1952) through fflate's inflate, with what fflate leaves out: the member's CRC32 and
 * ISIZE are checked, and the output is bounded while inflating. fflate's one-shot inflate keeps
 * decoding past the end of a full output buffer (dropping the bytes), so a small member with a
 * lying ISIZE could cost time in proportion to what it would expand to (deflate reaches 1032:1);
 * here the deflate data is fed in small pieces and decoding stops as soon as it passes ISIZE.
 */
import { Inflate } from 'fflate';
import { crc32 } from './crc32.js';
import { decompressError, tooLarge } from './decompress-error.js';

/** gzip member magic (RFC 1952 2.3.1). */
export const GZIP_MAGIC = Uint8Array.of(0x1f, 0x8b);

/** Header flags (RFC 1952 2.3.1). */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FLAGS_RESERVED = 0xe0;
/** Input per inflate step: at most 1032 times this much output is decoded past ISIZE (smaller steps cost fflate copies). */
const STEP = 64 * 1024;

/** Where the deflate data of the member starts: after the header and its optional fields. */
function headerEnd(bytes: Uint8Array, end: number): number {
  const truncated = (at: number) => decompressError('gzip', 'DECOMPRESS_TRUNCATED', 'truncated header', at);
  if (bytes[2] !== 8) {
    throw decompressError('gzip', 'DECOMPRESS_UNSUPPORTED', `compression method ${bytes[2]}, not deflate`, 2);
  }
  const flags = bytes[3]!;
  if (flags & FLAGS_RESERVED) {
    throw decompressError(
      'gzip',
      'DECOMPRESS_UNSUPPORTED',
      `reserved header flags 0x${flags.toString(16)}`,
      3,
    );
  }
  let pos = 10;
  if (flags & FEXTRA) {
    if (pos + 2 > end) throw truncated(pos);
    pos += 2 + (bytes[pos]! | (bytes[pos + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (pos < end && bytes[pos] !== 0) pos++;
    pos++;
  }
  if (flags & FHCRC) pos += 2;
  if (pos > end) throw truncated(end);
  return pos;
}

/**
 * Decodes a single gzip member (the kernel writes one; a second member fails the size check).
 * The output buffer starts small and doubles up to ISIZE, so memory follows what is decoded.
 */
export function decompressGzip(bytes: Uint8Array, maxSize: number, verify: boolean): Uint8Array {
  if (bytes.length < 18) {
    throw decompressError('gzip', 'DECOMPRESS_TRUNCATED', 'shorter than a gzip header and trailer', 0);
  }
  const trailer = bytes.length - 8;
  const le32 = (at: number) =>
    (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  const size = le32(trailer + 4);
  if (size > maxSize) throw tooLarge('gzip', size, maxSize, trailer + 4);
  const start = headerEnd(bytes, trailer);
  let out = new Uint8Array(Math.min(size, Math.max(1 << 16, 4 * bytes.length)));
  let length = 0;
  const more = (at: number) =>
    decompressError(
      'gzip',
      'DECOMPRESS_CORRUPT',
      `decompresses to more than the trailer's ${size} bytes`,
      at,
    );
  let step = start;
  const inflate = new Inflate((chunk) => {
    if (length + chunk.length > size) throw more(step);
    if (length + chunk.length > out.length) {
      const grown = new Uint8Array(Math.min(size, Math.max(length + chunk.length, 2 * out.length)));
      grown.set(out.subarray(0, length));
      out = grown;
    }
    out.set(chunk, length);
    length += chunk.length;
  });
  try {
    for (; step < trailer; step += STEP) {
      const next = Math.min(step + STEP, trailer);
      inflate.push(bytes.subarray(step, next), next === trailer);
    }
    if (start === trailer) inflate.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof Error && e.name === 'ElfError') throw e;
    throw decompressError('gzip', 'DECOMPRESS_CORRUPT', (e as Error).message, step, e);
  }
  if (length !== size) {
    const message = `decompressed to ${length} bytes, the trailer says ${size}`;
    throw decompressError('gzip', 'DECOMPRESS_CORRUPT', message, trailer + 4);
  }
  const result = out.length === length ? out : out.subarray(0, length);
  if (verify && crc32(result) !== le32(trailer)) {
    throw decompressError('gzip', 'DECOMPRESS_CHECK', 'CRC32 mismatch', trailer);
  }
  return result;
}
