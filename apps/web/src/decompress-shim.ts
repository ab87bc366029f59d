/**
 * Stands in for `@kmodkit/elf`'s `decompress.js` inside the page's bundle (vite.config.ts redirects
 * the library's own imports of it here), so that gzip, xz and zstd — most of the reader's code — load
 * only when a compressed file is opened: `loadDecompressors()` must have resolved before `readModule`
 * sees bytes that are not ELF. Until then `detectCompression` says 'none', which is right for the only
 * input it is then given (bytes starting with the ELF magic).
 */
import type * as Real from 'kmodkit:elf-decompress';

let real: typeof Real | undefined;

/** Loads the real decompressors (a separate chunk); later calls return the same promise. */
let loading: Promise<void> | undefined;
export function loadDecompressors(): Promise<void> {
  loading ??= import('kmodkit:elf-decompress').then((m) => {
    real = m;
  });
  return loading;
}

/** The same value as the library's (the page test compares them). */
export const MAX_DECOMPRESSED_SIZE = 256 * 1024 * 1024;

export const detectCompression: typeof Real.detectCompression = (bytes) =>
  real === undefined ? 'none' : real.detectCompression(bytes);

export const decompress: typeof Real.decompress = (bytes, options) => {
  if (real === undefined) throw new Error('decompressors not loaded: call loadDecompressors() first');
  return real.decompress(bytes, options);
};
