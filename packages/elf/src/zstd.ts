/**
 * Zstandard decoding (RFC 8878), synchronous and browser-safe, written for untrusted input: every
 * frame is walked first ({@link zstdFrames}) and checked against the limits before anything is
 * allocated, the output grows with what the blocks really produce (never with a declared window),
 * all frames decode into one buffer that is also their history, and each frame's content size and
 * checksum are checked against what it produced — as libzstd (kmod's decoder) checks them.
 */
import { decompressError, tooLarge } from './decompress-error.js';
import { xxh64Low32 } from './xxh64.js';
import { type BlockState, decodeCompressedBlock, newBlockState } from './zstd-block.js';
import {
  BLOCK_RAW,
  BLOCK_RLE,
  BLOCK_SIZE_MAX,
  ZSTD_WINDOW_MAX,
  type ZstdFrame,
  type ZstdSkippableFrame,
  zstdFrames,
} from './zstd-frames.js';

/** The output buffer, grown by doubling (so its cost is proportional to what is written). */
class Output {
  buffer: Uint8Array;
  length = 0;
  readonly #maxSize: number;

  constructor(initial: number, maxSize: number) {
    this.buffer = new Uint8Array(initial);
    this.#maxSize = maxSize;
  }

  /** Makes room for `n` more bytes; `offset` is where in the input the need arises. */
  reserve(n: number, offset: number): void {
    const need = this.length + n;
    if (need <= this.buffer.length) return;
    if (need > this.#maxSize) throw tooLarge('zstd', `at least ${need}`, this.#maxSize, offset);
    const grown = new Uint8Array(Math.min(this.#maxSize, Math.max(need, 2 * this.buffer.length)));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/**
 * Decodes every frame of a `.zst` input. `maxSize` bounds the output; `verify` checks content
 * checksums. Throws ElfError DECOMPRESS_* with the input offset of the problem.
 */
export function decompressZstd(bytes: Uint8Array, maxSize: number, verify: boolean): Uint8Array {
  const all = zstdFrames(bytes);
  const cut = all.find((f) => f.truncated);
  if (cut) throw decompressError('zstd', 'DECOMPRESS_TRUNCATED', 'input ends inside a frame', cut.offset);
  const frames = all.filter((f): f is ZstdFrame => !isSkippable(f));
  let declared = 0;
  let allDeclared = true;
  for (const f of frames) {
    checkFrame(f);
    if (f.contentSize === undefined) allDeclared = false;
    else declared += f.contentSize;
    if (declared > maxSize) throw tooLarge('zstd', declared, maxSize, f.offset);
  }
  // The buffer starts at what the input can plausibly give and doubles as blocks really produce
  // output, up to the declared total when every frame declares one (then it ends exactly full):
  // a header that claims 256 MiB costs nothing until blocks deliver it.
  const cap = allDeclared ? declared : maxSize;
  const out = new Output(Math.min(cap, 8 * bytes.length + (1 << 20)), cap);
  const literals = new Uint8Array(BLOCK_SIZE_MAX);
  for (const f of frames) decodeFrame(bytes, f, out, literals, verify);
  if (out.length === out.buffer.length) return out.buffer;
  // Give back what was reserved and not used when it is more than a quarter.
  const result = out.buffer.subarray(0, out.length);
  return out.buffer.length - out.length > out.buffer.length / 4 ? result.slice() : result;
}

function isSkippable(f: ZstdFrame | ZstdSkippableFrame): f is ZstdSkippableFrame {
  return f.kind === 'skippable';
}

/** The header checks libzstd makes before decoding a frame. */
function checkFrame(f: ZstdFrame): void {
  if (f.dictionaryId !== 0) {
    const message = `frame needs dictionary ${f.dictionaryId}`;
    throw decompressError('zstd', 'DECOMPRESS_UNSUPPORTED', message, f.offset + 5);
  }
  if (f.windowSize > ZSTD_WINDOW_MAX) {
    const message = `frame needs a ${f.windowSize}-byte window, more than zstd's limit of ${ZSTD_WINDOW_MAX}`;
    throw decompressError('zstd', 'DECOMPRESS_UNSUPPORTED', message, f.offset + 4);
  }
}

function decodeFrame(
  bytes: Uint8Array,
  f: ZstdFrame,
  out: Output,
  literals: Uint8Array,
  verify: boolean,
): void {
  const frameStart = out.length;
  // Block_Maximum_Size (RFC 8878 3.1.1.2.3); a frame's content size bounds its blocks too.
  const blockMax = Math.min(f.windowSize, BLOCK_SIZE_MAX);
  const frameMax = f.contentSize ?? Number.POSITIVE_INFINITY;
  const state: BlockState = newBlockState(literals);
  for (const block of f.blocks) {
    const content = block.offset + 3;
    const room = Math.min(blockMax, frameMax - (out.length - frameStart));
    const tooBig = (size: number) => {
      const what =
        size > blockMax ? `Block_Maximum_Size ${blockMax}` : `the frame's content size ${frameMax}`;
      return decompressError(
        'zstd',
        'DECOMPRESS_CORRUPT',
        `block of ${size} bytes exceeds ${what}`,
        block.offset,
      );
    };
    if (block.type === BLOCK_RAW || block.type === BLOCK_RLE) {
      if (block.size > room) throw tooBig(block.size);
      out.reserve(block.size, block.offset);
      if (block.type === BLOCK_RAW) {
        out.buffer.set(bytes.subarray(content, content + block.size), out.length);
      } else {
        out.buffer.fill(bytes[content]!, out.length, out.length + block.size);
      }
      out.length += block.size;
    } else {
      if (block.size > blockMax) throw tooBig(block.size);
      out.reserve(room, block.offset);
      const end = content + block.size;
      out.length = decodeCompressedBlock(
        bytes,
        content,
        end,
        out.buffer,
        out.length,
        frameStart,
        room,
        state,
      );
    }
  }
  const produced = out.length - frameStart;
  if (f.contentSize !== undefined && produced !== f.contentSize) {
    const message = `frame decoded to ${produced} bytes, its header says ${f.contentSize}`;
    throw decompressError('zstd', 'DECOMPRESS_CORRUPT', message, f.offset);
  }
  if (verify && f.checksumOffset !== undefined) {
    const at = f.checksumOffset;
    const stored =
      (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
    if (xxh64Low32(out.buffer.subarray(frameStart, out.length)) !== stored) {
      throw decompressError('zstd', 'DECOMPRESS_CHECK', 'content checksum (XXH64) mismatch', at);
    }
  }
}
