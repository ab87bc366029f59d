/**
 * The module system calls, made through libc's `syscall(2)` with the raw numbers of
 * {@link MODULE_SYSCALL_NUMBERS} (glibc has no wrappers for them; kmod declares its own). The calls go
 * through ffi-rs, an optional dependency loaded on first use: without it the rest of the package works
 * and a call fails with `LoaderError('NO_FFI')`.
 *
 * A call the kernel refuses throws an `ErrnoError` of @kmodkit/errno: `code` (`'EEXIST'`), `errno`,
 * `syscall`, and `explanation`, what that errno means for that call.
 */
import { closeSync, openSync } from 'node:fs';
import { ErrnoError } from '@kmodkit/errno';
import { LoaderError } from './error.js';
import {
  DELETE_MODULE_FLAGS,
  type DeleteModuleFlags,
  MODULE_SYSCALL_NUMBERS,
  type ModuleSyscallName,
  resolveSyscallArch,
  type SyscallArch,
} from './syscall-numbers.js';

type Ffi = typeof import('ffi-rs');

/** The host's table name, or undefined on an architecture kmodkit has no numbers for. */
export function hostSyscallArch(): SyscallArch | undefined {
  return resolveSyscallArch(process.arch);
}

/** delete_module's flags on this host (O_NONBLOCK and O_TRUNC differ on mips). */
export function deleteModuleFlags(): DeleteModuleFlags {
  return DELETE_MODULE_FLAGS[requireArch()];
}

function requireArch(): SyscallArch {
  const arch = hostSyscallArch();
  if (arch === undefined) {
    throw new LoaderError(
      'UNSUPPORTED_ARCH',
      `kmodkit has no module system call numbers for the architecture ${process.arch}`,
    );
  }
  return arch;
}

let ffiLoading: Promise<Ffi> | undefined;

/** ffi-rs with libc opened, loaded once. */
function ffi(): Promise<Ffi> {
  ffiLoading ??= (async () => {
    let lib: Ffi;
    try {
      lib = await import('ffi-rs');
    } catch (cause) {
      ffiLoading = undefined;
      throw new LoaderError(
        'NO_FFI',
        'module system calls need the optional dependency ffi-rs, which is not installed here ' +
          '(npm install ffi-rs; it has prebuilt binaries for Linux x64, arm64 and more)',
        { cause },
      );
    }
    // glibc's libc.so.6; musl's libc is the dynamic loader itself, which '' (this process) reaches.
    try {
      lib.open({ library: 'kmodkit-libc', path: 'libc.so.6' });
    } catch {
      lib.open({ library: 'kmodkit-libc', path: '' });
    }
    return lib;
  })();
  return ffiLoading;
}

/** One argument of a raw syscall: a C `long`, a byte buffer, or a NUL-terminated string. */
type SyscallArg = number | bigint | Uint8Array | string | null;

/**
 * `syscall(nr, args…)`: returns the (non-negative) result, or throws the ErrnoError for the errno it
 * left, with `name` as the syscall named in the message and explanation.
 */
async function rawSyscall(name: ModuleSyscallName, args: SyscallArg[]): Promise<number> {
  const arch = requireArch();
  const nr = MODULE_SYSCALL_NUMBERS[arch][name];
  if (nr === undefined) {
    throw new LoaderError(
      'NO_SYSCALL',
      `${name} has no system call number on ${arch}: its table never had it or dropped it ` +
        '(it was removed in Linux 2.6)',
    );
  }
  const { DataType, load } = await ffi();
  const paramsType: unknown[] = [DataType.I64];
  const paramsValue: unknown[] = [nr];
  for (const arg of args) {
    if (typeof arg === 'string') {
      paramsType.push(DataType.String);
      paramsValue.push(arg);
    } else if (arg instanceof Uint8Array) {
      paramsType.push(DataType.U8Array);
      paramsValue.push(Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength));
    } else {
      // A null pointer, or an integer: syscall(2) takes longs.
      paramsType.push(DataType.I64);
      paramsValue.push(arg === null ? 0 : Number(arg));
    }
  }
  const result = load({
    library: 'kmodkit-libc',
    funcName: 'syscall',
    retType: DataType.I64,
    paramsType: paramsType as never,
    paramsValue,
    errno: true,
  }) as unknown as { value: number; errnoCode: number };
  if (result.value !== -1) return result.value;
  throw new ErrnoError(result.errnoCode, { syscall: name, arch });
}

/** A C string argument may not hold NUL: the kernel would see only what comes before it. */
function cString(what: string, value: string): string {
  if (value.includes('\0')) throw new LoaderError('EINVAL', `${what} contains a NUL character`);
  return value;
}

