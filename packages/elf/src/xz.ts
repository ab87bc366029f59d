/**
 * A synchronous, browser-safe decoder for the .xz container with LZMA2, which is how kernels compress
 * modules (`scripts/Makefile.modinst`: `xz --check=crc32 --lzma2=dict=1MiB`).
 *
 * Hand-written because no maintained npm package decodes xz synchronously on a Uint8Array in a
 * browser: `xz-decompress` is WASM behind a ReadableStream (async only), `@napi-rs/lzma` and
 * `node-liblzma` are native Node addons, `xz-compat` needs Buffer and Node streams. See README.
 *
 * Format: https://tukaani.org/xz/xz-file-format.txt (1.2.1). The decoder checks everything the
 * format lets it check, as xz does: stream header/footer CRC32s and flags, block header CRC32, sizes in
 * the block header against what was decoded, the index against the blocks, the integrity check of
 * every block (CRC32, CRC64, SHA-256; other check IDs are skipped as xz does with a warning), stream
 * padding. It supports one filter, LZMA2 (0x21) — BCJ and delta filters give `DECOMPRESS_UNSUPPORTED`.
 * The container is read here; LZMA2 is in lzma2.ts, the checks in crc32.ts, crc64.ts.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader } from './byte-reader.js';
import { crc32 } from './crc32.js';
import { crc64 } from './crc64.js';
import { type DecompressErrorCode, decompressError, tooLarge } from './decompress-error.js';
import { Lzma2Decoder } from './lzma2.js';

/** Stream header magic, `FD 37 7A 58 5A 00` (xz-file-format 2.1.1.1). */
export const XZ_MAGIC = Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00);
/** Stream footer magic, 'YZ' (2.1.2.4). */
const FOOTER_MAGIC_0 = 0x59;
const FOOTER_MAGIC_1 = 0x5a;
const STREAM_HEADER_SIZE = 12;
const STREAM_FOOTER_SIZE = 12;

/** Check IDs (2.1.1.2). */
const CHECK_NONE = 0x00;
const CHECK_CRC32 = 0x01;
const CHECK_CRC64 = 0x04;
const CHECK_SHA256 = 0x0a;
/** Size of the check field for each of the 16 check IDs (2.1.1.2, "Check sizes"). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64] as const;

/** Filter IDs (5.3); only LZMA2 is decoded, the others are named in the error. */
const FILTER_LZMA2 = 0x21;
const FILTER_NAMES: Record<number, string> = {
  3: 'delta',
  4: 'BCJ x86',
  5: 'BCJ PowerPC',
  6: 'BCJ IA-64',
  7: 'BCJ ARM',
  8: 'BCJ ARM-Thumb',
  9: 'BCJ SPARC',
  10: 'BCJ ARM64',
  11: 'BCJ RISC-V',
};

function fail(code: DecompressErrorCode, message: string, offset: number): never {
  throw decompressError('xz', code, message, offset);
}

/** Whether the CRC32 of `r.bytes[start, end)` equals the little-endian CRC32 stored at `at`. */
function crc32Matches(r: ByteReader, start: number, end: number, at: number): boolean {
  return crc32(r.bytes, start, end) === r.u32(at);
}

/** Verifies a block's check field against its uncompressed data (3.4). */
function verifyCheck(
  checkId: number,
  input: ByteReader,
  at: number,
  out: Uint8Array,
  start: number,
  end: number,
) {
  let expected: Uint8Array;
  switch (checkId) {
    case CHECK_NONE:
      return;
    case CHECK_CRC32: {
      if (crc32(out, start, end) !== input.u32(at)) fail('DECOMPRESS_CHECK', 'CRC32 mismatch', at);
      return;
    }
    case CHECK_CRC64:
      expected = crc64(out, start, end);
      break;
    case CHECK_SHA256:
      expected = sha256(out.subarray(start, end));
      break;
    default:
      return; // xz-file-format 3.4: unsupported check types may be skipped (xz warns, xz-embedded skips).
  }
  for (let i = 0; i < expected.length; i++) {
    if (input.bytes[at + i] !== expected[i]) fail('DECOMPRESS_CHECK', `check ${checkId} mismatch`, at);
  }
}

/** Reads a multibyte integer (1.2); values above 2^53 are refused (they cannot be a module). */
function readVli(b: Uint8Array, pos: number, limit: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 9; i++) {
    if (pos + i >= limit) fail('DECOMPRESS_CORRUPT', 'truncated integer', pos + i);
    const byte = b[pos + i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && i > 0) fail('DECOMPRESS_CORRUPT', 'integer not minimally encoded', pos + i);
      if (value > Number.MAX_SAFE_INTEGER) fail('DECOMPRESS_CORRUPT', 'integer too large', pos);
      return [value, pos + i + 1];
    }
  }
  return fail('DECOMPRESS_CORRUPT', 'integer longer than 9 bytes', pos);
}

