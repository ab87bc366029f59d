/**
 * One compressed Zstandard block (RFC 8878 3.1.1.3): its literals section, its sequences section
 * and their execution into the frame's output, with libzstd's checks. The caller (`zstd.ts`) has
 * made room for the block's whole output.
 */
import { zstdCorrupt } from './decompress-error.js';
import { buildFseTable, type FseTable, highBit, readFseDescription, rleFseTable } from './zstd-fse.js';
import { decodeHuffmanLiterals, type HuffmanTable, readHuffmanTable } from './zstd-huffman.js';

/** What a frame's blocks pass on to the next block: tables for the "repeat" modes, repeat offsets. */
export interface BlockState {
  huffman: HuffmanTable | undefined;
  literalLengths: FseTable | undefined;
  offsets: FseTable | undefined;
  matchLengths: FseTable | undefined;
  /** Repeated_Offset1 … 3 (RFC 8878 3.1.1.5), 1, 4, 8 at the start of a frame. */
  readonly repeat: Int32Array;
  /** Scratch for Huffman and RLE literals: Block_Maximum_Size bytes. */
  readonly literals: Uint8Array;
}

export function newBlockState(literals: Uint8Array): BlockState {
  return {
    huffman: undefined,
    literalLengths: undefined,
    offsets: undefined,
    matchLengths: undefined,
    repeat: Int32Array.of(1, 4, 8),
    literals,
  };
}

// The predefined distributions and the codes' baselines and extra bits (RFC 8878 3.1.1.3.2.2).
// biome-ignore format: tables
const LL_DEFAULT = Int16Array.of(4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1);
// biome-ignore format: tables
const ML_DEFAULT = Int16Array.of(1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1);
// biome-ignore format: tables
const OF_DEFAULT = Int16Array.of(1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1);
// biome-ignore format: tables
const LL_BITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
// biome-ignore format: tables
const ML_BITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
const LL_MAX = 35;
const ML_MAX = 52;
/** libzstd's MaxOff: offset codes above 31 are refused. */
const OF_MAX = 31;

function baselines(bits: Uint8Array, first: number): Uint32Array {
  const out = new Uint32Array(bits.length);
  let next = first;
  for (let i = 0; i < bits.length; i++) {
    out[i] = next;
    next += 1 << bits[i]!;
  }
  return out;
}
const LL_BASE = baselines(LL_BITS, 0);
const ML_BASE = baselines(ML_BITS, 3);

const PREDEFINED_LL = buildFseTable(LL_DEFAULT, 6, 0);
const PREDEFINED_ML = buildFseTable(ML_DEFAULT, 6, 0);
const PREDEFINED_OF = buildFseTable(OF_DEFAULT, 5, 0);

/**
 * Decodes the compressed block `src[start, end)` into `out` from `op` (the frame began at
 * `frameStart`, which bounds match offsets); at most `limit` bytes. Returns the new output end.
 */