/**
 * `init_module(image, len, params)`: loads the module whose (uncompressed) ELF image is `image`, with
 * the parameter string `params` (`"p_int=3 p_charp=x"`, parsed by the kernel's `parse_args`).
 */
export async function initModule(image: Uint8Array, params = ''): Promise<void> {
  await rawSyscall('init_module', [image, image.byteLength, cString('params', params)]);
}

/**
 * `finit_module(fd, params, flags)`: loads the module in the file `fdOrPath` (an open file
 * descriptor, or a path opened read-only for the call). `flags`: MODULE_INIT_IGNORE_MODVERSIONS,
 * MODULE_INIT_IGNORE_VERMAGIC, MODULE_INIT_COMPRESSED_FILE (the kernel decompresses the file; needs
 * CONFIG_MODULE_DECOMPRESS); any other bit is the kernel's EINVAL.
 */
export async function finitModule(fdOrPath: number | string, params = '', flags = 0): Promise<void> {
  const args = (fd: number): SyscallArg[] => [fd, cString('params', params), flags];
  if (typeof fdOrPath === 'number') {
    await rawSyscall('finit_module', args(fdOrPath));
    return;
  }
  const fd = openFile(fdOrPath);
  try {
    await rawSyscall('finit_module', args(fd));
  } finally {
    closeSync(fd);
  }
}

/** Opens `path` for reading as kmod does (O_RDONLY|O_CLOEXEC; Node sets O_CLOEXEC itself). */
export function openFile(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (cause) {
    throw systemError(cause, path);
  }
}

/** A failed file operation as an ErrnoError with the system's errno (no syscall: it is not a module call). */
export function systemError(cause: unknown, path: string): ErrnoError {
  const code = (cause as NodeJS.ErrnoException).code;
  const error = code === undefined ? undefined : safeErrno(code);
  if (error === undefined) {
    return new ErrnoError('EIO', { message: `${path}: ${(cause as Error).message}`, cause });
  }
  return new ErrnoError(code!, { message: `${path}: ${error.message}`, cause });
}

function safeErrno(code: string): ErrnoError | undefined {
  try {
    return new ErrnoError(code);
  } catch {
    return undefined;
  }
}

/**
 * `delete_module(name, flags)`: unloads module `name`. `flags` is a set of open(2) flags: O_NONBLOCK
 * (kmod always passes it; Linux 6.1 never waits anyway) and O_TRUNC (force), by this architecture's
 * values ({@link deleteModuleFlags}). The default is O_NONBLOCK, as rmmod.
 */
export async function deleteModule(name: string, flags?: number): Promise<void> {
  await rawSyscall('delete_module', [cString('name', name), flags ?? deleteModuleFlags().O_NONBLOCK]);
}

/**
 * The 2.0–2.4 `create_module(name, size)`: reserved kernel memory for a module. Linux 2.6 removed it;
 * where the number is still reserved the kernel answers ENOSYS, thrown as an ErrnoError whose
 * explanation says so. Where the architecture has no number left, a `LoaderError('NO_SYSCALL')`.
 */
export async function createModule(name: string, size: number): Promise<number> {
  return rawSyscall('create_module', [cString('name', name), size]);
}

/**
 * The 2.2–2.4 `query_module(name, which, buf, bufsize, ret)` (which: QM_MODULES 1, QM_DEPS 2,
 * QM_REFS 3, QM_SYMBOLS 4, QM_INFO 5). Removed in Linux 2.6: see {@link createModule}.
 */
export async function queryModule(name: string | null, which: number, bufferSize = 0): Promise<number> {
  const buffer = new Uint8Array(Math.max(bufferSize, 1));
  const ret = new Uint8Array(8);
  return rawSyscall('query_module', [
    name === null ? null : cString('name', name),
    which,
    buffer,
    bufferSize,
    ret,
  ]);
}

/** The 2.0–2.4 `get_kernel_syms(NULL)`: the number of kernel symbols. Removed in Linux 2.6: see {@link createModule}. */
export async function getKernelSyms(): Promise<number> {
  return rawSyscall('get_kernel_syms', [null]);
}

/**
 * The 2.0–2.4 `init_module(name, image)` (2.0: five arguments, code, size, routines, symtab), which
 * linked a module that create_module had reserved room for. Its number is today's init_module, which
 * takes a whole ELF image instead: issuing the old call would hand the new one wrong arguments, so
 * this refuses without calling the kernel.
 */
export function oldInitModule(): never {
  throw new LoaderError(
    'REMOVED_SYSCALL',
    'the old init_module(name, image) of Linux 2.0–2.4 was replaced in Linux 2.6 by init_module(image, ' +
      'len, params) on the same number; load the .ko with initModule or finitModule',
  );
}
