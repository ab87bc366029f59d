import { type Compression, KernelModule, type ReadModuleOptions } from './module.js';

/**
 * Reads a kernel module image. Checks only that the bytes are ELF (class and byte order known);
 * everything else is read lazily by the returned object's properties.
 *
 * @throws ElfError `NOT_ELF` if the bytes are not an ELF image.
 */
export function readModule(bytes: Uint8Array, options: ReadModuleOptions = {}): KernelModule {
  const compression: Compression = options.compression ?? 'none';
  return new KernelModule(bytes, compression);
}
