/**
 * Node-only fast paths for compressed modules, handed to `readModule` as its `decompress` option.
 * @kmodkit/elf's own decoders are browser-safe JavaScript; in Node, native code is several times
 * faster, which decides whether `kmodkit modinfo` keeps up with kmod over thousands of `.ko.xz`:
 * gzip through `node:zlib`, xz through liblzma (`node-liblzma`, prebuilt), zstd through the system's
 * libzstd called with ffi-rs, or else the zstd library compiled to WebAssembly (`@bokuweb/zstd-wasm`);
 * Node 20's zlib has no zstd.
 *
 * The native decoders load asynchronously ({@link loadDecompressors}); a kind not loaded falls back to
 * @kmodkit/elf's decoder, so the answer is the same either way, only slower.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Compression } from '@kmodkit/elf';
import type { JsExternal } from 'ffi-rs';
import { Decompress } from 'fzstd';

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
      const { unxzSync } = await import('node-liblzma');
      loaded.set('xz', (bytes) => unxzSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    } else {
      loaded.set('zstd', zstdDecoder((await systemZstd()) ?? (await wasmZstd())));
    }
  } catch {
    // Not available on this platform: @kmodkit/elf's decoder does the work.
  }
}

/**
 * One-shot zstd through the system's libzstd (`libzstd.so.1`, the library kmod itself links), called
 * with ffi-rs: native zstd decodes about 1.6 times as fast as its WebAssembly build. The output goes
 * into one buffer reused from call to call, and the result is a view of it, valid until the next call.
 * Undefined when ffi-rs (an optional dependency with prebuilt binaries) or libzstd is missing.
 */
export async function systemZstd(): Promise<((bytes: Uint8Array) => Uint8Array) | undefined> {
  let ffi: typeof import('ffi-rs');
  let dctx: JsExternal;
  try {
    ffi = await import('ffi-rs');
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
    const size = frameContentSize(bytes);
    if (size === undefined) throw new Error('zstd: no content size in the frame header');
    if (size > out.length) out = Buffer.alloc(Math.max(size, 2 * out.length));
    // An error code is (size_t)-code: ffi-rs gives it as a negative number (a far too big one would
    // be refused as well).
    const n = decompress(out, size, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (!(n >= 0 && n <= size)) throw new Error(`zstd: error ${n}`);
    return out.subarray(0, n);
  };
}

/**
 * The Frame_Content_Size of the zstd frame `bytes` start with (RFC 8878 3.1.1.1), or undefined when
 * the header does not give it (or gives more than 4 GiB, which no module is).
 */
export function frameContentSize(bytes: Uint8Array): number | undefined {
  const magic = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  if (bytes.length < 6 || magic >>> 0 !== 0xfd2fb528) return undefined;
  const descriptor = bytes[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  if (fcsFlag === 0 && !singleSegment) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  const width = [1, 2, 4, 8][fcsFlag]!;
  if (at + width > bytes.length) return undefined;
  let size = 0;
  for (let i = Math.min(width, 4) - 1; i >= 0; i--) size = size * 256 + bytes[at + i]!;
  if (width === 8 && (bytes[at + 4]! | bytes[at + 5]! | bytes[at + 6]! | bytes[at + 7]!) !== 0)
    return undefined;
  return width === 2 ? size + 256 : size;
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
  _ZSTD_getFrameContentSize(src: number, srcSize: number): number;
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
  let src = 0;
  let srcCapacity = 0;
  let dst = 0;
  let dstCapacity = 0;
  return (bytes) => {
    if (bytes.length > srcCapacity) {
      if (src !== 0) m._free(src);
      srcCapacity = Math.max(bytes.length, 2 * srcCapacity);
      src = m._malloc(srcCapacity);
      if (src === 0) srcCapacity = 0;
      if (src === 0) throw new Error('zstd: out of wasm memory');
    }
    m.HEAPU8.set(bytes, src);
    // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR come back as -1 and -2 (the 64-bit value's low half).
    const size = m._ZSTD_getFrameContentSize(src, bytes.length);
    if (!(size >= 0)) throw new Error('zstd: no content size in the frame header');
    if (size > dstCapacity) {
      if (dst !== 0) m._free(dst);
      dstCapacity = Math.max(size, 2 * dstCapacity);
      dst = m._malloc(dstCapacity);
      if (dst === 0) dstCapacity = 0;
      if (dst === 0) throw new Error('zstd: out of wasm memory');
    }
    const n = m._ZSTD_decompress_usingDict(dctx, dst, size, src, bytes.length, 0, 0);
    if (m._ZSTD_isError(n)) throw new Error(`zstd: error ${n}`);
    return m.HEAPU8.subarray(dst, dst + n);
  };
}

/**
 * zstd the way kmod's `libkmod-file.c: load_zstd` streams it: to the end of the input, keeping what
 * was decoded when the input ends inside the frame (a truncated `.ko.zst` is then read as a short
 * ELF file, not refused as bad compressed data). The wasm build's one-shot decoder, much the faster,
 * does the work when it can: it needs the frame's content size, which zstd writes unless it
 * compresses a pipe (RFC 8878 3.1.1.1.1: Single_Segment_flag, or a Frame_Content_Size_flag other than
 * 0), and it cannot tell a frame cut short from a corrupt one, so its failures go to the streaming
 * decoder (fzstd) to decide.
 */
function zstdDecoder(decompress: (bytes: Uint8Array) => Uint8Array): Decode {
  return (bytes) => {
    const descriptor = bytes[4] ?? 0;
    const sized = (descriptor & 0x20) !== 0 || descriptor >> 6 !== 0;
    if (sized) {
      try {
        return decompress(bytes);
      } catch {
        // decided below
      }
    }
    return zstdStream(bytes, sized);
  };
}

/**
 * Streams `bytes` through fzstd. A frame cut short gives what was decoded; a complete frame the
 * one-shot decoder refused (`refused`: its checksum, say) is corrupt, as for kmod; fzstd's own errors
 * are thrown.
 */
function zstdStream(bytes: Uint8Array, refused: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let complete = false;
  new Decompress((chunk, final) => {
    parts.push(chunk);
    complete ||= final === true;
  }).push(bytes);
  if (complete && refused) throw new Error('zstd: corrupt frame');
  return Buffer.concat(parts);
}

/**
 * The fast decoder for `kind`, if loaded; it returns undefined for input it leaves to @kmodkit/elf
 * and throws what the native decoder throws for corrupt input.
 */
export function fastDecoder(
  kind: CompressedKind,
): ((bytes: Uint8Array) => Uint8Array | undefined) | undefined {
  return loaded.get(kind);
}
