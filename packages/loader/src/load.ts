/**
 * Loading and unloading modules the way kmod does (kmod 31 libkmod/libkmod-module.c:
 * kmod_module_insert_module, do_finit_module, do_init_module, kmod_module_remove_module;
 * libkmod-file.c: kmod_file_open), and loading a list of modules as one step that leaves the system
 * as it was when any of them fails.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { type Compression, decompress, detectCompression, readModule } from '@kmodkit/elf';
import { ErrnoError, isErrnoError } from '@kmodkit/errno';
import { LoaderError } from './error.js';
import { readProcModules } from './proc-modules.js';
import {
  MODULE_INIT_COMPRESSED_FILE,
  MODULE_INIT_IGNORE_MODVERSIONS,
  MODULE_INIT_IGNORE_VERMAGIC,
} from './syscall-numbers.js';
import {
  deleteModule,
  deleteModuleFlags,
  finitModule,
  hostSyscallArch,
  initModule,
  openFile,
  systemError,
} from './syscalls.js';
import type { RootOptions } from './system-files.js';
import { readKernelCompression } from './system-state.js';

export interface InsertOptions extends RootOptions {
  /** The parameter string (`"p_int=3 p_charp=x"`). */
  readonly params?: string;
  /** Load despite a version magic that differs (insmod -f; taints the kernel F). */
  readonly ignoreVermagic?: boolean;
  /** Load despite symbol CRCs that differ (insmod -f; taints the kernel F). */
  readonly ignoreModversions?: boolean;
}

/** How a module went into the kernel. */
export interface InsertResult {
  /** `finit_module` (the kernel read the file) or `init_module` (kmodkit read and passed the image). */
  readonly syscall: 'finit_module' | 'init_module';
  /** The file's compression. */
  readonly compression: Compression;
  /** True when the kernel decompressed the file itself (MODULE_INIT_COMPRESSED_FILE). */
  readonly inKernelDecompression: boolean;
}

/** kmod reads this many bytes for the compression magic; a shorter file is EINVAL (kmod_file_open). */
const MAGIC_SIZE = 6;

/**
 * Loads the module file at `path` as kmod does: finit_module for an uncompressed file, and for a
 * compressed one when the kernel decompresses that format itself (/sys/module/compression, with
 * MODULE_INIT_COMPRESSED_FILE); otherwise, or when finit_module does not exist (ENOSYS), the file is
 * read (and decompressed) here and passed to init_module. A kernel without module support (ENOSYS from
 * both) is said so in the error's message. The kernel's refusal is an ErrnoError with its explanation.
 */
export async function insertModule(path: string, options: InsertOptions = {}): Promise<InsertResult> {
  const params = options.params ?? '';
  const fd = openFile(path);
  try {
    const head = readAt(fd, path, 0, MAGIC_SIZE);
    if (head.length < MAGIC_SIZE) {
      throw new ErrnoError('EINVAL', {
        message: `${path}: ${head.length} bytes is too short for a module (kmod reads ${MAGIC_SIZE})`,
      });
    }
    const compression = detectCompression(head);
    const direct = compression === 'none' || compression === readKernelCompression(options);
    if (direct) {
      let flags = compression === 'none' ? 0 : MODULE_INIT_COMPRESSED_FILE;
      if (options.ignoreModversions) flags |= MODULE_INIT_IGNORE_MODVERSIONS;
      if (options.ignoreVermagic) flags |= MODULE_INIT_IGNORE_VERMAGIC;
      try {
        await finitModule(fd, params, flags);
        return { syscall: 'finit_module', compression, inKernelDecompression: compression !== 'none' };
      } catch (e) {
        // A kernel before 3.8 has no finit_module: kmod falls back to init_module.
        if (!(isErrnoError(e) && e.code === 'ENOSYS')) throw e;
      }
    }
    const file = readAt(fd, path, 0, fstatSync(fd).size);
    let image: Uint8Array;
    try {
      image = decompress(file);
    } catch (cause) {
      // kmod's load_xz/load_zstd/load_zlib give EINVAL for data that does not decompress.
      throw new ErrnoError('EINVAL', { message: `${path}: ${(cause as Error).message}`, cause });
    }
    if (options.ignoreModversions || options.ignoreVermagic) image = forced(image, options);
    try {
      await initModule(image, params);
    } catch (e) {
      if (!(isErrnoError(e) && e.code === 'ENOSYS')) throw e;
      throw new ErrnoError('ENOSYS', {
        syscall: 'init_module',
        arch: hostSyscallArch(),
        message:
          'this kernel has no module support: init_module and finit_module answer ENOSYS (Function not implemented)',
        cause: e,
      });
    }
    return { syscall: 'init_module', compression, inKernelDecompression: false };
  } finally {
    closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do about a failed close of a file only read.
  }
}

/** Reads up to `length` bytes at `offset` (fewer at the end of the file). */
function readAt(fd: number, path: string, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, bytes, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
  } catch (cause) {
    throw systemError(cause, path);
  }
  return bytes.subarray(0, done);
}

/** SHF_ALLOC (ELF gABI): the section is loaded; the kernel ignores `__versions` without it. */
const SHF_ALLOC = 0x2;

