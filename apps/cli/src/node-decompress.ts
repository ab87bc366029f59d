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
 * The wasm build's one-shot decoder needs the frame's content size, which zstd writes by default
 * (RFC 8878 3.1.1.1.1: Single_Segment_flag, or a Frame_Content_Size_flag other than 0); without it,
 * undefined sends the input to @kmodkit/elf's streaming decoder.
 */
function zstdDecoder(decompress: (bytes: Uint8Array) => Uint8Array): Decode {
  return (bytes) => {
    const descriptor = bytes[4] ?? 0;
    const sized = (descriptor & 0x20) !== 0 || descriptor >> 6 !== 0;
    if (!sized) return undefined;
    try {
      return decompress(bytes);
    } catch (e) {
      // The one-shot decoder cannot tell a frame cut short from a corrupt one; kmod can (below).
      const prefix = zstdPrefix(bytes);
      if (prefix === undefined) throw e;
      return prefix;
    }
  };
}

/**
 * What kmod makes of a truncated `.ko.zst`: `libkmod-file.c: load_zstd` streams until the input runs
 * out and keeps what was decoded so far, without asking whether the frame was complete — so the
 * module is then read as a (short) ELF file, not refused as bad compressed data. Undefined when the
 * input is not a frame cut short.
 */
function zstdPrefix(bytes: Uint8Array): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let complete = false;
  try {
    new Decompress((chunk, final) => {
      parts.push(chunk);
      complete ||= final === true;
    }).push(bytes);
  } catch {
    return undefined;
  }
  // A complete frame the one-shot decoder refused is corrupt (its checksum, say): kmod refuses it too.
  return complete ? undefined : Buffer.concat(parts);
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
