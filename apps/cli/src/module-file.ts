/**
 * Opening a module file as kmod does (`libkmod-file.c: kmod_file_open`, `libkmod-elf.c: kmod_elf_new`,
 * `kmod_elf_get_section`), so that a file kmod refuses is refused here with the same errno:
 *
 * - fewer bytes than the longest compression magic (6, xz's) → EINVAL;
 * - a compressed file that does not decompress → EINVAL;
 * - no ELF magic, or not more than the 16 bytes of e_ident → ENOEXEC;
 * - any other problem of the ELF header, the section header table or the section-name table → EINVAL;
 * - no `.modinfo` section whose bytes lie in the file → ENOENT.
 *
 * The reading itself is @kmodkit/elf's `readModule`.
 */
import { readFileSync } from 'node:fs';
import { type Compression, isElfError, type KernelModule, readModule } from '@kmodkit/elf';
import { fastDecoder } from './node-decompress.js';

/** kmod reads this many bytes to recognise a compression magic; a shorter file is EINVAL. */
const MAGIC_READ = 6;

/** A module kmod could open, with the `.modinfo` it would read. */
export interface OpenedModule {
  readonly module: KernelModule;
  readonly compression: Compression;
}

/** Why kmod could not open a module: the errno name its `could not get modinfo` message shows. */
export interface OpenFailure {
  readonly errno: string;
  /** What went wrong, for `--json` (kmod itself shows only the errno). */
  readonly message: string;
  readonly code: string;
  readonly offset?: number;
}

/** The compression a file's first bytes announce (the magic numbers kmod's `comp_types` lists). */
export function compressionOf(bytes: Uint8Array): Compression {
  const [a, b, c, d, e, f] = bytes;
  if (a === 0xfd && b === 0x37 && c === 0x7a && d === 0x58 && e === 0x5a && f === 0x00) return 'xz';
  if (a === 0x28 && b === 0xb5 && c === 0x2f && d === 0xfd) return 'zstd';
  if (a === 0x1f && b === 0x8b) return 'gzip';
  return 'none';
}

/** Reads and opens the module at `path`; never throws. */
export function openModuleFile(path: string): OpenedModule | OpenFailure {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return { errno, code: errno, message: (e as Error).message };
  }
  return openModuleBytes(bytes);
}

/** Opens a module file's bytes (decompressing them if they are compressed); never throws. */
export function openModuleBytes(bytes: Uint8Array): OpenedModule | OpenFailure {
  if (bytes.length < MAGIC_READ) {
    return { errno: 'EINVAL', code: 'TRUNCATED', message: `${bytes.length} bytes is too short for a module` };
  }
  const compression = compressionOf(bytes);
  const decode = compression === 'none' ? undefined : fastDecoder(compression);
  let decoded: Uint8Array | undefined;
  if (decode !== undefined) {
    try {
      decoded = decode(bytes);
    } catch (e) {
      return failure(e, 'EINVAL', 'DECOMPRESS');
    }
  }
  let module: KernelModule;
  try {
    // Without a fast decoder, @kmodkit/elf decompresses (it detects the same magic numbers).
    module = decoded === undefined ? readModule(bytes) : readModule(decoded, { compression });
  } catch (e) {
    return failure(e, isElfError(e) && e.code === 'NOT_ELF' ? 'ENOEXEC' : 'EINVAL', 'BAD_ELF');
  }
  try {
    const problem = kmodElfProblem(module);
    if (problem !== undefined) return { errno: 'EINVAL', code: 'BAD_ELF', message: problem };
    const modinfo = module.section('.modinfo');
    if (modinfo === undefined || !modinfo.inBounds) {
      return { errno: 'ENOENT', code: 'NO_MODINFO', message: 'the module has no .modinfo section' };
    }
    // Read now, so that a broken .modinfo is reported here rather than while printing.
    void module.modinfo;
  } catch (e) {
    return failure(e, 'EINVAL', 'BAD_ELF');
  }
  return { module, compression: module.compression };
}

/**
 * The checks of `kmod_elf_new` that @kmodkit/elf is more lenient about: kmod knows no extended section
 * numbering (e_shnum 0), wants e_shentsize to be exactly the header size, and a section-name table
 * that ends in NUL.
 */
function kmodElfProblem(module: KernelModule): string | undefined {
  const h = module.header;
  const shdrSize = h.class === 'ELF64' ? 64 : 40;
  if (h.shentsize !== shdrSize) return `e_shentsize is ${h.shentsize}, not ${shdrSize}`;
  if (h.shnum === 0 || h.shstrndx === 0 || h.shstrndx >= h.shnum) return 'no section-name table';
  const names = module.sections[h.shstrndx];
  if (names === undefined || !names.inBounds) return 'the section-name table lies outside the file';
  const data = names.data;
  if (data.length === 0 || data[data.length - 1] !== 0) return 'the section-name table does not end in NUL';
  return undefined;
}

function failure(e: unknown, errno: string, fallbackCode: string): OpenFailure {
  if (isElfError(e)) {
    return e.offset === undefined
      ? { errno, code: e.code, message: e.message }
      : { errno, code: e.code, message: e.message, offset: e.offset };
  }
  return { errno, code: fallbackCode, message: e instanceof Error ? e.message : String(e) };
}
