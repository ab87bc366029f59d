/**
 * Node-only fast paths for compressed modules, handed to `readModule` as its `decompress` option.
 * @kmodkit/elf's own decoders are browser-safe JavaScript; in Node, native code is several times
 * faster, which decides whether `kmodkit modinfo` keeps up with kmod over thousands of `.ko.xz`:
 * gzip through `node:zlib`, xz through liblzma (`node-liblzma`, prebuilt), zstd through the official
 * zstd library compiled to WebAssembly (`@bokuweb/zstd-wasm`; Node 20's zlib has no zstd).
 *
 * The native decoders load asynchronously ({@link loadDecompressors}); a kind not loaded falls back to
 * @kmodkit/elf's decoder, so the answer is the same either way, only slower.
 */
import { gunzipSync } from 'node:zlib';
import type { Compression } from '@kmodkit/elf';
import { Decompress } from 'fzstd';

export type CompressedKind = Exclude<Compression, 'none'>;
type Decode = (bytes: Uint8Array) => Uint8Array | undefined;

const loaded = new Map<CompressedKind, Decode>([['gzip', (bytes) => gunzipSync(bytes)]]);

/** Loads the native decoders for `kinds` (once; a decoder that fails to load is left to @kmodkit/elf). */
export async function loadDecompressors(kinds: Iterable<CompressedKind>): Promise<void> {
  for (const kind of new Set(kinds)) {
    if (loaded.has(kind)) continue;
    try {
      if (kind === 'xz') {
        const { unxzSync } = await import('node-liblzma');
        loaded.set('xz', (bytes) => unxzSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
      } else if (kind === 'zstd') {
        const zstd = await import('@bokuweb/zstd-wasm');
        await zstd.init();
        loaded.set('zstd', zstdDecoder(zstd.decompress));
      }
    } catch {
      // Not available on this platform: @kmodkit/elf's decoder does the work.
    }
  }
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
