/**
 * `/sys/module/<name>/`: what the kernel shows of a module (kernel/module/sysfs.c, kernel/params.c),
 * read as kmod reads it (libkmod-module.c: kmod_module_get_initstate, _get_refcnt, _get_holders,
 * _get_size).
 */
import { opendirSync, readdirSync, statSync } from 'node:fs';
import { LoaderError } from './error.js';
import { parseProcModules } from './proc-modules.js';
import { attributeValue, type RootOptions, readSystemFile, systemPath } from './system-files.js';

/** `/sys/module/<name>/initstate` (kernel/module/sysfs.c: show_initstate). */
export type InitState = 'live' | 'coming' | 'going';

/** One file of `/sys/module/<name>/parameters/`. */
export interface SysParameter {
  readonly name: string;
  /** The value as the parameter's `get` op prints it, without the final newline; undefined if unreadable. */
  readonly value: string | undefined;
  /** The file's permission bits (the module_param perm): `0o644`. */
  readonly mode: number;
}

/** What /sys/module/<name>/ shows. Attributes a module lacks (built-in ones have few) are undefined. */
export interface SysModule {
  readonly name: string;
  /** undefined for a built-in module, which has no initstate. */
  readonly initstate: InitState | undefined;
  readonly refcnt: number | undefined;
  /** Modules using this one, in the order the directory lists them (kmod's order, not sorted). */
  readonly holders: readonly string[];
  readonly parameters: readonly SysParameter[];
  /** Taint letters of the module (`OE`), `''` when none. */
  readonly taint: string | undefined;
  readonly coresize: number | undefined;
  readonly initsize: number | undefined;
  /** MODULE_VERSION. */
  readonly version: string | undefined;
  readonly srcversion: string | undefined;
  /** The names of the ELF notes under notes/ (`.note.gnu.build-id` …). */
  readonly notes: readonly string[];
}

const moduleDir = (name: string) => {
  if (name === '' || name.includes('/') || name === '.' || name === '..') {
    throw new LoaderError('EINVAL', `'${name}' is not a module name`);
  }
  return `/sys/module/${name}`;
};

function attribute(name: string, file: string, options: RootOptions): string | undefined {
  const text = readSystemFile(`${moduleDir(name)}/${file}`, options);
  return text === undefined ? undefined : attributeValue(text);
}

function integer(name: string, file: string, options: RootOptions): number | undefined {
  const text = attribute(name, file, options);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) {
    throw new LoaderError(
      'ESYSFORMAT',
      `${systemPath(`${moduleDir(name)}/${file}`, options)}: not an integer: ${JSON.stringify(text)}`,
      {
        path: systemPath(`${moduleDir(name)}/${file}`, options),
      },
    );
  }
  return Number(text);
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * The module's init state as kmod reads it: the initstate file, or `coming` when the directory exists
 * without one yet; undefined when the module is not loaded (or built in: callers check that first).
 */
export function readInitState(name: string, options: RootOptions = {}): InitState | undefined {
  const state = attribute(name, 'initstate', options);
  if (state === undefined) return isDirectory(systemPath(moduleDir(name), options)) ? 'coming' : undefined;
  if (state === 'live' || state === 'coming' || state === 'going') return state;
  const path = systemPath(`${moduleDir(name)}/initstate`, options);
  throw new LoaderError('ESYSFORMAT', `unknown ${path}: '${state}'`, { path });
}

/** `refcnt`: the module's reference count; undefined when the file is missing (no CONFIG_MODULE_UNLOAD, or not loaded). */
export function readRefcnt(name: string, options: RootOptions = {}): number | undefined {
  return integer(name, 'refcnt', options);
}

/** `coresize`: the size lsmod shows. */
export function readCoresize(name: string, options: RootOptions = {}): number | undefined {
  return integer(name, 'coresize', options);
}

/**
 * The module's size as kmod's lsmod takes it (kmod_module_get_size): `coresize`, else (before Linux
 * 3.3) the size in /proc/modules; undefined when the module has no /sys/module directory.
 */
export function readModuleSize(name: string, options: RootOptions = {}): number | undefined {
  if (!isDirectory(systemPath(moduleDir(name), options))) return undefined;
  const coresize = readCoresize(name, options);
  if (coresize !== undefined) return coresize;
  const text = readSystemFile('/proc/modules', options);
  return text === undefined ? undefined : parseProcModules(text).find((m) => m.name === name)?.size;
}

/** Entries of a directory in the order the file system gives them (Node's readdir sorts; kmod does not). */
function entries(path: string): string[] | undefined {
  let dir: ReturnType<typeof opendirSync>;
  try {
    dir = opendirSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new LoaderError(code ?? 'EIO', `could not open '${path}': ${(cause as Error).message}`, {
      path,
      cause,
    });
  }
  const names: string[] = [];
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) names.push(entry.name);
  } finally {
    dir.closeSync();
  }
  return names;
}

/** `holders/`: the modules that use this one, in directory order; undefined when there is no such directory. */
export function readHolders(name: string, options: RootOptions = {}): string[] | undefined {
  return entries(systemPath(`${moduleDir(name)}/holders`, options));
}

/** `parameters/`: every parameter file with its value, sorted by name. */
export function readParameters(name: string, options: RootOptions = {}): SysParameter[] {
  const dir = systemPath(`${moduleDir(name)}/parameters`, options);
  const names = entries(dir);
  if (names === undefined) return [];
  return names.sort().map((param) => {
    const mode = statSync(`${dir}/${param}`).mode & 0o7777;
    let value: string | undefined;
    try {
      value = attribute(name, `parameters/${param}`, options);
    } catch (e) {
      // A parameter whose perm has no read bit, read by a user without CAP_DAC_OVERRIDE.
      if (!(e instanceof LoaderError && (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EIO')))
        throw e;
    }
    return { name: param, value, mode };
  });
}

/** Everything /sys/module/<name>/ shows; undefined when there is no such directory. */
export function readSysModule(name: string, options: RootOptions = {}): SysModule | undefined {
  if (!isDirectory(systemPath(moduleDir(name), options))) return undefined;
  const builtin =
    attribute(name, 'initstate', options) === undefined && attribute(name, 'refcnt', options) === undefined;
  return {
    name,
    initstate: builtin ? undefined : readInitState(name, options),
    refcnt: readRefcnt(name, options),
    holders: readHolders(name, options) ?? [],
    parameters: readParameters(name, options),
    taint: attribute(name, 'taint', options),
    coresize: readCoresize(name, options),
    initsize: integer(name, 'initsize', options),
    version: attribute(name, 'version', options),
    srcversion: attribute(name, 'srcversion', options),
    notes: (entries(systemPath(`${moduleDir(name)}/notes`, options)) ?? []).sort(),
  };
}

/** The names under /sys/module (loaded modules, and built-in ones that have parameters or a version), sorted. */
export function listSysModules(options: RootOptions = {}): string[] {
  try {
    return readdirSync(systemPath('/sys/module', options)).sort();
  } catch (cause) {
    const path = systemPath('/sys/module', options);
    throw new LoaderError(
      (cause as NodeJS.ErrnoException).code ?? 'EIO',
      `could not read ${path}: ${(cause as Error).message}`,
      { path, cause },
    );
  }
}
