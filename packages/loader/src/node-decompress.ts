/**
 * Node-only fast paths for compressed modules, handed to `readModule` as its `decompress` option.
 * @kmodkit/elf's own decoders are browser-safe JavaScript; in Node, native code is several times
 * faster, which decides whether `kmodkit modinfo` keeps up with kmod over thousands of `.ko.xz`:
 * gzip through `node:zlib`, xz and zstd through the system's liblzma and libzstd called with ffi-rs
 * (an optional dependency with prebuilt binaries), or else, for zstd, the zstd library compiled to
 * WebAssembly (`@bokuweb/zstd-wasm`); Node 20's zlib has no zstd. Without them xz is @kmodkit/elf's.
 *
 * The native decoders load asynchronously ({@link loadDecompressors}); a kind not loaded falls back to
 * @kmodkit/elf's decoder, so the answer is the same either way, only slower.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Compression, MAX_DECOMPRESSED_SIZE } from '@kmodkit/elf';
import type { JsExternal } from 'ffi-rs';
import { Decompress } from 'fzstd';
import { LoaderError } from './error.js';

export type CompressedKind = Exclude<Compression, 'none'>;
type Decode = (bytes: Uint8Array) => Uint8Array | undefined;

const loaded = new Map<CompressedKind, Decode>([['gzip', (bytes) => gunzipSync(bytes)]]);

/** The loads begun, so that a second call waits for the first instead of loading again. */
const loading = new Map<CompressedKind, Promise<void>>();

/** Loads the native decoders for `kinds` (once; a decoder that fails to load is left to @kmodkit/elf). */
export async function loadDecompressors(kinds: Iterable<CompressedKind>): Promise<void> {
  const loads: Promise<void>[] = [];
  for (const kind of new Set(kinds)) {
    if (kind === 'gzip') continue;
    let load = loading.get(kind);
    if (load === undefined) {
      load = loadDecompressor(kind);
      loading.set(kind, load);
    }
    loads.push(load);
  }
  await Promise.all(loads);
}

async function loadDecompressor(kind: 'xz' | 'zstd'): Promise<void> {
  try {
    if (kind === 'xz') {
      const xz = systemXz();
      if (xz !== undefined) loaded.set('xz', xz);
    } else {
      loaded.set('zstd', zstdDecoder(systemZstd() ?? (await wasmZstd())));
    }
  } catch {
    // Not available on this platform: @kmodkit/elf's decoder does the work.
  }
}

/** liblzma's `lzma_ret` values this decoder tells apart (lzma/base.h). */
const LZMA_OK = 0;
const LZMA_BUF_ERROR = 10;

/**
 * xz through the system's liblzma (`liblzma.so.5`, the library kmod itself links), called with ffi-rs
 * like libzstd: `lzma_stream_buffer_decode` on each stream in turn, which reads xz as kmod's
 * `libkmod-file.c: load_xz` does (a `LZMA_CONCATENATED` stream decoder finished at the end of the
 * file): streams one after another, each followed by stream padding (zero bytes, a multiple of four),
 * and anything else after a stream, or a stream cut short, an error. The output goes into one buffer
 * reused from call to call, sized from the last stream's index; the result is a view of it, valid
 * until the next call. Undefined when ffi-rs or liblzma is missing.
 */
