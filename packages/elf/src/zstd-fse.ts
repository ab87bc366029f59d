/**
 * Finite State Entropy tables of Zstandard (RFC 8878 4.1): the table description (normalized
 * counts) and the decoding table built from it, as libzstd's `FSE_readNCount` and
 * `FSE_buildDTable` make them.
 */
import { zstdCorrupt } from './decompress-error.js';

/** A decoding table: for each state, its symbol, how many bits to read, and the next state's base. */
export interface FseTable {
  /** Accuracy_Log: the table has 2^log states (0 for an RLE table). */
  readonly log: number;
  readonly symbol: Uint8Array;
  readonly nbBits: Uint8Array;
  readonly newState: Uint16Array;
}

/** Position of the highest set bit of `v` > 0. */
export function highBit(v: number): number {
  return 31 - Math.clz32(v);
}

/**
 * Reads an FSE table description at `pos` (RFC 8878 4.1.1), at most `end`: the accuracy log (5 +
 * the low nibble, at most `maxLog`) and the normalized count of each symbol up to `maxSymbol`
 * (-1 meaning "less than 1"). Returns the counts and the offset after the description.
 */
export function readFseDescription(
  src: Uint8Array,
  pos: number,
  end: number,
  maxSymbol: number,
  maxLog: number,
): { norm: Int16Array; log: number; end: number } {
  const start = pos;
  if (pos >= end) zstdCorrupt('truncated FSE table description', pos);
  // Bits are read little-endian from the start; bytes past `end` read as zero and are refused below.
  const bit = (at: number) => {
    const i = start + (at >>> 3);
    return i < end ? (src[i]! >>> (at & 7)) & 1 : 0;
  };
  const bits = (at: number, n: number) => {
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = (v << 1) | bit(at + k);
    return v;
  };
  const log = (src[pos]! & 15) + 5;
  if (log > maxLog) zstdCorrupt(`FSE accuracy log ${log} is above ${maxLog}`, pos);
  let at = 4;
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let symbol = 0;
  let previousZero = false;
  const norm = new Int16Array(maxSymbol + 1);
  for (;;) {
    if (previousZero) {
      let repeat = bits(at, 2);
      at += 2;
      let n0 = symbol + repeat;
      while (repeat === 3) {
        repeat = bits(at, 2);
        at += 2;
        n0 += repeat;
        if (n0 > maxSymbol + 1) break;
      }
      if (n0 > maxSymbol) zstdCorrupt('FSE table description has too many symbols', start + (at >>> 3));
      symbol = n0; // the skipped symbols keep their count of 0
    }
    const max = 2 * threshold - 1 - remaining;
    let count: number;
    const low = bits(at, nbBits - 1);
    if (low < max) {
      count = low;
      at += nbBits - 1;
    } else {
      count = bits(at, nbBits);
      at += nbBits;
      if (count >= threshold) count -= max;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    norm[symbol++] = count;
    previousZero = count === 0;
    if (remaining < threshold) {
      if (remaining <= 1) break;
      nbBits = highBit(remaining) + 1;
      threshold = 1 << (nbBits - 1);
    }
    if (symbol > maxSymbol) break;
  }
  if (remaining !== 1) zstdCorrupt('FSE table description does not add up', start);
  const length = (at + 7) >>> 3;
  if (start + length > end) zstdCorrupt('truncated FSE table description', end);
  return { norm, log, end: start + length };
}

/** Builds the decoding table of normalized counts `norm` with accuracy log `log` (RFC 8878 4.1.1). */
export function buildFseTable(norm: Int16Array, log: number, offset: number): FseTable {
  const size = 1 << log;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  const newState = new Uint16Array(size);
  const next = new Uint16Array(norm.length);
  let high = size - 1;
  for (let s = 0; s < norm.length; s++) {
    if (norm[s] === -1) {
      symbol[high--] = s;
      next[s] = 1;
    } else {
      next[s] = norm[s]!;
    }
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let position = 0;
  for (let s = 0; s < norm.length; s++) {
    for (let i = 0; i < norm[s]!; i++) {
      symbol[position] = s;
      do position = (position + step) & mask;
      while (position > high);
    }
  }
  if (position !== 0) zstdCorrupt('FSE table description does not fill the table', offset);
  for (let u = 0; u < size; u++) {
    const state = next[symbol[u]!]!++;
    const n = log - highBit(state);
    nbBits[u] = n;
    newState[u] = (state << n) - size;
  }
  return { log, symbol, nbBits, newState };
}

/** The one-state table of RLE mode: always `value`, reading no bits. */
export function rleFseTable(value: number): FseTable {
  return { log: 0, symbol: Uint8Array.of(value), nbBits: new Uint8Array(1), newState: new Uint16Array(1) };
}
