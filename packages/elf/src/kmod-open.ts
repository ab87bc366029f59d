/**
 * Whether kmod 30 could open a module, and with which errno it would refuse it, from the file's bytes
 * (`libkmod-file.c: kmod_file_open`, `libkmod-elf.c: kmod_elf_new`, `kmod_elf_get_section`):
 *
 * - fewer bytes than the longest compression magic (6, xz's) → EINVAL;
 * - a compressed file that does not decompress → EINVAL;
 * - no ELF magic, or not more than the 16 bytes of e_ident → ENOEXEC;
 * - any other problem of the ELF header, the section header table or the section-name table → EINVAL;
 * - no `.modinfo` section whose bytes lie in the file → ENOENT.
 *
 * The compression is recognised by its magic number, never by a file name. Browser-safe.
 */
import { detectCompression } from './decompress.js';
import { isElfError } from './error.js';
import { shentsizeProblem } from './layout.js';
import type { Compression, KernelModule } from './module.js';
import { readModule } from './read-module.js';

/** kmod reads this many bytes to recognise a compression magic; a shorter file is EINVAL. */
const MAGIC_READ = 6;

/** A module kmod could open, with the `.modinfo` it would read. */
export interface KmodOpened {
  readonly module: KernelModule;
  readonly compression: Compression;
}

/** Why kmod could not open a module: the errno name its `could not get modinfo` message shows. */
export interface KmodOpenFailure {
  /** `EINVAL`, `ENOEXEC`, `ENOENT` (or, for a file, what the system said: `EACCES` …). */
  readonly errno: string;
  /** What went wrong, in words (kmod itself shows only the errno). */
  readonly message: string;
  /** The ElfError code, or `TRUNCATED`, `DECOMPRESS`, `BAD_ELF`, `NO_MODINFO`. */
  readonly code: string;
  /** Where in the (decompressed) bytes, when known. */
  readonly offset?: number;
}

export interface KmodOpenOptions {
  /**
   * A faster decoder for a compressed input (native code in Node), tried first: it returns the ELF
   * image, or undefined to leave the input to @kmodkit/elf's own decoder; what it throws is a
   * decompression failure (EINVAL).
   */
  readonly decode?: (bytes: Uint8Array, kind: Exclude<Compression, 'none'>) => Uint8Array | undefined;
}

/** Opens a module file's bytes as kmod would (decompressing them if they are compressed); never throws. */
export function kmodOpen(bytes: Uint8Array, options: KmodOpenOptions = {}): KmodOpened | KmodOpenFailure {
  if (bytes.length < MAGIC_READ) {
    return { errno: 'EINVAL', code: 'TRUNCATED', message: `${bytes.length} bytes is too short for a module` };
  }
  const compression = detectCompression(bytes);
  let decoded: Uint8Array | undefined;
  if (compression !== 'none' && options.decode !== undefined) {
    try {
      decoded = options.decode(bytes, compression);
    } catch (e) {
      return failure(e, 'EINVAL', 'DECOMPRESS');
    }
  }
  let module: KernelModule;
  try {
    // Without a faster decoder, readModule decompresses (it detects the same magic numbers).
    module = decoded === undefined ? readModule(bytes) : readModule(decoded, { compression });
  } catch (e) {
    return failure(e, isElfError(e) && e.code === 'NOT_ELF' ? 'ENOEXEC' : 'EINVAL', 'BAD_ELF');
  }
  return kmodCheck(module);
}

/**
 * kmod's checks after the ELF header, and the `.modinfo` lookup, on a module already read; never
 * throws. `.modinfo` is read here, so that a broken one is reported now rather than while printing.
 */
export function kmodCheck(module: KernelModule): KmodOpened | KmodOpenFailure {
  try {
    const problem = kmodElfProblem(module);
    if (problem !== undefined) return { errno: 'EINVAL', code: 'BAD_ELF', message: problem };
    const modinfo = module.section('.modinfo');
    if (modinfo === undefined || !modinfo.inBounds) {
      return { errno: 'ENOENT', code: 'NO_MODINFO', message: 'the module has no .modinfo section' };
    }
    void module.modinfo;
  } catch (e) {
    return failure(e, 'EINVAL', 'BAD_ELF');
  }
  return { module, compression: module.compression };
}

/**
 * The checks of `kmod_elf_new` that readModule is more lenient about: kmod knows no extended section
 * numbering (e_shnum 0) and wants a section-name table that ends in NUL; e_shentsize has the one
 * rule of both (shentsizeProblem), checked here because readModule checks it only on first use.
 */
function kmodElfProblem(module: KernelModule): string | undefined {
  const h = module.header;
  const badShentsize = shentsizeProblem(h.shentsize, module.elf.layout);
  if (badShentsize) return badShentsize.message;
  if (h.shnum === 0 || h.shstrndx === 0 || h.shstrndx >= h.shnum) return 'no section-name table';
  const names = module.elf.sectionNameTable;
  if (names === undefined || !names.inBounds) return 'the section-name table lies outside the file';
  const data = names.data;
  if (data.length === 0 || data[data.length - 1] !== 0) return 'the section-name table does not end in NUL';
  return undefined;
}

function failure(e: unknown, errno: string, fallbackCode: string): KmodOpenFailure {
  if (isElfError(e)) {
    return e.offset === undefined
      ? { errno, code: e.code, message: e.message }
      : { errno, code: e.code, message: e.message, offset: e.offset };
  }
  return { errno, code: fallbackCode, message: e instanceof Error ? e.message : String(e) };
}
