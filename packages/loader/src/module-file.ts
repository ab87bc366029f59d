/**
 * Opening a module file as kmod does: the rules of what kmod refuses, and with which errno, are
 * @kmodkit/elf's `kmodOpen`; this adds the file — the system's errno when it cannot be opened or read,
 * a sparse read of only what `modinfo` needs, a non-ELF file refused from its first bytes — and the
 * native decoders.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  detectCompression,
  type KernelModule,
  type KmodOpened,
  type KmodOpenFailure,
  kmodCheck,
  kmodOpen,
  readModule,
} from '@kmodkit/elf';
import { LoaderError } from './error.js';
import { fastDecoder, loadDecompressors } from './node-decompress.js';

/** ELF's e_ident: a file no longer than this is not ELF to kmod. */
const E_IDENT_SIZE = 16;

function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** A module kmod could open, with the `.modinfo` it would read. */
export type OpenedModule = KmodOpened;

/** Why kmod could not open a module: the errno name its `could not get modinfo` message shows. */
export type OpenFailure = KmodOpenFailure;

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
      const opened = module === undefined ? undefined : kmodCheck(module);
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

/**
 * Opens a module file's bytes as kmod would (@kmodkit/elf's `kmodOpen`), decompressing them with the
 * native decoders when they are loaded; never throws.
 */
export function openModuleBytes(bytes: Uint8Array): OpenedModule | OpenFailure {
  return kmodOpen(bytes, { decode: (b, kind) => fastDecoder(kind)?.(b) });
}

/** A failure as a LoaderError: `code` as {@link OpenFailure}'s, `errno` kmod's, the path and offset. */
function openError(path: string | Uint8Array, failure: OpenFailure): LoaderError {
  const shown = typeof path === 'string' ? path : new TextDecoder().decode(path);
  return new LoaderError(failure.code, `${shown}: ${failure.message}`, {
    path: shown,
    errno: failure.errno,
    ...(failure.offset === undefined ? {} : { offset: failure.offset }),
  });
}

/**
 * Opens the module file at `path` as kmod does, with the native decoders loaded first; throws a
 * LoaderError whose `errno` is kmod's (`ENOEXEC`, `EINVAL`, `ENOENT`, or the system's) and whose
 * `code` says what went wrong. The module is valid until the next call that opens a module: its bytes
 * live in a buffer reused from file to file (copy `module.bytes` to keep them).
 */
export async function openModule(
  path: string | Uint8Array,
  options: OpenOptions = {},
): Promise<OpenedModule> {
  await loadDecompressors(['xz', 'zstd']);
  const opened = openModuleFile(path, options);
  if ('module' in opened) return opened;
  throw openError(path, opened);
}

/**
 * Opens each module file in turn, in order: the module, or the LoaderError {@link openModule} would
 * throw. Each module is valid until the next is taken. For a batch over both cores, see `runChunks`.
 */
export async function* openModules(
  paths: Iterable<string | Uint8Array>,
  options: OpenOptions = {},
): AsyncGenerator<
  { readonly path: string | Uint8Array } & ({ module: OpenedModule } | { error: LoaderError })
> {
  await loadDecompressors(['xz', 'zstd']);
  for (const path of paths) {
    const opened = openModuleFile(path, { sparse: options.sparse });
    yield 'module' in opened ? { path, module: opened } : { path, error: openError(path, opened) };
  }
}