export function systemXz(): ((bytes: Uint8Array) => Uint8Array) | undefined {
  let ffi: typeof import('ffi-rs');
  try {
    ffi = loadFfi();
    ffi.open({ library: 'liblzma', path: 'liblzma.so.5' });
  } catch {
    return undefined;
  }
  const { DataType, load } = ffi;
  // uint64_t *memlimit (no limit: kmod passes UINT64_MAX), size_t *in_pos, size_t *out_pos.
  const memlimit = Buffer.alloc(8);
  const inPos = Buffer.alloc(8);
  const outPos = Buffer.alloc(8);
  const decode = (src: Buffer, at: number, dst: Buffer, outAt: number) => {
    memlimit.writeBigUInt64LE(0xffffffffffffffffn);
    inPos.writeBigUInt64LE(BigInt(at));
    outPos.writeBigUInt64LE(BigInt(outAt));
    return load({
      library: 'liblzma',
      funcName: 'lzma_stream_buffer_decode',
      retType: DataType.I32,
      paramsType: [
        DataType.U8Array,
        DataType.I32,
        DataType.U64, // const lzma_allocator *: NULL
        DataType.U8Array,
        DataType.U8Array,
        DataType.U64,
        DataType.U8Array,
        DataType.U8Array,
        DataType.U64,
      ],
      paramsValue: [memlimit, 0, 0, src, inPos, src.length, dst, outPos, dst.length],
    }) as number;
  };
  let out = Buffer.alloc(0);
  return (bytes) => {
    const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Every file kmod reads ends with a stream's index and footer (then padding): else it is cut short.
    const last = xzLastStreamSize(bytes);
    if (last === undefined)
      throw new LoaderError('DECOMPRESS', 'xz: the input does not end with a stream footer');
    let capacity = Math.max(last, 4 * bytes.length, 1 << 16);
    let at = 0;
    let outAt = 0;
    for (;;) {
      if (capacity > out.length) {
        const bigger = Buffer.alloc(Math.max(capacity, 2 * out.length));
        out.copy(bigger, 0, 0, outAt);
        out = bigger;
      }
      const ret = decode(src, at, out.subarray(0, capacity), outAt);
      if (ret === LZMA_BUF_ERROR && capacity < MAX_DECOMPRESSED_SIZE) {
        // The output did not fit (or the input ends early: the next tries fail the same way).
        capacity = nextCapacity(capacity);
        continue;
      }
      if (ret !== LZMA_OK) throw new LoaderError('DECOMPRESS', `xz: liblzma error ${ret}`, { offset: at });
      at = Number(inPos.readBigUInt64LE());
      outAt = Number(outPos.readBigUInt64LE());
      let end = at;
      while (end < bytes.length && bytes[end] === 0) end++;
      if ((end - at) % 4 !== 0) {
        throw new LoaderError('DECOMPRESS', 'xz: stream padding is not a multiple of four bytes', {
          offset: at,
        });
      }
      if (end === bytes.length) return out.subarray(0, outAt);
      at = end;
      capacity = Math.max(capacity, outAt + 4 * (bytes.length - at));
    }
  };
}

/**
 * The uncompressed size of the last xz stream in `bytes`, from its index (xz file format 2.1.2, 4):
 * the stream footer's Backward Size locates the index, whose records each give an Uncompressed Size
 * (a multibyte integer). Undefined when the end of `bytes` is not laid out that way.
 */
function xzLastStreamSize(bytes: Uint8Array): number | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end < 24 || bytes[end - 2] !== 0x59 || bytes[end - 1] !== 0x5a) return undefined;
  const backward = (u32le(bytes, end - 8) + 1) * 4;
  let p = end - 12 - backward;
  if (p < 12 || bytes[p] !== 0) return undefined;
  p++;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 1, i = 0; i < 9 && p < end; i++, shift *= 128) {
      const b = bytes[p++]!;
      v += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return v;
    }
    return undefined;
  };
  const count = varint();
  if (count === undefined || count > backward) return undefined;
  let size = 0;
  for (let i = 0; i < count; i++) {
    if (varint() === undefined) return undefined;
    const uncompressed = varint();
    if (uncompressed === undefined) return undefined;
    size += uncompressed;
  }
  return size <= MAX_OUTPUT ? size : undefined;
}

/**
 * One-shot zstd through the system's libzstd (`libzstd.so.1`, the library kmod itself links), called
 * with ffi-rs: native zstd decodes about 1.6 times as fast as its WebAssembly build. The output goes
 * into one buffer reused from call to call, and the result is a view of it, valid until the next call.
 * Undefined when ffi-rs (an optional dependency with prebuilt binaries) or libzstd is missing.
 */
