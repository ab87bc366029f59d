/**
 * Huffman-coded literals of Zstandard (RFC 8878 4.2): the tree description (weights, direct or
 * FSE-compressed) and the streams, with libzstd's checks (`HUF_readStats`, `HUF_decompress1X/4X`).
 */
import { zstdCorrupt } from './decompress-error.js';
import { buildFseTable, highBit, readFseDescription } from './zstd-fse.js';

/** A decoding table indexed by the next `maxBits` bits of the stream. */
export interface HuffmanTable {
  readonly maxBits: number;
  readonly symbol: Uint8Array;
  readonly nbBits: Uint8Array;
}

/** HUF_TABLELOG_MAX: the deepest tree libzstd decodes. */
const HUFFMAN_MAX_BITS = 12;

/**
 * Reads the weights of FSE-compressed form (RFC 8878 4.2.1.2): two interleaved states over one
 * backward bitstream, until it overflows; at most 255 weights (the 256th is implied).
 */
function fseWeights(src: Uint8Array, pos: number, end: number, out: Uint8Array): number {
  const desc = readFseDescription(src, pos, end, 255, 6);
  const table = buildFseTable(desc.norm, desc.log, pos);
  const stream = src.subarray(desc.end, end);
  const n = stream.length;
  if (n === 0 || stream[n - 1] === 0) zstdCorrupt('Huffman weight stream has no end mark', end - 1);
  let bitPos = n * 8 - 8 + highBit(stream[n - 1]!);
  // Reads `bits` below bitPos; past the start of the stream the bits are zeros (its overflow ends it).
  const read = (bits: number) => {
    bitPos -= bits;
    const at = bitPos;
    if (at < 0) return ((stream[0]! | (stream[1]! << 8)) << -at) & ((1 << bits) - 1);
    const i = at >> 3;
    return ((stream[i]! | (stream[i + 1]! << 8)) >>> (at & 7)) & ((1 << bits) - 1);
  };
  let s1 = read(table.log);
  let s2 = read(table.log);
  let count = 0;
  for (;;) {
    if (count > 253) zstdCorrupt('more than 255 Huffman weights', pos);
    out[count++] = table.symbol[s1]!;
    s1 = table.newState[s1]! + read(table.nbBits[s1]!);
    if (bitPos < 0) {
      out[count++] = table.symbol[s2]!;
      break;
    }
    if (count > 253) zstdCorrupt('more than 255 Huffman weights', pos);
    out[count++] = table.symbol[s2]!;
    s2 = table.newState[s2]! + read(table.nbBits[s2]!);
    if (bitPos < 0) {
      out[count++] = table.symbol[s1]!;
      break;
    }
  }
  return count;
}

/**
 * Reads a Huffman tree description at `pos` (RFC 8878 4.2.1) and builds its decoding table.
 * Returns the table and the offset after the description.
 */
