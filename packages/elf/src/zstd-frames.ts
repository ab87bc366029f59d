/**
 * The Zstandard frame layer (RFC 8878 3.1): frame headers, block headers and skippable frames,
 * walked without decoding anything. The decoder (`zstd.ts`) and the Node side (which hands whole
 * frames to the system's libzstd) both use {@link zstdFrames}, so there is one reading of it.
 */
import { zstdCorrupt } from './decompress-error.js';

/** Zstandard frame magic 0xFD2FB528, stored little-endian (RFC 8878 3.1.1). */
export const ZSTD_MAGIC = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd);
const ZSTD_MAGIC_NUMBER = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50 … 0x184D2A5F (RFC 8878 3.1.2). */
const SKIPPABLE_MAGIC_HIGH = 0x184d2a5;

/** Block_Type (RFC 8878 3.1.1.2.2). */
export const BLOCK_RAW = 0;
export const BLOCK_RLE = 1;
export const BLOCK_COMPRESSED = 2;
const BLOCK_RESERVED = 3;
/** The largest Block_Maximum_Size (RFC 8878 3.1.1.2.3): 128 KiB. */
export const BLOCK_SIZE_MAX = 128 * 1024;
/**
 * The largest window libzstd decodes unless told otherwise (ZSTD_WINDOWLOG_LIMIT_DEFAULT 27,
 * `ZSTD_MAXWINDOWSIZE_DEFAULT` = 2^27 + 1): kmod's `load_zstd` and the `zstd` command refuse a
 * frame that needs more ("Frame requires too much memory for decoding").
 */
export const ZSTD_WINDOW_MAX = 2 ** 27 + 1;

/** One block header (RFC 8878 3.1.1.2): where the block's content is and what it declares. */
export interface ZstdBlock {
  /** Offset of the 3-byte block header in the input. */
  readonly offset: number;
  /** Block_Type: 0 raw, 1 RLE, 2 compressed. */
  readonly type: 0 | 1 | 2;
  /** Block_Size: the content size of a raw or compressed block, the output size of an RLE block. */
  readonly size: number;
  readonly last: boolean;
}

/** A Zstandard frame (RFC 8878 3.1.1) as {@link zstdFrames} finds it. */
export interface ZstdFrame {
  readonly kind: 'zstd';
  /** Offset of the magic number in the input. */
  readonly offset: number;
  /** Offset just past the frame (its content checksum included); the input's end if `truncated`. */
  readonly end: number;
  /** The input ends inside this frame (its header, a block or the checksum). */
  readonly truncated: boolean;
  /** Offset of the first block header, just past the frame header. */
  readonly headerEnd: number;
  readonly singleSegment: boolean;
  /** Window_Size in bytes; for a single-segment frame, the content size. */
  readonly windowSize: number;
  /** Dictionary_ID, 0 when absent. */
  readonly dictionaryId: number;
  /** Frame_Content_Size, undefined when the header does not give it. */
  readonly contentSize: number | undefined;
  /** Content_Checksum_flag: the frame ends in the low 32 bits of XXH64 of its content. */
  readonly hasChecksum: boolean;
  /** Offset of the 4-byte content checksum, when there is one and it is inside the input. */
  readonly checksumOffset: number | undefined;
  /** The block headers, in order. */
  readonly blocks: readonly ZstdBlock[];
}

/** A skippable frame (RFC 8878 3.1.2): user data a decoder skips. */
export interface ZstdSkippableFrame {
  readonly kind: 'skippable';
  readonly offset: number;
  readonly end: number;
  readonly truncated: boolean;
  /** The magic number's low four bits (0 … 15). */
  readonly variant: number;
  /** Frame_Size: the user data's length. */
  readonly dataSize: number;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Whether the 1 … 3 bytes `tail` are how a zstd or skippable frame's magic number begins. */
function isMagicPrefix(tail: Uint8Array): boolean {
  const skippable = [0x50, 0x2a, 0x4d];
  const zstd = tail.every((x, i) => x === ZSTD_MAGIC[i]);
  return zstd || tail.every((x, i) => (i === 0 ? (x & 0xf0) === skippable[0] : x === skippable[i]));
}

/**
 * Every frame of `bytes` in order, from their headers and block headers alone (nothing is decoded,
 * nothing is allocated in proportion to a declared size). Input that ends inside a frame gives that
 * frame last with `truncated: true` (libzstd's "unexpected end"; kmod keeps what was decoded before
 * the cut). Throws ElfError `DECOMPRESS_CORRUPT`, with the offset, for bytes that are not a frame
 * and for reserved values: frame header bit 3, block type 3.
 */
export function zstdFrames(bytes: Uint8Array): (ZstdFrame | ZstdSkippableFrame)[] {
  const frames: (ZstdFrame | ZstdSkippableFrame)[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 4) {
      if (!isMagicPrefix(bytes.subarray(pos))) zstdCorrupt('not a zstd frame', pos);
      const kind = bytes[pos] === ZSTD_MAGIC[0] ? 'zstd' : 'skippable';
      frames.push(kind === 'zstd' ? cutFrame(pos, bytes.length) : cutSkippable(bytes, pos));
      break;
    }
    const magic = u32le(bytes, pos);
    if (magic >>> 4 === SKIPPABLE_MAGIC_HIGH) {
      const frame = skippableFrame(bytes, pos);
      frames.push(frame);
      pos = frame.end;
    } else if (magic === ZSTD_MAGIC_NUMBER) {
      const frame = zstdFrame(bytes, pos);
      frames.push(frame);
      pos = frame.end;
    } else {
      zstdCorrupt('not a zstd frame', pos);
    }
  }
  return frames;
}

