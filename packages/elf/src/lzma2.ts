/**
 * LZMA2 and LZMA decoding (xz-file-format 5.3.1; chunk layout as in xz-embedded's xz_dec_lzma2.c),
 * straight into the caller's output buffer, which is also the dictionary. Used by xz.ts per block.
 */
import { decompressError } from './decompress-error.js';

function fail(code: 'DECOMPRESS_CORRUPT' | 'DECOMPRESS_TRUNCATED', message: string, offset: number): never {
  throw decompressError('xz', code, message, offset);
}

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
export class Lzma2Decoder {
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
