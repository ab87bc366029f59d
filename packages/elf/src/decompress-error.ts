import { ElfError } from './error.js';

/** The ElfError codes of decompression; errno is always ENOEXEC (what kmod's open answers). */
export type DecompressErrorCode =
  | 'DECOMPRESS_CORRUPT'
  | 'DECOMPRESS_TRUNCATED'
  | 'DECOMPRESS_UNSUPPORTED'
  | 'DECOMPRESS_CHECK'
  | 'DECOMPRESS_TOO_LARGE';

/** The one way the decoders report a failure: `<format>: <message>` at byte `offset` of the input. */
export function decompressError(
  format: 'gzip' | 'xz' | 'zstd',
  code: DecompressErrorCode,
  message: string,
  offset: number,
  cause?: unknown,
): ElfError {
  return new ElfError(code, `${format}: ${message}`, { offset, ...(cause === undefined ? {} : { cause }) });
}

/** DECOMPRESS_TOO_LARGE: the output would pass `maxSize`, found before it is allocated. */
export function tooLarge(
  format: 'gzip' | 'xz' | 'zstd',
  size: number | string,
  maxSize: number,
  offset: number,
): ElfError {
  const message = `output would be ${size} bytes, more than the limit of ${maxSize}`;
  return decompressError(format, 'DECOMPRESS_TOO_LARGE', message, offset);
}

/** DECOMPRESS_CORRUPT for zstd, thrown: the one failure of the zstd frame, FSE, Huffman and block readers. */
export function zstdCorrupt(message: string, offset: number): never {
  throw decompressError('zstd', 'DECOMPRESS_CORRUPT', message, offset);
}