export function systemZstd(): ((bytes: Uint8Array) => Uint8Array) | undefined {
  let ffi: typeof import('ffi-rs');
  let dctx: JsExternal;
  try {
    ffi = loadFfi();
    ffi.open({ library: 'libzstd', path: 'libzstd.so.1' });
    // One decompression context for every file, as a streaming reader would keep: ZSTD_decompress
    // would make and free one per call (measured: 15% of the decoding time).
    dctx = ffi.load({
      library: 'libzstd',
      funcName: 'ZSTD_createDCtx',
      retType: ffi.DataType.External,
      paramsType: [],
      paramsValue: [],
    });
    if (ffi.isNullPointer(dctx)) return undefined;
  } catch {
    return undefined;
  }
  const { DataType, load } = ffi;
  const decompress = (dst: Buffer, capacity: number, src: Buffer) =>
    Number(
      load({
        library: 'libzstd',
        funcName: 'ZSTD_decompressDCtx',
        retType: DataType.U64,
        paramsType: [DataType.External, DataType.U8Array, DataType.U64, DataType.U8Array, DataType.U64],
        paramsValue: [dctx, dst, capacity, src, src.length],
      }),
    );
  let out = Buffer.alloc(0);
  return (bytes) => {
    const src = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let capacity = firstCapacity(bytes); ; capacity = nextCapacity(capacity)) {
      if (capacity > out.length) out = Buffer.alloc(Math.max(capacity, 2 * out.length));
      // An error code is (size_t)-code: ffi-rs gives it as a negative number.
      const n = decompress(out, capacity, src);
      if (n >= 0 && n <= capacity) return out.subarray(0, n);
      retryOrThrow(-n, capacity);
    }
  };
}

/** zstd's error number (zstd_errors.h) for an output buffer too small: try again with a bigger one. */
const ZSTD_ERROR_DST_SIZE_TOO_SMALL = 70;
/** Beyond this, an output buffer is not grown further: no module is that big. */
const MAX_OUTPUT = 1 << 30;

/** A one-shot zstd decoder's failure: a LoaderError 'DECOMPRESS' whose `cause` has zstd's error number. */
function zstdError(code: number): LoaderError {
  return new LoaderError('DECOMPRESS', `zstd: error ${code}`, { cause: { zstdError: code } });
}

/**
 * The output buffer's size for a first try: the frame's content size (a second frame after it needs
 * more, and gets it on the next try), or for a frame that does not say it four times the input.
 */
function firstCapacity(bytes: Uint8Array): number {
  return frameContentSize(bytes) ?? Math.max(4 * bytes.length, 1 << 16);
}

/** The next try's buffer size: twice the last (at least 64 KiB). */
const nextCapacity = (capacity: number) => Math.max(2 * capacity, 1 << 16);

/** After a failed try: returns to try again with a bigger buffer, or throws the error. */
function retryOrThrow(code: number, capacity: number): void {
  if (!(code === ZSTD_ERROR_DST_SIZE_TOO_SMALL && capacity < MAX_OUTPUT)) throw zstdError(code);
}

/**
 * The Frame_Content_Size of the zstd frame `bytes` start with (RFC 8878 3.1.1.1), or undefined when
 * the header does not give it (or gives more than 4 GiB, which no module is).
 */
export function frameContentSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4 || u32le(bytes, 0) !== ZSTD_MAGIC) return undefined;
  return frameHeader(bytes, 0)?.contentSize;
}

const ZSTD_MAGIC = 0xfd2fb528;

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/**
 * The header of the zstd frame whose magic number is at `at` (RFC 8878 3.1.1.1): where it ends,
 * whether the frame ends in a content checksum, and its Frame_Content_Size if given (and under
 * 4 GiB); undefined when `bytes` end inside the header.
 */
function frameHeader(
  bytes: Uint8Array,
  at: number,
): { end: number; checksum: boolean; contentSize: number | undefined } | undefined {
  if (at + 5 > bytes.length) return undefined;
  const descriptor = bytes[at + 4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const fcsAt = at + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  const width = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag]!;
  const end = fcsAt + width;
  if (end > bytes.length) return undefined;
  let contentSize: number | undefined;
  if (width > 0 && !(width === 8 && u32le(bytes, fcsAt + 4) !== 0)) {
    contentSize = 0;
    for (let i = Math.min(width, 4) - 1; i >= 0; i--) contentSize = contentSize * 256 + bytes[fcsAt + i]!;
    if (width === 2) contentSize += 256;
  }
  return { end, checksum: (descriptor & 0x04) !== 0, contentSize };
}

