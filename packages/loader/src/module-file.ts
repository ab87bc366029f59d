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
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type Compression, detectCompression, isElfError, type KernelModule, readModule } from '@kmodkit/elf';
import { fastDecoder } from './node-decompress.js';

/** kmod reads this many bytes to recognise a compression magic; a shorter file is EINVAL. */
const MAGIC_READ = 6;
/** ELF's e_ident: a file no longer than this is not ELF to kmod. */
const E_IDENT_SIZE = 16;

function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

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

/** Files smaller than this are read whole: one read is cheaper than the two or three a sparse read needs. */
const SPARSE_MIN = 16 * 1024;
/** The sparse read's first piece: the ELF header, and in small modules often `.modinfo` too. */
const HEAD_READ = 4096;
/**
 * The second piece runs from this far before the section header table to the end of the file: ld
 * puts the section names just before the table, and the signature is appended after it.
 */
const NAMES_SLACK = 2048;

export interface OpenOptions {
  /**
   * Read only what `modinfo` shows (the default is the whole file): the ELF header, the section
   * header table and what follows it (the section names, usually, and the appended signature), and
   * `.modinfo` — into a zero-filled buffer of the file's size, so offsets stay what they are. kmod
   * mmaps the file and touches the same pages; reading all 379 MiB of Debian's modules would cost
   * more than kmod's whole run. Anything unusual falls back to reading the whole file.
   */
  readonly sparse?: boolean;
  /** The file's size, if known (saves an fstat). */
  readonly size?: number | undefined;
}

/**
 * Reads and opens the module at `path` (bytes for a name that is not UTF-8, as the system takes it);
 * never throws.
 */
export function openModuleFile(
  path: string | Uint8Array,
  options: OpenOptions = {},
): OpenedModule | OpenFailure {
  let fd: number;
  try {
    fd = openSync(
      typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength),
      'r',
    );
  } catch (e) {
    return fileFailure(e);
  }
  try {
    const size = options.size ?? fstatSync(fd).size;
    // A file that starts with neither a compression magic nor ELF's is refused from its first bytes,
    // as kmod refuses it, without reading the rest (a 1 GB file of anything else).
    if (size > E_IDENT_SIZE) {
      const head = scratch(E_IDENT_SIZE, false);
      const got = readRange(fd, head, 0, E_IDENT_SIZE);
      if (got === E_IDENT_SIZE && detectCompression(head) === 'none' && !hasElfMagic(head)) {
        return openModuleBytes(head);
      }
    }
    if (options.sparse && size >= SPARSE_MIN) {
      const module = readSparse(fd, size);
      const opened = module === undefined ? undefined : checkModule(module);
      if (opened !== undefined && 'module' in opened) return opened;
    }
    const bytes = scratch(size, false);
    const done = readRange(fd, bytes, 0, size);
    return openModuleBytes(bytes.subarray(0, done));
  } catch (e) {
    return fileFailure(e);
  } finally {
    closeSync(fd);
  }
}

let scratchBuffer = new Uint8Array(0);
/** What of `scratchBuffer` was written since it was last all zeros: a prefix, and other ranges. */
let dirtyPrefix = 0;
let dirty: [number, number][] = [];

/**
 * The bytes of the file being read, in one buffer reused from file to file: a new buffer per file
 * made the garbage collector the biggest cost of reading thousands of modules. `zeroed` clears what
 * earlier files left (only the ranges they wrote). Valid until the next call, which is why a module is
 * reported on before the next one is opened.
 */
function scratch(size: number, zeroed: boolean): Uint8Array {
  if (scratchBuffer.length < size) {
    scratchBuffer = new Uint8Array(Math.max(size, 2 * scratchBuffer.length));
    dirtyPrefix = 0;
    dirty = [];
  } else if (zeroed) {
    scratchBuffer.fill(0, 0, dirtyPrefix);
    for (const [start, end] of dirty) scratchBuffer.fill(0, start, end);
    dirtyPrefix = 0;
    dirty = [];
  }
  return scratchBuffer.subarray(0, size);
}

function fileFailure(e: unknown): OpenFailure {
  const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return { errno, code: errno, message: (e as Error).message };
}

/**
 * Reads `length` bytes at `offset` into the same place of `bytes` (a view of the scratch buffer),
 * clamped to it; returns where the data read ends (short at the end of the file).
 */
function readRange(fd: number, bytes: Uint8Array, offset: number, length: number): number {
  const start = Math.max(0, offset);
  const end = Math.min(bytes.length, offset + length);
  let at = start;
  while (at < end) {
    const n = readSync(fd, bytes, at, end - at, at);
    if (n === 0) break;
    at += n;
  }
  if (start === 0) dirtyPrefix = Math.max(dirtyPrefix, at);
  else dirty.push([start, at]);
  return at;
}

/** See {@link OpenOptions.sparse}; undefined when the file is not a plain ELF module laid out as ld does. */
function readSparse(fd: number, size: number): KernelModule | undefined {
  const bytes = scratch(size, true);
  const head = readRange(fd, bytes, 0, HEAD_READ);
  if (detectCompression(bytes) !== 'none') return undefined;
  try {
    // Only the header is read from `module` before the rest of `bytes` arrives: the rest is lazy.
    let module = readModule(bytes);
    const { shoff } = module.header;
    if (!(shoff > 0 && shoff < size)) return undefined;
    const tail = Math.max(head, shoff - NAMES_SLACK);
    readRange(fd, bytes, tail, size - tail);
    const names = module.elf.sectionNameTable;
    if (names === undefined) return undefined;
    if (!covered(names.offset, names.size, head, tail)) {
      // Section names elsewhere: read them, and read the headers again with their names.
      readRange(fd, bytes, names.offset, names.size);
      module = readModule(bytes);
    }
    const modinfo = module.section('.modinfo');
    if (modinfo?.inBounds && !covered(modinfo.offset, modinfo.size, head, tail)) {
      readRange(fd, bytes, modinfo.offset, modinfo.size);
    }
    return module;
  } catch {
    return undefined;
  }
}

/** Whether [offset, offset + size) lies in what was read: [0, head) and [tail, end of file). */
function covered(offset: number, size: number, head: number, tail: number): boolean {
  return offset + size <= head || offset >= tail;
}

/** Opens a module file's bytes (decompressing them if they are compressed); never throws. */
export function openModuleBytes(bytes: Uint8Array): OpenedModule | OpenFailure {
  if (bytes.length < MAGIC_READ) {
    return { errno: 'EINVAL', code: 'TRUNCATED', message: `${bytes.length} bytes is too short for a module` };
  }
  const compression = detectCompression(bytes);
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
  return checkModule(module);
}

/** kmod's checks after the ELF header, and the `.modinfo` lookup; never throws. */
function checkModule(module: KernelModule): OpenedModule | OpenFailure {
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
  const shdrSize = module.elf.shdrSize;
  if (h.shentsize !== shdrSize) return `e_shentsize is ${h.shentsize}, not ${shdrSize}`;
  if (h.shnum === 0 || h.shstrndx === 0 || h.shstrndx >= h.shnum) return 'no section-name table';
  const names = module.elf.sectionNameTable;
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
