/**
 * The one decompression entry point of @kmodkit/elf: modules installed as `.ko.gz`, `.ko.xz` or
 * `.ko.zst` (kernel `scripts/Makefile.modinst`, kmod `libkmod-file.c`) are recognised by their
 * magic, never by their name, and decompressed synchronously in any JavaScript runtime.
 *
 * Exports (for readModule and the CLI):
 *   detectCompression(bytes: Uint8Array): Compression            // 'none' | 'gzip' | 'xz' | 'zstd'
 *   decompress(bytes: Uint8Array, options?: DecompressOptions): Uint8Array
 *   interface DecompressOptions { maxSize?: number; verifyChecksums?: boolean }  // 256 MiB, true
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
  /**
   * Verify the data checksums: gzip's CRC32, each xz block's check, zstd's XXH64 content checksum
   * (as kmod's libraries and the kernel do). Default true. Turning it off saves about 0.9 CPU-s per
   * 379 MiB of zstd output (XXH64 in 32-bit arithmetic costs a third as much as fzstd's decoding)
   * and 4% of xz's time; sizes and structure are still checked.
   */
  verifyChecksums?: boolean;
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
  const verify = options.verifyChecksums ?? true;
  switch (detectCompression(bytes)) {
    case 'none':
      return bytes;
    case 'xz':
      return decompressXz(bytes, maxSize, verify);
    case 'zstd':
      return decompressZstd(bytes, maxSize, verify);
    case 'gzip':
      return decompressGzip(bytes, maxSize, verify);
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
function decompressGzip(bytes: Uint8Array, maxSize: number, verify: boolean): Uint8Array {
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
  if (verify && crc32(out) !== r.u32(trailer)) fail('gzip', 'DECOMPRESS_CHECK', 'CRC32 mismatch', trailer);
  return out;
}

/** Zstandard block types (RFC 8878 3.1.1.2.2). */
const ZSTD_BLOCK_RAW = 0;
const ZSTD_BLOCK_RLE = 1;
const ZSTD_BLOCK_RESERVED = 3;
/** Block_Maximum_Size (RFC 8878 3.1.1.2.3): no block decodes to more. */
const ZSTD_BLOCK_MAX = 128 * 1024;

/** One Zstandard frame as {@link zstdFrames} finds it: where it is, and what it declares. */
interface ZstdFrame {
  start: number;
  end: number;
  /** Frame_Content_Size, or -1 when the frame does not declare it. */
  contentSize: number;
  /** Where the 4-byte content checksum (low 32 bits of XXH64) is, or -1. */
  checksumAt: number;
}

/**
 * Walks the frames and block headers (cheap: no decoding) to find each frame and an upper bound of
 * the output, so that fzstd — which allocates the frame content size, or the window size when that
 * is missing — is never asked for more than `maxSize`. Skippable frames are left out.
 */
function zstdFrames(b: Uint8Array, maxSize: number): ZstdFrame[] {
  const r = new ByteReader(b, true);
  const frames: ZstdFrame[] = [];
  let pos = 0;
  let bound = 0;
  const need = (n: number, what: string) => {
    if (pos + n > b.length) fail('zstd', 'DECOMPRESS_TRUNCATED', `truncated ${what}`, pos);
  };
  while (pos < b.length) {
    need(4, 'frame magic');
    const start = pos;
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
    let checksumAt = -1;
    if (hasChecksum) {
      need(4, 'content checksum');
      checksumAt = pos;
      pos += 4;
    }
    if (contentSize >= 0) {
      bound += contentSize;
    } else {
      bound += frameBound;
      // fzstd allocates a whole window for a frame of unknown size.
      if (windowSize > maxSize) tooLarge('zstd', `a ${windowSize}-byte window`, maxSize);
    }
    if (bound > maxSize) tooLarge('zstd', contentSize >= 0 ? bound : `up to ${bound}`, maxSize);
    frames.push({ start, end: pos, contentSize, checksumAt });
  }
  return frames;
}

/**
 * Zstandard through fzstd, one frame at a time after {@link zstdFrames}: fzstd checks neither the
 * declared content size nor the content checksum, so both are checked here (RFC 8878 3.1.1).
 */
function decompressZstd(bytes: Uint8Array, maxSize: number, verify: boolean): Uint8Array {
  const frames = zstdFrames(bytes, maxSize);
  const r = new ByteReader(bytes, true);
  const parts = frames.map((frame) => {
    let out: Uint8Array;
    try {
      out = zstdDecompress(bytes.subarray(frame.start, frame.end));
    } catch (e) {
      return fail('zstd', 'DECOMPRESS_CORRUPT', (e as Error).message, frame.start, e);
    }
    if (frame.contentSize >= 0 && out.length !== frame.contentSize) {
      fail(
        'zstd',
        'DECOMPRESS_CORRUPT',
        `frame decoded to ${out.length} bytes, not ${frame.contentSize}`,
        frame.start,
      );
    }
    if (verify && frame.checksumAt >= 0 && xxh64Low32(out) !== r.u32(frame.checksumAt)) {
      fail('zstd', 'DECOMPRESS_CHECK', 'content checksum (XXH64) mismatch', frame.checksumAt);
    }
    return out;
  });
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total > maxSize) tooLarge('zstd', total, maxSize);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/*
 * XXH64 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), seed 0, in 32-bit halves:
 * V8 has no fast 64-bit integers (BigInt is ~50x slower). Each 64-bit value is a (hi, lo) pair of
 * uint32; mul64/add64/rotl64 leave their result in RES_HI/RES_LO to avoid allocating.
 */
let RES_HI = 0;
let RES_LO = 0;

/** (aHi:aLo) * (bHi:bLo) mod 2^64. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  RES_LO = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  RES_HI = (carry + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) >>> 0;
}

function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  RES_LO = lo >>> 0;
  RES_HI = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function rotl64(hi: number, lo: number, n: number): void {
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    RES_HI = hi;
    RES_LO = lo;
    return;
  }
  RES_HI = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  RES_LO = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}

const P1_HI = 0x9e3779b1;
const P1_LO = 0x85ebca87;
const P2_HI = 0xc2b2ae3d;
const P2_LO = 0x27d4eb4f;
const P3_HI = 0x165667b1;
const P3_LO = 0x9e3779f9;
const P4_HI = 0x85ebca77;
const P4_LO = 0xc2b2ae63;
const P5_HI = 0x27d4eb2f;
const P5_LO = 0x165667c5;

/** round(acc, input) = rotl(acc + input * P2, 31) * P1. */
function round64(accHi: number, accLo: number, inHi: number, inLo: number): void {
  mul64(inHi, inLo, P2_HI, P2_LO);
  add64(accHi, accLo, RES_HI, RES_LO);
  rotl64(RES_HI, RES_LO, 31);
  mul64(RES_HI, RES_LO, P1_HI, P1_LO);
}

/**
 * round64 for the bulk of the input, written out with local variables (the generic helpers above
 * pass results through module variables, which made XXH64 slower than fzstd itself): the accumulator
 * is st[i] (high) and st[i + 1] (low).
 */
function roundInto(st: Uint32Array, i: number, inHi: number, inLo: number): void {
  // t = input * P2 (mod 2^64), from 16-bit partial products of the low words.
  let a0 = inLo & 0xffff;
  let a1 = inLo >>> 16;
  let p00 = a0 * (P2_LO & 0xffff);
  let p01 = a0 * (P2_LO >>> 16);
  let p10 = a1 * (P2_LO & 0xffff);
  let mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const tLo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const tHi =
    a1 * (P2_LO >>> 16) +
    (p01 >>> 16) +
    (p10 >>> 16) +
    (mid >>> 16) +
    Math.imul(inLo, P2_HI) +
    Math.imul(inHi, P2_LO);
  // acc += t
  const lo = st[i + 1]! + tLo;
  const accLo = lo >>> 0;
  const accHi = (st[i]! + tHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
  // rotl(acc, 31)
  const rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
  const rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
  // acc = r * P1
  a0 = rLo & 0xffff;
  a1 = rLo >>> 16;
  p00 = a0 * (P1_LO & 0xffff);
  p01 = a0 * (P1_LO >>> 16);
  p10 = a1 * (P1_LO & 0xffff);
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  st[i + 1] = (mid << 16) | (p00 & 0xffff);
  st[i] =
    a1 * (P1_LO >>> 16) +
    (p01 >>> 16) +
    (p10 >>> 16) +
    (mid >>> 16) +
    Math.imul(rLo, P1_HI) +
    Math.imul(rHi, P1_LO);
}

/** h = (h ^ round(0, v)) * P1 + P4. */
function mergeRound(hHi: number, hLo: number, vHi: number, vLo: number): void {
  round64(0, 0, vHi, vLo);
  mul64((hHi ^ RES_HI) >>> 0, (hLo ^ RES_LO) >>> 0, P1_HI, P1_LO);
  add64(RES_HI, RES_LO, P4_HI, P4_LO);
}

/** The low 32 bits of XXH64(data, seed 0): what a zstd frame stores as its content checksum. */
export function xxh64Low32(data: Uint8Array): number {
  const len = data.length;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le32 = (i: number) => view.getUint32(i, true);
  let p = 0;
  let hHi: number;
  let hLo: number;
  if (len >= 32) {
    add64(P1_HI, P1_LO, P2_HI, P2_LO);
    let v1Hi = RES_HI;
    let v1Lo = RES_LO;
    let v2Hi = P2_HI;
    let v2Lo = P2_LO;
    let v3Hi = 0;
    let v3Lo = 0;
    // v4 = 0 - P1 mod 2^64
    let v4Hi = ~P1_HI >>> 0; // no borrow: the low word of P1 is not zero
    let v4Lo = -P1_LO >>> 0;
    const st = Uint32Array.of(v1Hi, v1Lo, v2Hi, v2Lo, v3Hi, v3Lo, v4Hi, v4Lo);
    for (; p + 32 <= len; p += 32) {
      for (let k = 0; k < 4; k++) {
        const q = p + 8 * k;
        roundInto(st, 2 * k, le32(q + 4), le32(q));
      }
    }
    v1Hi = st[0]!;
    v1Lo = st[1]!;
    v2Hi = st[2]!;
    v2Lo = st[3]!;
    v3Hi = st[4]!;
    v3Lo = st[5]!;
    v4Hi = st[6]!;
    v4Lo = st[7]!;
    rotl64(v1Hi, v1Lo, 1);
    let aHi = RES_HI;
    let aLo = RES_LO;
    rotl64(v2Hi, v2Lo, 7);
    add64(aHi, aLo, RES_HI, RES_LO);
    aHi = RES_HI;
    aLo = RES_LO;
    rotl64(v3Hi, v3Lo, 12);
    add64(aHi, aLo, RES_HI, RES_LO);
    aHi = RES_HI;
    aLo = RES_LO;
    rotl64(v4Hi, v4Lo, 18);
    add64(aHi, aLo, RES_HI, RES_LO);
    mergeRound(RES_HI, RES_LO, v1Hi, v1Lo);
    mergeRound(RES_HI, RES_LO, v2Hi, v2Lo);
    mergeRound(RES_HI, RES_LO, v3Hi, v3Lo);
    mergeRound(RES_HI, RES_LO, v4Hi, v4Lo);
    hHi = RES_HI;
    hLo = RES_LO;
  } else {
    hHi = P5_HI;
    hLo = P5_LO;
  }
  add64(hHi, hLo, Math.floor(len / 2 ** 32), len >>> 0);
  hHi = RES_HI;
  hLo = RES_LO;
  for (; p + 8 <= len; p += 8) {
    round64(0, 0, le32(p + 4), le32(p));
    rotl64((hHi ^ RES_HI) >>> 0, (hLo ^ RES_LO) >>> 0, 27);
    mul64(RES_HI, RES_LO, P1_HI, P1_LO);
    add64(RES_HI, RES_LO, P4_HI, P4_LO);
    hHi = RES_HI;
    hLo = RES_LO;
  }
  if (p + 4 <= len) {
    mul64(0, le32(p), P1_HI, P1_LO);
    rotl64((hHi ^ RES_HI) >>> 0, (hLo ^ RES_LO) >>> 0, 23);
    mul64(RES_HI, RES_LO, P2_HI, P2_LO);
    add64(RES_HI, RES_LO, P3_HI, P3_LO);
    hHi = RES_HI;
    hLo = RES_LO;
    p += 4;
  }
  for (; p < len; p++) {
    mul64(0, data[p]!, P5_HI, P5_LO);
    rotl64((hHi ^ RES_HI) >>> 0, (hLo ^ RES_LO) >>> 0, 11);
    mul64(RES_HI, RES_LO, P1_HI, P1_LO);
    hHi = RES_HI;
    hLo = RES_LO;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  mul64(hHi, (hLo ^ (hHi >>> 1)) >>> 0, P2_HI, P2_LO);
  hHi = RES_HI;
  hLo = RES_LO;
  mul64((hHi ^ (hHi >>> 29)) >>> 0, (hLo ^ ((hLo >>> 29) | (hHi << 3))) >>> 0, P3_HI, P3_LO);
  return (RES_LO ^ RES_HI) >>> 0;
}