/** The C functions of @bokuweb/zstd-wasm's emscripten module that {@link wasmDecompressor} calls. */
interface ZstdModule {
  readonly HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  _ZSTD_createDCtx(): number;
  _ZSTD_decompress_usingDict(
    dctx: number,
    dst: number,
    dstCapacity: number,
    src: number,
    srcSize: number,
    dict: number,
    dictSize: number,
  ): number;
  _ZSTD_isError(code: number): number;
}

/** One-shot zstd through @bokuweb/zstd-wasm: {@link wasmDecompressor}, else the package's own `decompress`. */
export async function wasmZstd(): Promise<(bytes: Uint8Array) => Uint8Array> {
  const zstd = await import('@bokuweb/zstd-wasm');
  await zstd.init();
  return wasmDecompressor() ?? zstd.decompress;
}

/**
 * A one-shot decoder over @bokuweb/zstd-wasm's C functions that keeps one decompression context and
 * one input and one output buffer in wasm memory from call to call, and returns a view of the output
 * there instead of a copy: the package's own `decompress` allocates both buffers and a context, and
 * copies the result out, for every file — 379 MB of garbage over Debian's modules, and a third of the
 * decoding time. The view is valid until the next call (a module is reported on before the next one
 * is read). The module is not among the package's exports, so it is found next to its entry point;
 * undefined if it is not there as expected (the package's `decompress` then does the work).
 */
function wasmDecompressor(): ((bytes: Uint8Array) => Uint8Array) | undefined {
  let m: ZstdModule;
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@bokuweb/zstd-wasm');
    m = (require(join(dirname(entry), 'module.js')) as { Module: ZstdModule }).Module;
    if (typeof m._ZSTD_decompress_usingDict !== 'function' || !(m.HEAPU8 instanceof Uint8Array))
      return undefined;
  } catch {
    return undefined;
  }
  const dctx = m._ZSTD_createDCtx();
  const input = wasmBuffer(m);
  const output = wasmBuffer(m);
  return (bytes) => {
    const src = input(bytes.length);
    m.HEAPU8.set(bytes, src);
    for (let capacity = firstCapacity(bytes); ; capacity = nextCapacity(capacity)) {
      const dst = output(capacity);
      // size_t is 32 bits here: an error code comes back as a negative number.
      const n = m._ZSTD_decompress_usingDict(dctx, dst, capacity, src, bytes.length, 0, 0);
      if (!m._ZSTD_isError(n)) return m.HEAPU8.subarray(dst, dst + n);
      retryOrThrow(-n, capacity);
    }
  };
}

/**
 * A buffer in wasm memory kept from call to call: called with the size needed, it returns the
 * buffer's address, grown (to at least twice its size) when it is too small.
 */
function wasmBuffer(m: ZstdModule): (size: number) => number {
  let at = 0;
  let capacity = 0;
  return (size) => {
    if (size <= capacity) return at;
    const want = Math.max(size, 2 * capacity);
    if (at !== 0) m._free(at);
    capacity = 0;
    at = m._malloc(want);
    if (at === 0) throw zstdError(64); // ZSTD_error_memory_allocation
    capacity = want;
    return at;
  };
}

/**
 * zstd the way kmod's `libkmod-file.c: load_zstd` streams it through libzstd: every frame to the end
 * of the input, checksums checked, and when the input ends inside a frame, what was decoded so far (a
 * truncated `.ko.zst` is read as a short ELF file, not refused). The one-shot decoder does the work
 * and its errors are kmod's; only input that ends inside a frame ({@link cutShort}) is handed to a
 * streaming decoder (fzstd) for the part before the cut. A decoder without zstd's error numbers
 * (the wasm package's own `decompress`) hands every failure to fzstd, which checks no checksums.
 */
