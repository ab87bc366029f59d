/**
 * The decoders `kmodkit depmod` gives @kmodkit/loader, in both of its threads: the native ones of
 * node-decompress.ts where they load, else @kmodkit/elf's.
 */
import { decompress } from '@kmodkit/elf';
import type { ModuleDecoder } from '@kmodkit/loader';
import { type CompressedKind, fastDecoder, loadDecompressors } from '@kmodkit/loader';

export async function loadDepmodDecoder(kinds: readonly CompressedKind[]): Promise<ModuleDecoder> {
  await loadDecompressors(kinds);
  return (bytes, kind) => fastDecoder(kind)?.(bytes) ?? decompress(bytes);
}

/** The worker script (bundle/depmod-worker.js beside bundle/kmodkit.js, or dist/depmod-worker.js). */
export const DEPMOD_WORKER = new URL('./depmod-worker.js', import.meta.url);