export function decodeCompressedBlock(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  frameStart: number,
  limit: number,
  state: BlockState,
): number {
  // Literals section header (RFC 8878 3.1.1.3.1.1).
  let pos = start;
  if (pos >= end) zstdCorrupt('empty compressed block', start);
  const b0 = src[pos]!;
  const litType = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  let litSize: number;
  let litEnd: number;
  let lit: Uint8Array;
  let litAt = 0;
  if (litType < 2) {
    // Raw or RLE: 1, 2 or 3 header bytes.
    const headerSize = sizeFormat & 1 ? 2 + (sizeFormat >>> 1) : 1;
    if (pos + headerSize > end) zstdCorrupt('truncated literals section header', pos);
    if (headerSize === 1) litSize = b0 >>> 3;
    else if (headerSize === 2) litSize = (b0 >>> 4) | (src[pos + 1]! << 4);
    else litSize = (b0 >>> 4) | (src[pos + 1]! << 4) | (src[pos + 2]! << 12);
    pos += headerSize;
    if (litSize > limit) zstdCorrupt(`${litSize} literals in a block of at most ${limit} bytes`, start);
    if (litType === 0) {
      if (pos + litSize > end) zstdCorrupt('truncated raw literals', pos);
      lit = src;
      litAt = pos;
      pos += litSize;
    } else {
      if (pos >= end) zstdCorrupt('truncated RLE literals', pos);
      lit = state.literals;
      lit.fill(src[pos]!, 0, litSize);
      pos += 1;
    }
  } else {
    // Compressed or treeless: 3, 4 or 5 header bytes, regenerated and compressed sizes.
    const headerSize = sizeFormat < 2 ? 3 : sizeFormat + 2;
    if (pos + headerSize > end) zstdCorrupt('truncated literals section header', pos);
    const v = (b0 | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
    let compressed: number;
    if (headerSize === 3) {
      litSize = (v >>> 4) & 0x3ff;
      compressed = (v >>> 14) & 0x3ff;
    } else if (headerSize === 4) {
      litSize = (v >>> 4) & 0x3fff;
      compressed = v >>> 18;
    } else {
      litSize = (v >>> 4) & 0x3ffff;
      compressed = (v >>> 22) | (src[pos + 4]! << 10);
    }
    pos += headerSize;
    if (litSize > limit) zstdCorrupt(`${litSize} literals in a block of at most ${limit} bytes`, start);
    const streamsEnd = pos + compressed;
    if (streamsEnd > end) zstdCorrupt('truncated Huffman literals', pos);
    let table = state.huffman;
    if (litType === 2) {
      const read = readHuffmanTable(src, pos, streamsEnd);
      table = read.table;
      state.huffman = table;
      pos = read.end;
    } else if (!table) {
      zstdCorrupt('treeless literals without a previous Huffman table', start);
    }
    lit = state.literals;
    decodeHuffmanLiterals(src, pos, streamsEnd, lit, litSize, sizeFormat !== 0, table!);
    pos = streamsEnd;
  }
  litEnd = litAt + litSize;

  // Sequences section header (RFC 8878 3.1.1.3.2.1).
  if (pos >= end) zstdCorrupt('truncated sequences section header', pos);
  let nbSeq = src[pos++]!;
  if (nbSeq === 0) {
    // ZSTD_decodeSeqHeaders: nothing may follow a count of zero.
    if (pos !== end) zstdCorrupt('bytes after an empty sequences section', pos);
    if (litSize > limit) zstdCorrupt('block output larger than its maximum', start);
    copyBytes(lit, litAt, out, op, litSize);
    return op + litSize;
  }
  if (nbSeq >= 128) {
    if (nbSeq === 255) {
      if (pos + 2 > end) zstdCorrupt('truncated sequences section header', pos);
      nbSeq = src[pos]! + (src[pos + 1]! << 8) + 0x7f00;
      pos += 2;
    } else {
      if (pos >= end) zstdCorrupt('truncated sequences section header', pos);
      nbSeq = ((nbSeq - 128) << 8) + src[pos++]!;
    }
  }
  if (pos >= end) zstdCorrupt('truncated sequences section header', pos);
  const modes = src[pos]!;
  if (modes & 3) zstdCorrupt('reserved bits of the symbol compression modes are set', pos);
  pos++;
  const table = (
    mode: number,
    predefined: FseTable,
    previous: FseTable | undefined,
    maxSymbol: number,
    maxLog: number,
  ): FseTable => {
    switch (mode) {
      case 0:
        return predefined;
      case 1: {
        if (pos >= end) zstdCorrupt('truncated RLE symbol', pos);
        const symbol = src[pos]!;
        if (symbol > maxSymbol) zstdCorrupt(`RLE symbol ${symbol} is above ${maxSymbol}`, pos);
        pos++;
        return rleFseTable(symbol);
      }
      case 2: {
        const desc = readFseDescription(src, pos, end, maxSymbol, maxLog);
        const built = buildFseTable(desc.norm, desc.log, pos);
        pos = desc.end;
        return built;
      }
      default:
        return previous ?? zstdCorrupt('repeat mode without a previous table', pos);
    }
  };
  const llt = table(modes >>> 6, PREDEFINED_LL, state.literalLengths, LL_MAX, 9);
  const oft = table((modes >>> 4) & 3, PREDEFINED_OF, state.offsets, OF_MAX, 8);
  const mlt = table((modes >>> 2) & 3, PREDEFINED_ML, state.matchLengths, ML_MAX, 9);
  state.literalLengths = llt;
  state.offsets = oft;
  state.matchLengths = mlt;

  // The sequences' backward bitstream (RFC 8878 3.1.1.3.2.2): it ends with a 1-bit end mark.
  if (pos >= end || src[end - 1] === 0) zstdCorrupt('sequences bitstream has no end mark', end - 1);
  const bs = src.subarray(pos, end);
  let bitPos = bs.length * 8 - 8 + highBit(bs[bs.length - 1]!);
  // Up to 25 bits below bitPos; past the start of the stream the bits are zeros (refused at the end).
  const read = (n: number): number => {
    bitPos -= n;
    const at = bitPos;
    if (at >= 0) {
      const i = at >> 3;
      return (
        (((bs[i]! | (bs[i + 1]! << 8) | (bs[i + 2]! << 16) | (bs[i + 3]! << 24)) >>> (at & 7)) &
          ((1 << n) - 1)) >>>
        0
      );
    }
    if (at <= -32) return 0;
    return ((bs[0]! | (bs[1]! << 8) | (bs[2]! << 16)) << -at) & ((1 << n) - 1);
  };
  let ll = read(llt.log);
  let of = read(oft.log);
  let ml = read(mlt.log);
  const rep = state.repeat;
  const blockEnd = op + limit;
  const llSym = llt.symbol;
  const llBits = llt.nbBits;
  const llNext = llt.newState;
  const ofSym = oft.symbol;
  const ofBits = oft.nbBits;
  const ofNext = oft.newState;
  const mlSym = mlt.symbol;
  const mlBits = mlt.nbBits;
  const mlNext = mlt.newState;
  for (let n = nbSeq; n > 0; n--) {
    const ofCode = ofSym[of]!;
    const mlCode = mlSym[ml]!;
    const llCode = llSym[ll]!;
    let offset =
      ofCode > 25
        ? ((1 << ofCode) >>> 0) + read(ofCode - 16) * 65536 + read(16)
        : (1 << ofCode) + read(ofCode);
    const matchLength = ML_BASE[mlCode]! + read(ML_BITS[mlCode]!);
    const literalLength = LL_BASE[llCode]! + read(LL_BITS[llCode]!);
    // Repeat offsets (RFC 8878 3.1.1.5); libzstd turns offset 0 (Repeated_Offset1 - 1) into 1.
    if (offset > 3) {
      offset -= 3;
      rep[2] = rep[1]!;
      rep[1] = rep[0]!;
      rep[0] = offset;
    } else {
      const index = offset - (literalLength === 0 ? 0 : 1);
      if (index === 0) {
        offset = rep[0]!;
      } else {
        offset = index === 3 ? rep[0]! - 1 : rep[index]!;
        if (offset === 0) offset = 1;
        if (index !== 1) rep[2] = rep[1]!;
        rep[1] = rep[0]!;
        rep[0] = offset;
      }
    }
    if (n > 1) {
      ll = llNext[ll]! + read(llBits[ll]!);
      ml = mlNext[ml]! + read(mlBits[ml]!);
      of = ofNext[of]! + read(ofBits[of]!);
    }
    // Execution (RFC 8878 3.1.1.4): the literals, then the match, all inside the block's room.
    if (litAt + literalLength > litEnd)
      zstdCorrupt('a sequence uses more literals than the block has', start);
    if (op + literalLength + matchLength > blockEnd)
      zstdCorrupt('block output larger than its maximum', start);
    copyBytes(lit, litAt, out, op, literalLength);
    litAt += literalLength;
    op += literalLength;
    if (offset > op - frameStart)
      zstdCorrupt(`match offset ${offset} is before the start of the frame`, start);
    let from = op - offset;
    if (offset >= matchLength && matchLength > 32) {
      out.copyWithin(op, from, from + matchLength);
      op += matchLength;
    } else {
      for (const stop = op + matchLength; op < stop; ) out[op++] = out[from++]!;
    }
  }
  if (bitPos !== 0) zstdCorrupt('sequences bitstream does not end with the last sequence', pos);
  const rest = litEnd - litAt;
  if (op + rest > blockEnd) zstdCorrupt('block output larger than its maximum', start);
  copyBytes(lit, litAt, out, op, rest);
  return op + rest;
}

/** `n` bytes from `src[from]` to `dst[to]`: a loop for a few, `set` for many. */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n > 32) {
    dst.set(src.subarray(from, from + n), to);
  } else {
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  }
}