function zstdDecoder(decompress: (bytes: Uint8Array) => Uint8Array): Decode {
  return (bytes) => {
    try {
      return decompress(bytes);
    } catch (e) {
      // The error number alone does not tell a frame cut short: a checksum cut short is
      // checksum_wrong to a one-shot decoder, and garbage after a frame is srcSize_wrong. So the
      // frames are walked to tell.
      if (e instanceof LoaderError && !cutShort(bytes)) throw e;
    }
    return zstdStream(bytes);
  };
}

/**
 * Whether `bytes` end inside a zstd frame (RFC 8878 3.1): each frame's header, its blocks (Last_Block,
 * Block_Type, Block_Size in a 3-byte header; an RLE block holds one byte) and its optional 4-byte
 * checksum, and skippable frames, walked to the end of the input. Anything that is not a frame is
 * not "cut short" (it is corrupt).
 */
export function cutShort(bytes: Uint8Array): boolean {
  let at = 0;
  while (at < bytes.length) {
    // Fewer than 4 bytes: the start of a frame if they start a magic number (libzstd checks that much).
    if (bytes.length - at < 4) return isMagicPrefix(bytes.subarray(at));
    const magic = u32le(bytes, at);
    if (magic >>> 4 === 0x184d2a5) {
      if (at + 8 > bytes.length) return true;
      at += 8 + u32le(bytes, at + 4); // skippable frame
      if (at > bytes.length) return true;
      continue;
    }
    if (magic !== ZSTD_MAGIC) return false;
    const header = frameHeader(bytes, at);
    if (header === undefined) return true;
    let pos = header.end;
    for (;;) {
      if (pos + 3 > bytes.length) return true;
      const block = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16);
      const type = (block >> 1) & 3;
      if (type === 3) return false; // reserved
      pos += 3 + (type === 1 ? 1 : block >>> 3);
      if (pos > bytes.length) return true;
      if (block & 1) break;
    }
    if (header.checksum) pos += 4;
    if (pos > bytes.length) return true;
    at = pos;
  }
  return false;
}

/** Whether `tail` is how a zstd frame or a skippable frame begins. */
function isMagicPrefix(tail: Uint8Array): boolean {
  const zstd = [0x28, 0xb5, 0x2f, 0xfd];
  const skippable = [0x50, 0x2a, 0x4d, 0x18];
  const starts = (magic: number[], mask0: number) =>
    tail.every((b, i) => (i === 0 ? (b & mask0) === magic[0] : b === magic[i]));
  return starts(zstd, 0xff) || starts(skippable, 0xf0);
}

/** What fzstd decodes of `bytes` before they end; fzstd's errors (corrupt data) are thrown. */
function zstdStream(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  new Decompress((chunk) => parts.push(chunk)).push(bytes);
  return Buffer.concat(parts);
}

/**
 * ffi-rs, loaded synchronously on first use (it takes some 50 ms, which a run over plain `.ko` files
 * never pays); throws when it is not installed.
 */
export function loadFfi(): typeof import('ffi-rs') {
  ffiModule ??= createRequire(import.meta.url)('ffi-rs') as typeof import('ffi-rs');
  return ffiModule;
}
let ffiModule: typeof import('ffi-rs') | undefined;

/** The kinds whose native decoder was tried on demand (see {@link fastDecoder}). */
const tried = new Set<CompressedKind>();

/**
 * The fast decoder for `kind` — the kind detected from the input's magic number. A native decoder not
 * loaded yet is loaded now, synchronously (the WebAssembly zstd build only by {@link loadDecompressors},
 * as it loads asynchronously). The decoder returns undefined for input it leaves to @kmodkit/elf and
 * throws a LoaderError for corrupt input; undefined when there is none (@kmodkit/elf decodes).
 */
export function fastDecoder(
  kind: CompressedKind,
): ((bytes: Uint8Array) => Uint8Array | undefined) | undefined {
  const decode = loaded.get(kind);
  if (decode !== undefined || tried.has(kind)) return decode;
  tried.add(kind);
  if (loading.has(kind)) return undefined; // an asynchronous load is under way
  const native = kind === 'xz' ? systemXz() : kind === 'zstd' ? systemZstd() : undefined;
  if (native !== undefined) loaded.set(kind, kind === 'zstd' ? zstdDecoder(native) : native);
  return loaded.get(kind);
}