interface IndexRecord {
  unpaddedSize: number;
  uncompressedSize: number;
}

interface StreamLayout {
  start: number;
  checkId: number;
  records: IndexRecord[];
  indexStart: number;
  uncompressedSize: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

/**
 * Finds every stream by walking backwards from the end, as `xz --list` does: stream padding, footer,
 * index (which gives the blocks' sizes), header. Knowing the total size first lets the decoder refuse
 * a size bomb before allocating and write into one exact output buffer.
 */
function scanStreams(r: ByteReader): StreamLayout[] {
  const b = r.bytes;
  const streams: StreamLayout[] = [];
  let end = b.length;
  while (end > 0) {
    let p = end;
    while (p > 0 && b[p - 1] === 0) p--;
    // Stream padding (2.2) comes in multiples of four zero bytes, and only after a stream.
    if ((end - p) % 4 !== 0) fail('DECOMPRESS_CORRUPT', 'stream padding is not a multiple of 4 bytes', p);
    end = p;
    if (end < STREAM_HEADER_SIZE + STREAM_FOOTER_SIZE) {
      fail('DECOMPRESS_TRUNCATED', 'truncated stream', end);
    }
    const footer = end - STREAM_FOOTER_SIZE;
    if (b[end - 2] !== FOOTER_MAGIC_0 || b[end - 1] !== FOOTER_MAGIC_1) {
      fail('DECOMPRESS_TRUNCATED', 'no stream footer (truncated or trailing garbage)', end - 2);
    }
    if (!crc32Matches(r, footer + 4, footer + 10, footer)) {
      fail('DECOMPRESS_CORRUPT', 'stream footer CRC32 mismatch', footer);
    }
    const backwardSize = (r.u32(footer + 4) + 1) * 4;
    const flags0 = b[footer + 8]!;
    const flags1 = b[footer + 9]!;
    if (flags0 !== 0 || (flags1 & 0xf0) !== 0)
      fail('DECOMPRESS_UNSUPPORTED', 'unsupported stream flags', footer + 8);
    const checkId = flags1 & 0x0f;
    const indexStart = footer - backwardSize;
    if (indexStart < STREAM_HEADER_SIZE)
      fail('DECOMPRESS_CORRUPT', 'index size points before the stream', footer + 4);
    const records = readIndex(r, indexStart, footer);
    let blocksSize = 0;
    let uncompressedSize = 0;
    for (const r of records) {
      blocksSize += pad4(r.unpaddedSize);
      uncompressedSize += r.uncompressedSize;
    }
    const start = indexStart - blocksSize - STREAM_HEADER_SIZE;
    if (start < 0) fail('DECOMPRESS_CORRUPT', 'index describes more data than the file holds', indexStart);
    for (let i = 0; i < XZ_MAGIC.length; i++) {
      if (b[start + i] !== XZ_MAGIC[i])
        fail('DECOMPRESS_CORRUPT', 'no stream header where the index says', start);
    }
    if (b[start + 6] !== flags0 || b[start + 7] !== flags1) {
      fail('DECOMPRESS_CORRUPT', 'stream header and footer flags differ', start + 6);
    }
    if (!crc32Matches(r, start + 6, start + 8, start + 8)) {
      fail('DECOMPRESS_CORRUPT', 'stream header CRC32 mismatch', start + 8);
    }
    streams.push({ start, checkId, records, indexStart, uncompressedSize });
    end = start;
  }
  if (streams.length === 0) fail('DECOMPRESS_TRUNCATED', 'empty input', 0);
  return streams.reverse();
}

/** Reads the index (4) that spans exactly `[start, end)`. */
function readIndex(r: ByteReader, start: number, end: number): IndexRecord[] {
  const b = r.bytes;
  if (b[start] !== 0) fail('DECOMPRESS_CORRUPT', 'bad index indicator', start);
  let pos = start + 1;
  let count: number;
  [count, pos] = readVli(b, pos, end);
  // Each record takes at least two bytes: a count beyond that is corrupt, and must not drive a loop.
  if (count * 2 > end - pos) fail('DECOMPRESS_CORRUPT', 'index record count too large', start + 1);
  const records: IndexRecord[] = [];
  for (let i = 0; i < count; i++) {
    let unpaddedSize: number;
    let uncompressedSize: number;
    [unpaddedSize, pos] = readVli(b, pos, end);
    [uncompressedSize, pos] = readVli(b, pos, end);
    if (unpaddedSize < 5) fail('DECOMPRESS_CORRUPT', 'index record with impossible size', pos);
    records.push({ unpaddedSize, uncompressedSize });
  }
  while (pos % 4 !== 0) {
    if (pos >= end || b[pos] !== 0) fail('DECOMPRESS_CORRUPT', 'bad index padding', pos);
    pos++;
  }
  if (pos + 4 !== end) fail('DECOMPRESS_CORRUPT', 'index size does not match the footer', pos);
  if (!crc32Matches(r, start, pos, pos)) fail('DECOMPRESS_CORRUPT', 'index CRC32 mismatch', pos);
  return records;
}

/** LZMA2 dictionary size from its one-byte property (5.3.1). */
function lzma2DictSize(prop: number, at: number): number {
  if (prop > 40) fail('DECOMPRESS_CORRUPT', 'bad LZMA2 dictionary size', at);
  if (prop === 40) return 0xffffffff;
  return (2 | (prop & 1)) * 2 ** ((prop >>> 1) + 11);
}

/**
 * Decompresses a whole .xz file: one or more concatenated streams with optional stream padding.
 * Throws ElfError (codes DECOMPRESS_*) on anything malformed; output larger than `maxSize` is
 * refused before any allocation.
 */
export function decompressXz(input: Uint8Array, maxSize: number, verifyChecks = true): Uint8Array {
  const r = new ByteReader(input, true);
  const streams = scanStreams(r);
  let total = 0;
  for (const s of streams) total += s.uncompressedSize;
  if (total > maxSize) throw tooLarge('xz', total, maxSize, 0);
  const out = new Uint8Array(total);
  const lzma = new Lzma2Decoder(input, out);
  for (const stream of streams) {
    let pos = stream.start + STREAM_HEADER_SIZE;
    const checkSize = CHECK_SIZES[stream.checkId]!;
    for (const record of stream.records) {
      const blockStart = pos;
      const headerSize = (input[pos]! + 1) * 4;
      if (input[pos] === 0) fail('DECOMPRESS_CORRUPT', 'index lists more blocks than the stream has', pos);
      const headerEnd = pos + headerSize;
      if (headerEnd > stream.indexStart) fail('DECOMPRESS_CORRUPT', 'block header runs past the blocks', pos);
      if (!crc32Matches(r, pos, headerEnd - 4, headerEnd - 4)) {
        fail('DECOMPRESS_CORRUPT', 'block header CRC32 mismatch', headerEnd - 4);
      }
      const flags = input[pos + 1]!;
      if (flags & 0x3c) fail('DECOMPRESS_UNSUPPORTED', 'reserved block flags set', pos + 1);
      let p = pos + 2;
      let compressedSize = -1;
      let uncompressedSize = -1;
      if (flags & 0x40) [compressedSize, p] = readVli(input, p, headerEnd - 4);
      if (flags & 0x80) [uncompressedSize, p] = readVli(input, p, headerEnd - 4);
      const filterCount = (flags & 3) + 1;
      let dictSize = 0;
      for (let i = 0; i < filterCount; i++) {
        let id: number;
        let propsSize: number;
        const at = p;
        [id, p] = readVli(input, p, headerEnd - 4);
        [propsSize, p] = readVli(input, p, headerEnd - 4);
        if (id !== FILTER_LZMA2 || i !== filterCount - 1) {
          const name = FILTER_NAMES[id] ?? `0x${id.toString(16)}`;
          fail('DECOMPRESS_UNSUPPORTED', `unsupported filter ${name} (only LZMA2 alone is supported)`, at);
        }
        if (propsSize !== 1 || p >= headerEnd - 4) fail('DECOMPRESS_CORRUPT', 'bad LZMA2 properties', at);
        dictSize = lzma2DictSize(input[p]!, p);
        p += 1;
      }
      for (; p < headerEnd - 4; p++) {
        if (input[p] !== 0) fail('DECOMPRESS_UNSUPPORTED', 'non-zero block header padding', p);
      }
      const outStart = lzma.outPos;
      const outEnd = outStart + record.uncompressedSize;
      if (uncompressedSize >= 0 && uncompressedSize !== record.uncompressedSize) {
        fail('DECOMPRESS_CORRUPT', 'block and index disagree on the uncompressed size', blockStart);
      }
      const dataEnd = blockStart + record.unpaddedSize - checkSize;
      if (dataEnd < headerEnd)
        fail('DECOMPRESS_CORRUPT', 'index record smaller than the block header', blockStart);
      lzma.decodeBlock(headerEnd, dataEnd, outEnd, dictSize);
      if (compressedSize >= 0 && compressedSize !== dataEnd - headerEnd) {
        fail('DECOMPRESS_CORRUPT', 'block header compressed size is wrong', blockStart);
      }
      pos = dataEnd;
      while (pos % 4 !== 0) {
        if (input[pos] !== 0) fail('DECOMPRESS_CORRUPT', 'non-zero block padding', pos);
        pos++;
      }
      if (verifyChecks) verifyCheck(stream.checkId, r, pos, out, outStart, outEnd);
      pos += checkSize;
    }
    if (pos !== stream.indexStart)
      fail('DECOMPRESS_CORRUPT', 'blocks do not end where the index starts', pos);
  }
  return out;
}