/**
 * What kmod does for insmod -f when it passes the image itself (libkmod-elf.c: kmod_elf_strip_section,
 * kmod_elf_strip_vermagic): `__versions` loses SHF_ALLOC, so the kernel skips the CRC checks, and the
 * `vermagic=` string of `.modinfo` is zeroed, so there is none to compare. A copy; bad ELF is left to the kernel.
 */
function forced(image: Uint8Array, options: InsertOptions): Uint8Array {
  let module: ReturnType<typeof readModule>;
  try {
    module = readModule(image);
  } catch {
    return image;
  }
  const copy = image.slice();
  const versions = options.ignoreModversions ? module.section('__versions') : undefined;
  if (versions !== undefined) {
    const word = module.header.class === 'ELF64' ? 8 : 4;
    // sh_flags follows sh_name and sh_type; SHF_ALLOC is in its least significant byte.
    const at = versions.headerOffset + 8 + (module.header.endian === 'little' ? 0 : word - 1);
    copy[at] = copy[at]! & ~SHF_ALLOC;
  }
  const modinfo = options.ignoreVermagic ? module.section('.modinfo') : undefined;
  if (modinfo?.inBounds) {
    const magic = new TextEncoder().encode('vermagic=');
    const data = copy.subarray(modinfo.offset, modinfo.offset + modinfo.size);
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0 || (i > 0 && data[i - 1] !== 0)) continue;
      if (magic.every((b, k) => data[i + k] === b)) {
        let end = i;
        while (end < data.length && data[end] !== 0) end++;
        data.fill(0, i, end);
        break;
      }
    }
  }
  return copy;
}

export interface RemoveOptions {
  /** O_TRUNC: remove even if in use or without an exit function (rmmod -f; CONFIG_MODULE_FORCE_UNLOAD; taints R). */
  readonly force?: boolean;
}

/** Unloads module `name` as kmod does: delete_module with O_NONBLOCK, and O_TRUNC when forced. */
export async function removeModule(name: string, options: RemoveOptions = {}): Promise<void> {
  const flags = deleteModuleFlags();
  await deleteModule(name, flags.O_NONBLOCK | (options.force ? flags.O_TRUNC : 0));
}

/** One module of {@link loadModules}: a file, or a file with its parameters. */
export type ModuleToLoad = string | { readonly path: string; readonly params?: string };

export interface LoadModulesOptions extends RootOptions {
  readonly ignoreVermagic?: boolean;
  readonly ignoreModversions?: boolean;
}

export interface LoadModulesResult {
  /** Names of the modules this call loaded, in order. */
  readonly loaded: readonly string[];
  /** Names of the modules that were loaded already (in /proc/modules) and were left alone. */
  readonly alreadyLoaded: readonly string[];
}

/**
 * Loads `modules` in the order given (dependencies first, as modules.dep lists them in reverse). A
 * module already in /proc/modules is skipped. When one fails, the modules this call loaded are unloaded
 * again, last first, and the failure is thrown as insertModule threw it — the system is as it was. If
 * an unload fails too, a `LoaderError('ROLLBACK_FAILED')` names what is left, with the load's error as cause.
 */
export async function loadModules(
  modules: readonly ModuleToLoad[],
  options: LoadModulesOptions = {},
): Promise<LoadModulesResult> {
  const present = new Set(await loadedNames(options));
  const loaded: string[] = [];
  const alreadyLoaded: string[] = [];
  for (const entry of modules) {
    const { path, params } = typeof entry === 'string' ? { path: entry, params: undefined } : entry;
    try {
      const name = moduleName(path);
      if (present.has(name)) {
        alreadyLoaded.push(name);
        continue;
      }
      await insertModule(path, { ...options, ...(params === undefined ? {} : { params }) });
      loaded.push(name);
      present.add(name);
    } catch (error) {
      const left: string[] = [];
      for (const name of loaded.reverse()) {
        try {
          await removeModule(name);
        } catch {
          left.push(name);
        }
      }
      if (left.length === 0) throw error;
      throw new LoaderError(
        'ROLLBACK_FAILED',
        `loading ${path} failed (${(error as Error).message}), and unloading again failed for: ${left.join(', ')}`,
        { path, cause: error },
      );
    }
  }
  return { loaded, alreadyLoaded };
}

/** The names in /proc/modules; none when the file does not exist (a kernel without module support). */
async function loadedNames(options: RootOptions): Promise<string[]> {
  try {
    return (await readProcModules(options)).map((m) => m.name);
  } catch (e) {
    if (e instanceof LoaderError && e.code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * The name the kernel gives the module in `path`: `.modinfo` name, else struct module's (as
 * kernel/module/main.c setup_load_info). A file that cannot be read is left for insertModule to
 * report, under kmod's name for it (the file name up to the first dot, `-` as `_`).
 */
function moduleName(path: string): string {
  try {
    const fd = openFile(path);
    let bytes: Uint8Array;
    try {
      bytes = readAt(fd, path, 0, fstatSync(fd).size);
    } finally {
      closeQuietly(fd);
    }
    const name = readModule(bytes).name;
    if (name !== undefined) return name;
  } catch {
    // Reported by the load itself.
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.slice(0, base.indexOf('.') < 0 ? undefined : base.indexOf('.')).replace(/-/g, '_');
}