function cutSkippable(bytes: Uint8Array, offset: number): ZstdSkippableFrame {
  return { kind: 'skippable', offset, end: bytes.length, truncated: true, variant: 0, dataSize: 0 };
}

function cutFrame(offset: number, end: number): ZstdFrame {
  return {
    kind: 'zstd',
    offset,
    end,
    truncated: true,
    headerEnd: end,
    singleSegment: false,
    windowSize: 0,
    dictionaryId: 0,
    contentSize: undefined,
    hasChecksum: false,
    checksumOffset: undefined,
    blocks: [],
  };
}

function skippableFrame(bytes: Uint8Array, offset: number): ZstdSkippableFrame {
  if (offset + 8 > bytes.length) return cutSkippable(bytes, offset);
  const dataSize = u32le(bytes, offset + 4);
  const end = offset + 8 + dataSize;
  const truncated = end > bytes.length;
  const variant = bytes[offset]! & 0x0f;
  return { kind: 'skippable', offset, end: truncated ? bytes.length : end, truncated, variant, dataSize };
}

/** The frame whose magic number is at `offset` (RFC 8878 3.1.1.1 header, 3.1.1.2 blocks). */
function zstdFrame(bytes: Uint8Array, offset: number): ZstdFrame {
  let pos = offset + 4;
  if (pos >= bytes.length) return cutFrame(offset, bytes.length);
  const descriptor = bytes[pos++]!;
  const fcsFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  if (descriptor & 0x08) zstdCorrupt('reserved bit of the frame header descriptor is set', pos - 1);
  const hasChecksum = (descriptor & 0x04) !== 0;
  const dictIdSize = [0, 1, 2, 4][descriptor & 3]!;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  const headerEnd = pos + (singleSegment ? 0 : 1) + dictIdSize + fcsSize;
  if (headerEnd > bytes.length) return cutFrame(offset, bytes.length);
  let windowSize = 0;
  if (!singleSegment) {
    const wd = bytes[pos++]!;
    const base = 2 ** (10 + (wd >>> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  let dictionaryId = 0;
  for (let i = dictIdSize - 1; i >= 0; i--) dictionaryId = dictionaryId * 256 + bytes[pos + i]!;
  pos += dictIdSize;
  let contentSize: number | undefined;
  if (fcsSize > 0) {
    contentSize = 0;
    for (let i = fcsSize - 1; i >= 0; i--) contentSize = contentSize * 256 + bytes[pos + i]!;
    if (fcsSize === 2) contentSize += 256;
    if (singleSegment) windowSize = contentSize;
  }
  pos = headerEnd;
  const blocks: ZstdBlock[] = [];
  let truncated = true;
  while (pos + 3 <= bytes.length) {
    const header = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16);
    const type = (header >>> 1) & 3;
    if (type === BLOCK_RESERVED) zstdCorrupt('reserved block type', pos);
    const size = header >>> 3;
    const last = (header & 1) !== 0;
    blocks.push({ offset: pos, type: type as 0 | 1 | 2, size, last });
    pos += 3 + (type === BLOCK_RLE ? 1 : size);
    if (pos > bytes.length) break;
    if (last) {
      truncated = hasChecksum && pos + 4 > bytes.length;
      break;
    }
  }
  const checksumOffset = hasChecksum && !truncated ? pos : undefined;
  const end = truncated ? bytes.length : pos + (hasChecksum ? 4 : 0);
  return {
    kind: 'zstd',
    offset,
    end,
    truncated,
    headerEnd,
    singleSegment,
    windowSize,
    dictionaryId,
    contentSize,
    hasChecksum,
    checksumOffset,
    blocks,
  };
}
