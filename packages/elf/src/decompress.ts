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
   * (as kmod's libraries and the kernel do). Default true. Turning it off saves about 0.6 CPU-s per
   * 379 MiB of zstd output (XXH64 in 32-bit arithmetic costs a quarter as much as fzstd's decoding)
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
/** 16-bit halves of the low words of P1 and P2, for the written-out lane rounds. */
const P1_L0 = P1_LO & 0xffff;
const P1_L1 = P1_LO >>> 16;
const P2_L0 = P2_LO & 0xffff;
const P2_L1 = P2_LO >>> 16;

/** round(acc, input) = rotl(acc + input * P2, 31) * P1. */
function round64(accHi: number, accLo: number, inHi: number, inLo: number): void {
  mul64(inHi, inLo, P2_HI, P2_LO);
  add64(accHi, accLo, RES_HI, RES_LO);
  rotl64(RES_HI, RES_LO, 31);
  mul64(RES_HI, RES_LO, P1_HI, P1_LO);
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
    // The four lanes written out with local variables: through helpers or a typed array this loop
    // ran at a third of fzstd's speed.
    let inLo: number;
    let inHi: number;
    let a0: number;
    let a1: number;
    let p00: number;
    let p01: number;
    let p10: number;
    let mid: number;
    let sum: number;
    let accLo: number;
    let accHi: number;
    let rHi: number;
    let rLo: number;
    for (; p + 32 <= len; p += 32) {
      // lane 1: v1 = rotl(v1 + input * P2, 31) * P1
      inLo = view.getUint32(p + 0, true);
      inHi = view.getUint32(p + 4, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v1Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v1Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v1Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v1Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 2: v2 = rotl(v2 + input * P2, 31) * P1
      inLo = view.getUint32(p + 8, true);
      inHi = view.getUint32(p + 12, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v2Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v2Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v2Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v2Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 3: v3 = rotl(v3 + input * P2, 31) * P1
      inLo = view.getUint32(p + 16, true);
      inHi = view.getUint32(p + 20, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v3Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v3Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v3Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v3Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 4: v4 = rotl(v4 + input * P2, 31) * P1
      inLo = view.getUint32(p + 24, true);
      inHi = view.getUint32(p + 28, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v4Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v4Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v4Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v4Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
    }
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