export function readHuffmanTable(
  src: Uint8Array,
  pos: number,
  end: number,
): { table: HuffmanTable; end: number } {
  if (pos >= end) zstdCorrupt('truncated Huffman tree description', pos);
  const header = src[pos]!;
  const weights = new Uint8Array(256);
  let count: number;
  let after: number;
  if (header < 128) {
    after = pos + 1 + header;
    if (after > end) zstdCorrupt('truncated Huffman tree description', pos);
    count = fseWeights(src, pos + 1, after, weights);
  } else {
    count = header - 127;
    after = pos + 1 + ((count + 1) >>> 1);
    if (after > end) zstdCorrupt('truncated Huffman tree description', pos);
    for (let i = 0; i < count; i++) {
      const byte = src[pos + 1 + (i >>> 1)]!;
      weights[i] = i & 1 ? byte & 15 : byte >>> 4;
    }
  }
  const rank = new Uint16Array(HUFFMAN_MAX_BITS + 2);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i]!;
    if (w > HUFFMAN_MAX_BITS) zstdCorrupt(`Huffman weight ${w} is above ${HUFFMAN_MAX_BITS}`, pos);
    rank[w]!++;
    total += (1 << w) >>> 1;
  }
  if (total === 0) zstdCorrupt('Huffman weights are all zero', pos);
  const maxBits = highBit(total) + 1;
  if (maxBits > HUFFMAN_MAX_BITS) zstdCorrupt(`Huffman tree is ${maxBits} bits deep`, pos);
  const rest = (1 << maxBits) - total;
  if (rest & (rest - 1)) zstdCorrupt('Huffman weights do not make a complete tree', pos);
  const last = highBit(rest) + 1;
  weights[count++] = last;
  rank[last]!++;
  // HUF_readStats: a complete tree has an even number (at least 2) of the longest codes.
  if (rank[1]! < 2 || rank[1]! & 1) zstdCorrupt('Huffman weights do not make a valid tree', pos);
  const size = 1 << maxBits;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  // Codes in order of weight (longest first), then of symbol: weight w covers 2^(w-1) entries.
  const start = new Uint32Array(HUFFMAN_MAX_BITS + 2);
  let next = 0;
  for (let w = 1; w <= maxBits; w++) {
    start[w] = next;
    next += rank[w]! << (w - 1);
  }
  for (let s = 0; s < count; s++) {
    const w = weights[s]!;
    if (w === 0) continue;
    const n = 1 << (w - 1);
    const at = start[w]!;
    symbol.fill(s, at, at + n);
    nbBits.fill(maxBits + 1 - w, at, at + n);
    start[w] = at + n;
  }
  return { table: { maxBits, symbol, nbBits }, end: after };
}

/**
 * Decodes one Huffman stream `src[start, end)` into exactly `out[op, op + count)`; the stream
 * must be used up to its last bit (HUF_decompress1X's `BIT_endOfDStream`).
 */
function decodeStream(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  count: number,
  t: HuffmanTable,
): void {
  if (end <= start || src[end - 1] === 0) zstdCorrupt('Huffman stream has no end mark', end - 1);
  const stream = src.subarray(start, end);
  const max = t.maxBits;
  const mask = (1 << max) - 1;
  const symbol = t.symbol;
  const nbBits = t.nbBits;
  // bitPos counts the unread bits; the next code is the `max` bits below it (zeros past the start).
  let bitPos = (end - start) * 8 - 8 + highBit(stream[end - start - 1]!);
  const stop = op + count;
  while (op < stop) {
    const at = bitPos - max;
    let v: number;
    if (at >= 0) {
      const i = at >> 3;
      v = ((stream[i]! | (stream[i + 1]! << 8) | (stream[i + 2]! << 16)) >>> (at & 7)) & mask;
    } else {
      v = ((stream[0]! | (stream[1]! << 8) | (stream[2]! << 16)) << -at) & mask;
    }
    out[op++] = symbol[v]!;
    bitPos -= nbBits[v]!;
  }
  if (bitPos !== 0) zstdCorrupt('Huffman stream does not end where its literals do', start);
}

/**
 * Decodes Huffman-coded literals `src[start, end)` (one stream, or four behind a 6-byte jump
 * table: RFC 8878 3.1.1.3.1.6) into `out[0, count)`.
 */
export function decodeHuffmanLiterals(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  count: number,
  fourStreams: boolean,
  t: HuffmanTable,
): void {
  if (!fourStreams) {
    decodeStream(src, start, end, out, 0, count, t);
    return;
  }
  // HUF_decompress4X: a jump table and a byte per stream, and at least 6 literals.
  if (end - start < 10 || count < 6) zstdCorrupt('four Huffman streams without room for them', start);
  const s1 = src[start]! | (src[start + 1]! << 8);
  const s2 = src[start + 2]! | (src[start + 3]! << 8);
  const s3 = src[start + 4]! | (src[start + 5]! << 8);
  const a = start + 6;
  const b = a + s1;
  const c = b + s2;
  const d = c + s3;
  if (d >= end) zstdCorrupt('Huffman jump table points past the literals', start);
  const seg = Math.floor((count + 3) / 4);
  decodeStream(src, a, b, out, 0, seg, t);
  decodeStream(src, b, c, out, seg, seg, t);
  decodeStream(src, c, d, out, 2 * seg, seg, t);
  decodeStream(src, d, end, out, 3 * seg, count - 3 * seg, t);
}
