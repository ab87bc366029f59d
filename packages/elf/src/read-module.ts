import { decompress, detectCompression } from './decompress.js';
import { ElfError, isElfError } from './error.js';
import { type Compression, KernelModule, type ReadModuleOptions } from './module.js';

/**
 * Reads a kernel module image: a compressed one (`.ko.gz`, `.ko.xz`, `.ko.zst`, recognised by its
 * magic) is decompressed first. Checks only that the bytes are ELF (class and byte order known);
 * everything else is read lazily by the returned object's properties.
 *
 * @throws ElfError `NOT_ELF` if the (decompressed) bytes are not an ELF image; `DECOMPRESS_*` if
 *   decompression fails.
 */
export function readModule(bytes: Uint8Array, options: ReadModuleOptions = {}): KernelModule {
  if (options.compression !== undefined) return new KernelModule(bytes, options.compression);
  const kind: Compression = detectCompression(bytes);
  if (kind === 'none') return new KernelModule(bytes, 'none');
  let image: Uint8Array;
  if (options.decompress) {
    try {
      image = options.decompress(bytes, kind);
    } catch (e) {
      if (isElfError(e)) throw e;
      throw new ElfError('DECOMPRESS_FAILED', `${kind}: the decompress option failed: ${String(e)}`, {
        cause: e,
      });
    }
  } else {
    image = decompress(bytes);
  }
  return new KernelModule(image, kind);
}

/** True if `bytes` start with the gzip, xz or zstd magic (so `readModule` will decompress them). */
export function isCompressed(bytes: Uint8Array): boolean {
  return detectCompression(bytes) !== 'none';
}
