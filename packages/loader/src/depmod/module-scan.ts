/**
 * Finding the modules of a tree as kmod 30's depmod does (`tools/depmod.c:
 * depmod_modules_search*`, `depmod_module_is_higher_priority`): every `.ko`, `.ko.gz`, `.ko.xz` and
 * `.ko.zst` under the module directory and the `external` directories, in directory order, skipping
 * `build`, `source` and `exclude`d names; where two files give the same module name, the depmod.d
 * rules (override, search order, external) decide which one stays.
 *
 * kmod 30 as Debian builds it (`-ZLIB`) does not know `.ko.gz`; kmodkit reads it as a kmod built
 * with zlib does.
 */
import { opendirSync, statSync } from 'node:fs';
import { strerror } from '@kmodkit/errno';
import { LoaderError } from '../error.js';
import type { DepmodConfig } from './config.js';
import type { DepmodLog } from './log.js';

/** `shared/util.c: kmod_exts`. */
const MODULE_EXTENSIONS = ['.ko', '.ko.gz', '.ko.xz', '.ko.zst'];

/** One module file found. */
export interface FoundModule {
  /** `path_to_modname`: the basename up to its first '.', '-' made '_'. */
  readonly name: string;
  /** The absolute path, as depmod built it (module directory + the names read). */
  readonly path: string;
  /** The path relative to the module directory, or undefined for a module outside it (external). */
  readonly relpath: string | undefined;
}

/** `path_ends_with_kmod_ext`. */
export function hasModuleExtension(name: string): boolean {
  return MODULE_EXTENSIONS.some((ext) => name.length > ext.length && name.endsWith(ext));
}

/** `shared/util.c: path_to_modname` (`modname_normalize` of the basename). */
export function modnameOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  let out = '';
  for (let i = 0; i < base.length; i++) {
    const c = base[i]!;
    if (c === '.') break;
    out += c === '-' ? '_' : c;
  }
  return out;
}

/** The module as kmod's `struct mod` keeps it: path, relative path and the name's length. */
export function foundModule(path: string, dirname: string): FoundModule {
  const relpath =
    path.startsWith(dirname) && path[dirname.length] === '/' ? path.slice(dirname.length + 1) : undefined;
  return { name: modnameOf(path), path, relpath };
}

/**
 * `depmod_module_is_higher_priority`: whether the module found first (`old`) stays when `newPath`
 * gives the same name. Reproduced literally, quirks included: the lengths compared cover the
 * directory and as many characters of the file name as the module name has.
 */
export function keepsPriority(
  config: DepmodConfig,
  dirname: string,
  old: FoundModule,
  newPath: string,
): boolean {
  const lengthOf = (path: string) => path.lastIndexOf('/') + 1 + modnameOf(path).length;
  const newLen = lengthOf(newPath);
  const oldLen = lengthOf(old.path);
  const relOf = (path: string, len: number) =>
    path.startsWith(dirname) ? path.slice(dirname.length + 1, len) : undefined;
  const relNew = relOf(newPath, newLen);
  const relOld = relOf(old.path, oldLen);
  for (const ov of config.overrides) {
    if (relNew === ov) return false;
    if (relOld === ov) return true;
  }
  const startsWith = (path: string, len: number, prefix: string) =>
    len > prefix.length && path[prefix.length] === '/' && path.startsWith(prefix);
  let builtinPrio = -1;
  let oldPrio = -1;
  let newPrio = -1;
  let i = 0;
  for (const se of config.searches) {
    if (se.type === 'built-in') builtinPrio = i;
    else if (se.type === 'external') {
      // kmod counts the external directories in the same index as the search entries.
      for (const ext of config.externals) {
        if (startsWith(newPath, newLen, ext)) newPrio = i;
        if (startsWith(old.path, oldLen, ext)) oldPrio = i;
        i++;
      }
    } else if (relNew !== undefined && relNew.length > se.path.length && relNew.startsWith(`${se.path}/`)) {
      newPrio = i;
    } else if (relOld !== undefined && relOld.length > se.path.length && relOld.startsWith(`${se.path}/`)) {
      oldPrio = i;
    }
    i++;
  }
  if (newPrio < 0) newPrio = builtinPrio;
  if (oldPrio < 0) oldPrio = builtinPrio;
  return newPrio <= oldPrio;
}

/** The file descriptor kmod's first opendir gets (after stdin, stdout, stderr). */
export const FIRST_FD = 3;

function isExcluded(config: DepmodConfig, name: string): boolean {
  return (
    name === '.' || name === '..' || name === 'build' || name === 'source' || config.excludes.includes(name)
  );
}

/**
 * `depmod_modules_search`: the module directory, then each external directory (one that cannot be
 * read is reported and skipped). Returns the modules kept, by name.
 * @throws LoaderError (the errno as code) when the module directory cannot be read: kmod's FATAL.
 */
export function scanModules(dirname: string, config: DepmodConfig, log: DepmodLog): Map<string, FoundModule> {
  const found = new Map<string, FoundModule>();
  const consider = (path: string) => {
    const name = modnameOf(path);
    if (name === '') {
      log('error', `could not get modname from path ${path}\n`);
      return;
    }
    const old = found.get(name);
    if (old !== undefined) {
      if (keepsPriority(config, dirname, old, path)) return;
      found.delete(name);
    }
    found.set(name, foundModule(path, dirname));
  };
  /** Returns the errno of a directory that could not be opened. */
  /**
   * Returns the errno of a directory that could not be opened. kmod's messages name a directory by
   * its file descriptor: 3 for the top one, one more per level (each parent stays open).
   */
  const walk = (dir: string, depth: number): string | undefined => {
    let handle: ReturnType<typeof opendirSync>;
    try {
      // Entries fetched many at a time: one getdents per directory, not one per 32 entries.
      handle = opendirSync(dir, { bufferSize: 1024 });
    } catch (e) {
      const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
      if (depth === 0) log('error', `could not open directory ${dir}: ${strerror(errno)}\n`);
      else
        log(
          'error',
          `openat(${FIRST_FD + depth - 1}, ${dir.slice(dir.lastIndexOf('/') + 1)}, O_RDONLY): ${strerror(errno)}\n`,
        );
      return errno;
    }
    try {
      // Directory order, as readdir gives it (fs.readdirSync sorts; kmod does not).
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        const name = entry.name;
        if (isExcluded(config, name)) continue;
        const path = `${dir}/${name}`;
        let isDir: boolean;
        if (entry.isFile()) isDir = false;
        else if (entry.isDirectory()) isDir = true;
        else {
          let st: ReturnType<typeof statSync>;
          try {
            st = statSync(path);
          } catch (e) {
            const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
            log('error', `fstatat(${FIRST_FD + depth}, ${name}): ${strerror(errno)}\n`);
            continue;
          }
          if (st!.isFile()) isDir = false;
          else if (st!.isDirectory()) isDir = true;
          else {
            log('error', `unsupported file type ${path}: ${(st!.mode & 0o170000).toString(8)}\n`);
            continue;
          }
        }
        if (isDir) walk(path, depth + 1);
        else if (hasModuleExtension(name)) consider(path);
      }
    } finally {
      handle.closeSync();
    }
    return undefined;
  };
  const failed = walk(dirname, 0);
  if (failed !== undefined) {
    throw new LoaderError(failed, `could not search modules: ${strerror(failed)}`, { path: dirname });
  }
  // An external directory that cannot be read is reported and skipped.
  for (const ext of config.externals) walk(ext, 0);
  return found;
}
