/**
 * `kmodkit depmod`'s task for @kmodkit/loader's worker thread (runChunks): reads a chunk of the
 * modules with the same decoders as the main thread. The runner loads the native decoders on both
 * threads before the first chunk (the main thread first: ffi-rs crashes the process when only a
 * worker loaded it), so the decoder here only picks them up.
 */
import { decompress } from '@kmodkit/elf';
import { fastDecoder, type ModuleDecoder, readDepmodChunk } from '@kmodkit/loader';

const decoder: ModuleDecoder = (bytes, kind) => fastDecoder(kind)?.(bytes) ?? decompress(bytes);

export function runChunk(paths: readonly string[]): ReturnType<typeof readDepmodChunk> {
  return readDepmodChunk(paths, decoder);
}
