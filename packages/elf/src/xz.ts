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
 *
 * Exports used by decompress.ts: decompressXz, crc32, XZ_MAGIC.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader } from './byte-reader.js';
import { ElfError } from './error.js';

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

function fail(code: string, message: string, offset?: number): never {
  throw new ElfError(code, `xz: ${message}`, offset === undefined ? {} : { offset });
}

// ---------------------------------------------------------------------------------------------
// Checks

/** CRC-32 (IEEE 802.3, reflected 0xEDB88320) tables for slicing-by-8. */
const CRC32_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/** CRC-32 of `bytes[start, end)` as xz and gzip use it, as an unsigned number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = CRC32_TABLES;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[0x700 + (a & 0xff)]! ^
      t[0x600 + ((a >>> 8) & 0xff)]! ^
      t[0x500 + ((a >>> 16) & 0xff)]! ^
      t[0x400 + (a >>> 24)]! ^
      t[0x300 + bytes[i + 4]!]! ^
      t[0x200 + bytes[i + 5]!]! ^
      t[0x100 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-64 (ECMA-182, reflected 0xC96C5795D7870F42) table, split into 32-bit halves. */
const CRC64_TABLE = (() => {
  const lo = new Int32Array(256);
  const hi = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const lsb = l & 1;
      l = (l >>> 1) | (h << 31);
      h >>>= 1;
      if (lsb) {
        l ^= 0xd7870f42;
        h ^= 0xc96c5795;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  return { lo, hi };
})();

/** CRC-64 of `bytes[start, end)` as the 8 little-endian bytes xz stores. */
function crc64(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const { lo, hi } = CRC64_TABLE;
  let l = -1;
  let h = -1;
  for (let i = start; i < end; i++) {
    const x = (l ^ bytes[i]!) & 0xff;
    l = lo[x]! ^ ((l >>> 8) | (h << 24));
    h = hi[x]! ^ (h >>> 8);
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, ~l >>> 0, true);
  view.setUint32(4, ~h >>> 0, true);
  return out;
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

// ---------------------------------------------------------------------------------------------
// Container

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
  if (streams.length === 0) fail('DECOMPRESS_TRUNCATED', 'empty input');
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
  if (total > maxSize) {
    fail('DECOMPRESS_TOO_LARGE', `output would be ${total} bytes, more than the limit of ${maxSize}`, 0);
  }
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

// ---------------------------------------------------------------------------------------------
// LZMA2 and LZMA

/** Probability array layout (offsets into one Uint16Array), as in the LZMA SDK's LzmaDec.c. */
const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES;
const POS_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
const SPEC_POS = POS_SLOT + 4 * 64;
const ALIGN = SPEC_POS + 114;
/** A length coder: choice, choice2, low[16][8], mid[16][8], high[256]. */
const LEN_CHOICE = 0;
const LEN_CHOICE2 = 1;
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_CODER_SIZE = LEN_HIGH + 256;
const MATCH_LEN = ALIGN + 16;
const REP_LEN = MATCH_LEN + LEN_CODER_SIZE;
const LITERAL = REP_LEN + LEN_CODER_SIZE;
/** LZMA2 limits lc + lp to 4, so at most 16 literal coders of 0x300 probabilities. */
const PROBS_SIZE = LITERAL + 0x300 * 16;

const PROB_INIT = 1024;
const TOP = 0x1000000;
/**
 * The range coder's `range` and `code` are unsigned 32-bit values kept in int32 variables (which V8
 * keeps in registers; as doubles the decoder was 20% slower); unsigned comparisons flip the sign bit.
 */
const SIGN = 0x80000000 | 0;
const MATCH_LEN_MIN = 2;

/**
 * LZMA2 (xz-file-format 5.3.1; chunk layout as in xz-embedded's xz_dec_lzma2.c) decoding straight
 * into the final output buffer: that buffer is the dictionary, so nothing is copied twice.
 * Range-decoder and LZMA state live in fields; the hot bit decoder is a small method V8 inlines.
 */
class Lzma2Decoder {
  readonly input: Uint8Array;
  readonly out: Uint8Array;
  readonly probs = new Uint16Array(PROBS_SIZE);
  outPos = 0;
  /** Output position of the last dictionary reset: matches may not reach before it. */
  dictStart = 0;
  dictSize = 0;
  inPos = 0;
  inEnd = 0;
  range = 0;
  code = 0;
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;
  lc = 0;
  literalPosMask = 0;
  posMask = 0;

  constructor(input: Uint8Array, out: Uint8Array) {
    this.input = input;
    this.out = out;
  }

  /** Decodes one block's LZMA2 data, `input[start, end)`, which must fill `out` up to `outEnd`. */
  decodeBlock(start: number, end: number, outEnd: number, dictSize: number): void {
    const input = this.input;
    this.dictSize = dictSize;
    let pos = start;
    let needDictReset = true;
    let needProps = true;
    for (;;) {
      if (pos >= end) fail('DECOMPRESS_TRUNCATED', 'LZMA2 data ends without an end marker', pos);
      const control = input[pos]!;
      if (control === 0x00) {
        pos++;
        break;
      }
      if (control >= 0xe0 || control === 0x01) {
        needProps = true;
        needDictReset = false;
        this.dictStart = this.outPos;
      } else if (needDictReset) {
        fail('DECOMPRESS_CORRUPT', 'LZMA2 data does not start with a dictionary reset', pos);
      }
      if (control >= 0x80) {
        if (pos + 5 > end) fail('DECOMPRESS_TRUNCATED', 'truncated LZMA2 chunk header', pos);
        const unpacked = (control & 0x1f) * 0x10000 + ((input[pos + 1]! << 8) | input[pos + 2]!) + 1;
        const packed = ((input[pos + 3]! << 8) | input[pos + 4]!) + 1;
        pos += 5;
        const reset = (control >>> 5) & 3;
        if (reset >= 2) {
          if (pos >= end) fail('DECOMPRESS_TRUNCATED', 'truncated LZMA2 chunk header', pos);
          this.setProperties(input[pos]!, pos);
          pos++;
          needProps = false;
        } else if (needProps) {
          fail('DECOMPRESS_CORRUPT', 'LZMA2 chunk without the properties it needs', pos - 5);
        }
        if (reset >= 1) this.resetState();
        if (pos + packed > end) fail('DECOMPRESS_TRUNCATED', 'LZMA2 chunk runs past the block', pos);
        const chunkOutEnd = this.outPos + unpacked;
        if (chunkOutEnd > outEnd)
          fail('DECOMPRESS_CORRUPT', 'block decodes to more than the index says', pos);
        this.decodeLzmaChunk(pos, pos + packed, chunkOutEnd);
        pos += packed;
      } else {
        if (control > 0x02)
          fail('DECOMPRESS_CORRUPT', `bad LZMA2 control byte 0x${control.toString(16)}`, pos);
        if (pos + 3 > end) fail('DECOMPRESS_TRUNCATED', 'truncated LZMA2 chunk header', pos);
        const size = ((input[pos + 1]! << 8) | input[pos + 2]!) + 1;
        pos += 3;
        if (pos + size > end)
          fail('DECOMPRESS_TRUNCATED', 'uncompressed LZMA2 chunk runs past the block', pos);
        if (this.outPos + size > outEnd) {
          fail('DECOMPRESS_CORRUPT', 'block decodes to more than the index says', pos);
        }
        this.out.set(input.subarray(pos, pos + size), this.outPos);
        this.outPos += size;
        pos += size;
      }
    }
    if (pos !== end) fail('DECOMPRESS_CORRUPT', 'data after the LZMA2 end marker', pos);
    if (this.outPos !== outEnd) fail('DECOMPRESS_CORRUPT', 'block decodes to less than the index says', pos);
  }

  private setProperties(props: number, at: number): void {
    if (props >= 9 * 5 * 5) fail('DECOMPRESS_CORRUPT', 'bad LZMA properties', at);
    const lc = props % 9;
    const rest = (props / 9) | 0;
    const lp = rest % 5;
    const pb = (rest / 5) | 0;
    if (lc + lp > 4) fail('DECOMPRESS_CORRUPT', 'LZMA2 allows lc + lp <= 4 only', at);
    this.lc = lc;
    this.literalPosMask = (1 << lp) - 1;
    this.posMask = (1 << pb) - 1;
  }

  private resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /** One bit with an adaptive probability (LZMA SDK rc_bit). */
  private bit(p: number): number {
    const probs = this.probs;
    if (this.range >>> 0 < TOP) {
      this.range <<= 8;
      this.code = (this.code << 8) | this.nextByte();
    }
    const prob = probs[p]!;
    const bound = Math.imul(this.range >>> 11, prob);
    if ((this.code ^ SIGN) < (bound ^ SIGN)) {
      this.range = bound;
      probs[p] = prob + ((2048 - prob) >>> 5);
      return 0;
    }
    this.range = (this.range - bound) | 0;
    this.code = (this.code - bound) | 0;
    probs[p] = prob - (prob >>> 5);
    return 1;
  }

  private nextByte(): number {
    if (this.inPos >= this.inEnd) this.overrun(this.inPos);
    return this.input[this.inPos++]!;
  }

  private overrun(at: number): never {
    return fail('DECOMPRESS_CORRUPT', 'LZMA chunk needs more input than it has', at);
  }

  /** `bits` bits, most significant first, through a probability tree at `base` (indices 1..). */
  private tree(base: number, bits: number): number {
    let sym = 1;
    for (let i = 0; i < bits; i++) sym = (sym << 1) | this.bit(base + sym);
    return sym - (1 << bits);
  }

  /** `bits` bits, least significant first, through a probability tree at `base` (indices 1..). */
  private reverseTree(base: number, bits: number): number {
    let sym = 1;
    let result = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + sym);
      sym = (sym << 1) | b;
      result |= b << i;
    }
    return result;
  }

  /** Bits with fixed probability one half (rc_direct). */
  private direct(bits: number): number {
    let result = 0;
    for (let i = 0; i < bits; i++) {
      if (this.range >>> 0 < TOP) {
        this.range <<= 8;
        this.code = (this.code << 8) | this.nextByte();
      }
      this.range >>>= 1;
      let b = 0;
      if (this.code >>> 0 >= this.range) {
        this.code = (this.code - this.range) | 0;
        b = 1;
      }
      result = result * 2 + b;
    }
    return result;
  }

  /** A match length (2..273) from the length coder at `base`. */
  private length(base: number, posState: number): number {
    if (this.bit(base + LEN_CHOICE) === 0) return MATCH_LEN_MIN + this.tree(base + LEN_LOW + posState * 8, 3);
    if (this.bit(base + LEN_CHOICE2) === 0)
      return MATCH_LEN_MIN + 8 + this.tree(base + LEN_MID + posState * 8, 3);
    return MATCH_LEN_MIN + 16 + this.tree(base + LEN_HIGH, 8);
  }

  /** A match distance minus one, for a match of length `len`. */
  private distance(len: number): number {
    const lenState = Math.min(len - MATCH_LEN_MIN, 3);
    const slot = this.tree(POS_SLOT + lenState * 64, 6);
    if (slot < 4) return slot;
    const directBits = (slot >>> 1) - 1;
    const base = ((2 | (slot & 1)) << directBits) >>> 0;
    if (slot < 14) return base + this.reverseTree(SPEC_POS + base - slot - 1, directBits);
    return base + this.direct(directBits - 4) * 16 + this.reverseTree(ALIGN, 4);
  }

  /**
   * Decodes one LZMA chunk: compressed `input[start, end)` to `out[outPos, outEnd)`. Literals are
   * most of the symbols in a module, so the is-match bit and the literal's eight bits are decoded
   * here with the range coder in local variables; matches go through the methods above.
   */
  private decodeLzmaChunk(start: number, end: number, outEnd: number): void {
    const input = this.input;
    const out = this.out;
    const probs = this.probs;
    // rc_read_init: the first byte of each chunk's range coder is always zero.
    if (end - start < 5 || input[start] !== 0) fail('DECOMPRESS_CORRUPT', 'bad range coder start', start);
    let code =
      (input[start + 1]! << 24) |
      (input[start + 2]! << 16) |
      (input[start + 3]! << 8) |
      input[start + 4]! |
      0;
    let range = -1;
    let inPos = start + 5;
    this.inEnd = end;
    const lc = this.lc;
    const literalPosMask = this.literalPosMask;
    const posMask = this.posMask;
    const dictStart = this.dictStart;
    let outPos = this.outPos;
    let state = this.state;
    while (outPos < outEnd) {
      const posState = (outPos - dictStart) & posMask;
      let p = IS_MATCH + (state << 4) + posState;
      if (range >>> 0 < TOP) {
        if (inPos >= end) this.overrun(inPos);
        range <<= 8;
        code = (code << 8) | input[inPos++]!;
      }
      let prob = probs[p]!;
      let bound = Math.imul(range >>> 11, prob);
      if ((code ^ SIGN) >= (bound ^ SIGN)) {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[p] = prob - (prob >>> 5);
        this.range = range;
        this.code = code;
        this.inPos = inPos;
        this.state = state;
        outPos = this.decodeMatch(outPos, outEnd, posState);
        range = this.range;
        code = this.code;
        inPos = this.inPos;
        state = this.state;
        continue;
      }
      range = bound;
      probs[p] = prob + ((2048 - prob) >>> 5);
      const prev = outPos > dictStart ? out[outPos - 1]! : 0;
      const base = LITERAL + 0x300 * ((((outPos - dictStart) & literalPosMask) << lc) + (prev >>> (8 - lc)));
      let sym = 1;
      // A "matched" literal (after a match) is coded against the byte at distance rep0 (LzmaDec.c):
      // while its bits agree with that byte's, a second set of probabilities is used.
      let matchByte = state < 7 ? 0 : out[outPos - this.rep0 - 1]! << 1;
      let offset = state < 7 ? 0 : 0x100;
      do {
        const matchBit = matchByte & offset;
        matchByte <<= 1;
        p = base + offset + matchBit + sym;
        if (range >>> 0 < TOP) {
          if (inPos >= end) this.overrun(inPos);
          range <<= 8;
          code = (code << 8) | input[inPos++]!;
        }
        prob = probs[p]!;
        bound = Math.imul(range >>> 11, prob);
        if ((code ^ SIGN) < (bound ^ SIGN)) {
          range = bound;
          probs[p] = prob + ((2048 - prob) >>> 5);
          sym <<= 1;
          offset &= ~matchBit;
        } else {
          range = (range - bound) | 0;
          code = (code - bound) | 0;
          probs[p] = prob - (prob >>> 5);
          sym = (sym << 1) | 1;
          offset &= matchBit;
        }
      } while (sym < 0x100);
      out[outPos++] = sym;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
    }
    this.outPos = outPos;
    this.state = state;
    this.endChunk(range, code, inPos, end, outEnd);
  }

  /**
   * rc_is_finished: the encoder's flush leaves one last normalisation to the decoder, after which the
   * chunk's bytes are used up and the code is zero. (Kept out of the hot function: V8's on-stack
   * replacement kept deoptimising on these once-per-chunk comparisons.)
   */
  private endChunk(range: number, code: number, inPos: number, end: number, outEnd: number): void {
    let c = code;
    let at = inPos;
    if (range >>> 0 < TOP && at < end) c = (c << 8) | this.input[at++]!;
    if (this.outPos !== outEnd || at !== end || c !== 0) {
      fail('DECOMPRESS_CORRUPT', 'LZMA chunk does not end where its header says', at);
    }
  }

  /** Decodes a match or rep match after its is-match bit; returns the new output position. */
  private decodeMatch(outPos: number, outEnd: number, posState: number): number {
    const out = this.out;
    const dictStart = this.dictStart;
    let state = this.state;
    let len: number;
    if (this.bit(IS_REP + state) === 0) {
      len = this.length(MATCH_LEN, posState);
      const dist = this.distance(len);
      if (dist === 0xffffffff) fail('DECOMPRESS_CORRUPT', 'LZMA end marker inside LZMA2', this.inPos);
      this.rep3 = this.rep2;
      this.rep2 = this.rep1;
      this.rep1 = this.rep0;
      this.rep0 = dist;
      state = state < 7 ? 7 : 10;
    } else if (this.bit(IS_REP_G0 + state) === 0) {
      if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
        len = 1; // "short rep": one byte at distance rep0
        state = state < 7 ? 9 : 11;
      } else {
        len = this.length(REP_LEN, posState);
        state = state < 7 ? 8 : 11;
      }
    } else {
      let dist: number;
      if (this.bit(IS_REP_G1 + state) === 0) {
        dist = this.rep1;
      } else {
        if (this.bit(IS_REP_G2 + state) === 0) {
          dist = this.rep2;
        } else {
          dist = this.rep3;
          this.rep3 = this.rep2;
        }
        this.rep2 = this.rep1;
      }
      this.rep1 = this.rep0;
      this.rep0 = dist;
      len = this.length(REP_LEN, posState);
      state = state < 7 ? 8 : 11;
    }
    this.state = state;
    const rep0 = this.rep0;
    if (rep0 >= outPos - dictStart || rep0 >= this.dictSize) {
      fail('DECOMPRESS_CORRUPT', 'match distance reaches before the data', this.inPos);
    }
    // xz_dec_lzma2.c: a match may not run past the end of its chunk.
    if (outPos + len > outEnd) fail('DECOMPRESS_CORRUPT', 'match runs past the LZMA2 chunk', this.inPos);
    const stop = outPos + len;
    let src = outPos - rep0 - 1;
    if (len > 32 && src + len <= outPos) {
      out.copyWithin(outPos, src, src + len);
      return stop;
    }
    while (outPos < stop) out[outPos++] = out[src++]!;
    return outPos;
  }
}
