/**
 * The one decompression entry point of @kmodkit/elf: modules installed as `.ko.gz`, `.ko.xz` or
 * `.ko.zst` (kernel `scripts/Makefile.modinst`, kmod `libkmod-file.c`) are recognised by their
 * magic, never by their name, and decompressed synchronously in any JavaScript runtime.
 *
 * Exports (for readModule and the CLI):
 *   detectCompression(bytes: Uint8Array): Compression            // 'none' | 'gzip' | 'xz' | 'zstd'
 *   decompress(bytes: Uint8Array, options?: DecompressOptions): Uint8Array
 *   interface DecompressOptions { maxSize?: number }             // default MAX_DECOMPRESSED_SIZE
 *   MAX_DECOMPRESSED_SIZE = 256 MiB
 * Every failure is an ElfError, errno ENOEXEC, with one of the codes DECOMPRESS_CORRUPT,
 * DECOMPRESS_TRUNCATED, DECOMPRESS_UNSUPPORTED, DECOMPRESS_CHECK, DECOMPRESS_TOO_LARGE.
 */
import { gunzipSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import { ByteReader } from './byte-reader.js';
import { ElfError } from './error.js';
import type { Compression } from './module.js';
import { crc32, decompressXz, XZ_MAGIC } from './xz.js';

/**
 * The largest output `decompress` produces unless told otherwise. The biggest module in Debian 12's
 * 6.1 kernel (amdgpu.ko) is about 15 MiB; a limit far above that still stops a small file that
 * claims gigabytes from exhausting memory.
 */
export const MAX_DECOMPRESSED_SIZE = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse (DECOMPRESS_TOO_LARGE) output larger than this many bytes. Default 256 MiB. */
  maxSize?: number;
}

/** gzip member magic and method deflate (RFC 1952 2.3.1). */
const GZIP_MAGIC = Uint8Array.of(0x1f, 0x8b);
/** Zstandard frame magic 0xFD2FB528, little-endian (RFC 8878 3.1.1). */
const ZSTD_MAGIC = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd);

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/**
 * The compression of a module file, from its first bytes (as kmod's `libkmod-file.c` does with its
 * `magic` table). Anything else, an ELF image included, is 'none'.
 */
export function detectCompression(bytes: Uint8Array): Compression {
  if (startsWith(bytes, XZ_MAGIC)) return 'xz';
  if (startsWith(bytes, ZSTD_MAGIC)) return 'zstd';
  if (startsWith(bytes, GZIP_MAGIC)) return 'gzip';
  return 'none';
}

/**
 * Decompresses a `.ko.gz`, `.ko.xz` or `.ko.zst` file to the ELF image; returns other input as it
 * is (the same view, not a copy). Synchronous, browser-safe.
 */
export function decompress(bytes: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  const maxSize = options.maxSize ?? MAX_DECOMPRESSED_SIZE;
  switch (detectCompression(bytes)) {
    case 'none':
      return bytes;
    case 'xz':
      return decompressXz(bytes, maxSize);
    case 'zstd':
      return decompressZstd(bytes, maxSize);
    case 'gzip':
      return decompressGzip(bytes, maxSize);
  }
}

function fail(kind: string, code: string, message: string, offset?: number, cause?: unknown): never {
  throw new ElfError(code, `${kind}: ${message}`, { ...(offset === undefined ? {} : { offset }), cause });
}

function tooLarge(kind: string, size: number | string, maxSize: number): never {
  return fail(
    kind,
    'DECOMPRESS_TOO_LARGE',
    `output would be ${size} bytes, more than the limit of ${maxSize}`,
    0,
  );
}

/**
 * gzip through fflate, which neither checks the member's CRC32 nor its ISIZE: both are checked
 * here (RFC 1952 2.3.1), and ISIZE sizes the output buffer, so the limit applies before allocating.
 * Only a single member is supported (the kernel writes one; a second member fails the CRC check).
 */
function decompressGzip(bytes: Uint8Array, maxSize: number): Uint8Array {
  if (bytes.length < 18) fail('gzip', 'DECOMPRESS_TRUNCATED', 'shorter than a gzip header and trailer', 0);
  const r = new ByteReader(bytes, true);
  const trailer = bytes.length - 8;
  const size = r.u32(trailer + 4);
  if (size > maxSize) tooLarge('gzip', size, maxSize);
  let out: Uint8Array;
  try {
    // One spare byte: fflate silently drops what does not fit, so output that fills it means the
    // data holds more than ISIZE says (which the CRC alone would miss for a crafted empty trailer).
    out = gunzipSync(bytes, { out: new Uint8Array(size + 1) });
  } catch (e) {
    return fail('gzip', 'DECOMPRESS_CORRUPT', (e as Error).message, undefined, e);
  }
  if (out.length !== size) {
    fail(
      'gzip',
      'DECOMPRESS_CORRUPT',
      `decompressed to ${out.length} bytes, the trailer says ${size}`,
      trailer + 4,
    );
  }
  if (crc32(out) !== r.u32(trailer)) fail('gzip', 'DECOMPRESS_CHECK', 'CRC32 mismatch', trailer);
  return out;
}

