/**
 * The one decompression entry point of @kmodkit/elf: modules installed as `.ko.gz`, `.ko.xz` or
 * `.ko.zst` (kernel `scripts/Makefile.modinst`, kmod `libkmod-file.c`) are recognised by their
 * magic, never by their name, and decompressed synchronously in any JavaScript runtime. The
 * decoders are gzip.ts (fflate), xz.ts + lzma2.ts and zstd.ts (written here).
 */
import { decompressGzip, GZIP_MAGIC } from './gzip.js';
import type { Compression } from './module.js';
import { decompressXz, XZ_MAGIC } from './xz.js';
import { decompressZstd } from './zstd.js';
import { ZSTD_MAGIC } from './zstd-frames.js';

/**
 * The largest output `decompress` produces unless told otherwise. The biggest module in Debian 12's
 * 6.1 kernel (amdgpu.ko) is about 15 MiB; a limit far above that still stops a small file that
 * claims gigabytes from exhausting memory.
 */
export const MAX_DECOMPRESSED_SIZE = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse (DECOMPRESS_TOO_LARGE) output larger than this many bytes. Default 256 MiB. */
  maxSize?: number;
  /**
   * Verify the data checksums: gzip's CRC32, each xz block's check, zstd's XXH64 content checksum
   * (as kmod's libraries and the kernel do). Default true. Sizes and structure are always checked.
   */
  verifyChecksums?: boolean;
}

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/**
 * The compression of a module file, from its first bytes (as kmod's `libkmod-file.c` does with its
 * `magic` table). Anything else, an ELF image included, is 'none'.
 */
export function detectCompression(bytes: Uint8Array): Compression {
  if (startsWith(bytes, XZ_MAGIC)) return 'xz';
  if (startsWith(bytes, ZSTD_MAGIC)) return 'zstd';
  if (startsWith(bytes, GZIP_MAGIC)) return 'gzip';
  return 'none';
}

/**
 * Decompresses a `.ko.gz`, `.ko.xz` or `.ko.zst` file to the ELF image; returns other input as it
 * is (the same view, not a copy). Synchronous, browser-safe.
 */
export function decompress(bytes: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  const maxSize = options.maxSize ?? MAX_DECOMPRESSED_SIZE;
  const verify = options.verifyChecksums ?? true;
  switch (detectCompression(bytes)) {
    case 'none':
      return bytes;
    case 'xz':
      return decompressXz(bytes, maxSize, verify);
    case 'zstd':
      return decompressZstd(bytes, maxSize, verify);
    case 'gzip':
      return decompressGzip(bytes, maxSize, verify);
  }
}