/** Zstandard block types (RFC 8878 3.1.1.2.2). */
const ZSTD_BLOCK_RAW = 0;
const ZSTD_BLOCK_RLE = 1;
const ZSTD_BLOCK_RESERVED = 3;
/** Block_Maximum_Size (RFC 8878 3.1.1.2.3): no block decodes to more. */
const ZSTD_BLOCK_MAX = 128 * 1024;

/**
 * Walks the frames and block headers (cheap: no decoding) to find an upper bound of the output, so
 * that fzstd — which allocates the frame content size, or the window size when that is missing —
 * is never asked for more than `maxSize`. Returns the exact size when every frame declares it.
 */
function zstdOutputBound(b: Uint8Array, maxSize: number): { bound: number; exact: boolean } {
  const r = new ByteReader(b, true);
  let pos = 0;
  let bound = 0;
  let exact = true;
  const need = (n: number, what: string) => {
    if (pos + n > b.length) fail('zstd', 'DECOMPRESS_TRUNCATED', `truncated ${what}`, pos);
  };
  while (pos < b.length) {
    need(4, 'frame magic');
    const magic = r.u32(pos);
    if (magic >>> 4 === 0x184d2a5) {
      // Skippable frame (3.1.2): magic, 4-byte size, user data.
      need(8, 'skippable frame');
      const size = r.u32(pos + 4);
      pos += 8;
      need(size, 'skippable frame');
      pos += size;
      continue;
    }
    if (magic !== 0xfd2fb528) fail('zstd', 'DECOMPRESS_CORRUPT', 'not a zstd frame', pos);
    pos += 4;
    need(1, 'frame header');
    const descriptor = b[pos++]!;
    const fcsFlag = descriptor >>> 6;
    const singleSegment = (descriptor >>> 5) & 1;
    if (descriptor & 0x08) fail('zstd', 'DECOMPRESS_CORRUPT', 'reserved frame header bit set', pos - 1);
    const hasChecksum = (descriptor >>> 2) & 1;
    const dictIdSize = [0, 1, 2, 4][descriptor & 3]!;
    let windowSize = 0;
    if (!singleSegment) {
      need(1, 'window descriptor');
      const wd = b[pos++]!;
      const windowBase = 2 ** (10 + (wd >>> 3));
      windowSize = windowBase + (windowBase / 8) * (wd & 7);
    }
    need(dictIdSize, 'dictionary id');
    if (dictIdSize && b.subarray(pos, pos + dictIdSize).some((x) => x !== 0)) {
      fail('zstd', 'DECOMPRESS_UNSUPPORTED', 'frames that need a dictionary are not supported', pos);
    }
    pos += dictIdSize;
    const fcsSize = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    need(fcsSize, 'frame content size');
    let contentSize = -1;
    if (fcsSize > 0) {
      contentSize = 0;
      for (let i = fcsSize - 1; i >= 0; i--) contentSize = contentSize * 256 + b[pos + i]!;
      if (fcsSize === 2) contentSize += 256;
      if (singleSegment) windowSize = contentSize;
    }
    pos += fcsSize;
    let frameBound = 0;
    for (;;) {
      need(3, 'block header');
      const header = b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16);
      const type = (header >>> 1) & 3;
      const size = header >>> 3;
      if (type === ZSTD_BLOCK_RESERVED) fail('zstd', 'DECOMPRESS_CORRUPT', 'reserved block type', pos);
      pos += 3;
      const stored = type === ZSTD_BLOCK_RLE ? 1 : size;
      need(stored, 'block');
      pos += stored;
      frameBound +=
        type === ZSTD_BLOCK_RAW || type === ZSTD_BLOCK_RLE ? size : Math.min(windowSize, ZSTD_BLOCK_MAX);
      if (header & 1) break;
    }
    if (hasChecksum) {
      need(4, 'content checksum');
      pos += 4;
    }
    if (contentSize >= 0) {
      bound += contentSize;
    } else {
      exact = false;
      bound += frameBound;
      // fzstd allocates a whole window for a frame of unknown size.
      if (windowSize > maxSize) tooLarge('zstd', `a ${windowSize}-byte window`, maxSize);
    }
    if (bound > maxSize) tooLarge('zstd', exact ? bound : `up to ${bound}`, maxSize);
  }
  return { bound, exact };
}

/**
 * Zstandard through fzstd, after {@link zstdOutputBound}. fzstd does not verify the optional
 * XXH64 content checksum; a declared content size is checked here.
 */
function decompressZstd(bytes: Uint8Array, maxSize: number): Uint8Array {
  const { bound, exact } = zstdOutputBound(bytes, maxSize);
  let out: Uint8Array;
  try {
    out = zstdDecompress(bytes);
  } catch (e) {
    return fail('zstd', 'DECOMPRESS_CORRUPT', (e as Error).message, undefined, e);
  }
  if (exact ? out.length !== bound : out.length > bound) {
    fail('zstd', 'DECOMPRESS_CORRUPT', `decompressed to ${out.length} bytes, the frames declare ${bound}`);
  }
  return out;
}
