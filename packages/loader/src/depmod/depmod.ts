/**
 * kmod 30's depmod (`tools/depmod.c: do_depmod`) as a library: find the modules of a tree, read
 * their symbols, resolve each import to the module exporting it, order the modules, and produce the
 * index files kmod writes, byte for byte. Printing and exit statuses are the caller's (apps/cli);
 * messages come through a {@link DepmodLog} with kmod's wording.
 */
import { closeSync, opendirSync, openSync, readFileSync, statSync } from 'node:fs';
import { strerror } from '@kmodkit/errno';
import { LoaderError } from '../error.js';
import { modulesAlias, modulesAliasBin, modulesSymbols, modulesSymbolsBin } from './alias-files.js';
import { AtomicWriteError, temporaryName, writeFileAtomic } from './atomic-write.js';
import { modulesBuiltinAliasBin, modulesBuiltinBin } from './builtin-files.js';
import { DEFAULT_CONFIG_PATHS, loadDepmodConfig } from './config.js';
import { modulesDep, modulesDepBin } from './dep-files.js';
import { allDependencies, topologicalOrder } from './dependency-sort.js';
import { type DepmodTree, latin1Bytes, type TreeModule } from './depmod-tree.js';
import { inHashOrder, MODULES_BUCKETS } from './kmod-hash.js';
import { type DepmodLog, silentLog } from './log.js';
import { hasWeakdeps, modulesDevname, modulesSoftdep, modulesWeakdep } from './modinfo-files.js';
import { readDepmodModules } from './module-reader.js';
import {
  FIRST_FD,
  type FoundModule,
  foundModule,
  hasModuleExtension,
  modnameOf,
  scanModules,
} from './module-scan.js';
import type { ModuleDecoder } from './module-symbols.js';
import { fgetsLines, SymbolTable } from './symbol-table.js';

export interface DepmodOptions {
  /** The kernel version: the tree is `BASEDIR/lib/modules/VERSION`. */
  readonly kernelVersion: string;
  /** `-b`: an absolute directory standing for `/`; none by default. */
  readonly basedir?: string;
  /** `-C`: configuration files or directories instead of kmod's default depmod.d directories. */
  readonly configPaths?: readonly string[];
  /** `-E`: a Module.symvers with the kernel's exports and CRCs (CRCs are then checked). */
  readonly symvers?: string;
  /** `-F`: a System.map with the kernel's exports (used when `symvers` is not given). */
  readonly systemMap?: string;
  /** `-e`: warn about unresolved symbols (and, with `symvers`, CRC mismatches). Needs -E or -F. */
  readonly errsyms?: boolean;
  /** `-w`: warn about duplicate keys in the indexes. */
  readonly warnDuplicates?: boolean;
  /** `-P`: one character that prefixes symbol names on this architecture. */
  readonly symbolPrefix?: string;
  /**
   * Module files (absolute paths) to index instead of the whole tree; ignored when `all` is set.
   * Empty or absent means the whole tree.
   */
  readonly files?: readonly string[];
  /** `-a`: the whole tree even when `files` are given. */
  readonly all?: boolean;
  /** Messages, with kmod's wording and levels. */
  readonly log?: DepmodLog;
  /** `-v`: each dependency found, as kmod prints it on stdout (`PATH needs "SYM": PATH`). */
  readonly show?: (line: string) => void;
  /**
   * A faster decompressor for `.ko.gz`/`.ko.xz`/`.ko.zst` than @kmodkit/elf's, loaded only for a
   * tree that has such files: called with the kinds found.
   */
  readonly loadDecoder?: (kinds: readonly CompressionKind[]) => Promise<ModuleDecoder | undefined>;
  /**
   * A task module for the worker of `runChunks` to share the reading with, on machines with two
   * CPUs or more: it exports `runChunk(paths)`, returning `readDepmodChunk(paths, decoder)` with its
   * decoder for the kinds found (the runner has loaded the native ones on that thread). None by default.
   */
  readonly workerUrl?: URL;
  /** Called as modules are read: `done` of `total` (for a progress bar). */
  readonly progress?: (done: number, total: number) => void;
}

/** A compressed module's kind, by extension. */
export type CompressionKind = 'gzip' | 'xz' | 'zstd';

function compressionKinds(modules: readonly FoundModule[]): CompressionKind[] {
  const kinds = new Set<CompressionKind>();
  for (const m of modules) {
    if (m.path.endsWith('.gz')) kinds.add('gzip');
    else if (m.path.endsWith('.xz')) kinds.add('xz');
    else if (m.path.endsWith('.zst')) kinds.add('zstd');
  }
  return [...kinds];
}

/** `BASEDIR/lib/modules/VERSION`, as kmod joins it. */
export function moduleDirectoryOf(kernelVersion: string, basedir = ''): string {
  return `${basedir}/lib/modules/${kernelVersion}`;
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

function fatal(code: string, message: string, path?: string): LoaderError {
  return new LoaderError(code, message, path === undefined ? {} : { path });
}

/**
 * `dfdopen` + read: a file of the module directory, or undefined after kmod's warning.
 */
function readTreeFile(dir: string, name: string, log: DepmodLog): string | undefined {
  try {
    statSync(dir);
  } catch (e) {
    log('warning', `could not open directory ${dir}: ${strerror(errnoOf(e))}\n`);
    return undefined;
  }
  try {
    return readFileSync(`${dir}/${name}`, 'latin1');
  } catch (e) {
    log('warning', `could not open ${name} at ${dir}: ${strerror(errnoOf(e))}\n`);
    return undefined;
  }
}

/**
 * The errno kmod 30 has when it prints `%m` after a failure that set none: what `kmod_new` left,
 * from opening the tree's modules.softdep (`kmod_config_new`) and then /proc/cmdline.
 */
function leftoverErrno(dirname: string): string {
  let text = 'Success';
  for (const file of [`${dirname}/modules.softdep`, '/proc/cmdline']) {
    try {
      closeSync(openSync(file, 'r'));
    } catch (e) {
      text = strerror(errnoOf(e));
    }
  }
  return text;
}

/** The modules named on the command line (`do_depmod` without -a). */
function namedModules(files: readonly string[], dirname: string, log: DepmodLog): Map<string, FoundModule> {
  const found = new Map<string, FoundModule>();
  for (const path of files) {
    if (!path.startsWith('/')) throw fatal('EINVAL', `${path}: not absolute path.`, path);
    try {
      statSync(path);
    } catch (e) {
      throw fatal(errnoOf(e), `could not create module ${path}: ${strerror(errnoOf(e))}`, path);
    }
    const name = modnameOf(path);
    if (name === '') throw fatal('ENOENT', `could not create module ${path}: ${strerror('ENOENT')}`, path);
    const old = found.get(name);
    if (old !== undefined && old.path !== path) {
      log(
        'error',
        `kmod_module '${name}' already exists with different path: new-path='${path}' old-path='${old.path}'\n`,
      );
      throw fatal('EEXIST', `could not create module ${path}: ${strerror('EEXIST')}`, path);
    }
    if (old !== undefined) {
      log('error', `hash_add_unique ${name}: ${strerror('EEXIST')}\n`);
      throw fatal('EEXIST', `could not add module ${path}: ${strerror('EEXIST')}`, path);
    }
    found.set(name, foundModule(path, dirname));
  }
  return found;
}

/** kmod's `uncrelpath`: the relative path cut after the module name and ".ko" (what modules.order lists). */
function uncompressedRelpath(mod: FoundModule): string | undefined {
  if (mod.relpath === undefined) return undefined;
  const dirLength = mod.relpath.lastIndexOf('/');
  return mod.relpath.slice(0, dirLength + 1 + mod.name.length + 3);
}

/**
 * `depmod_modules_sort`: modules listed in modules.order first, in its order (a later line wins),
 * the others after them in the order they had. A line without its newline voids the whole file.
 */
function sortByModulesOrder(modules: FoundModule[], dir: string, log: DepmodLog): FoundModule[] {
  const text = readTreeFile(dir, 'modules.order', log);
  if (text === undefined) return modules;
  const lines = fgetsLines(text, 4096);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const nul = line.indexOf('\0');
    const len = nul < 0 ? line.length : nul;
    if (len !== 0 && line[len - 1] !== '\n') {
      log('error', `${dir}/modules.order:${i + 1} corrupted line misses '\\n'\n`);
      return modules;
    }
  }
  const byUncrelpath = new Map<string, FoundModule>();
  for (const m of modules) {
    const key = uncompressedRelpath(m);
    if (key !== undefined && !byUncrelpath.has(key)) byUncrelpath.set(key, m);
  }
  const total = lines.length + 1;
  const rank = new Map<FoundModule, number>();
  lines.forEach((line, i) => {
    const nul = line.indexOf('\0');
    const len = nul < 0 ? line.length : nul;
    if (len === 0) return;
    const mod = byUncrelpath.get(line.slice(0, len - 1));
    if (mod !== undefined) rank.set(mod, i + 1 - total);
  });
  // Array.prototype.sort is stable, as glibc's qsort (a merge sort) is for these sizes.
  return [...modules].sort((a, b) => (rank.get(a) ?? 1) - (rank.get(b) ?? 1));
}

/**
 * Everything depmod computes before writing: the modules in order with their dependencies, and the
 * symbol table.
 * @throws LoaderError where kmod stops with a FATAL message (its text is the error's message), or
 *   `ECYCLE` after reporting dependency cycles through `log` (kmod then writes nothing and exits 1).
 */
export async function analyseModules(options: DepmodOptions): Promise<DepmodTree> {
  const log = options.log ?? silentLog;
  const dirname = moduleDirectoryOf(options.kernelVersion, options.basedir);
  const symbols = new SymbolTable(options.symbolPrefix ?? '');
  let errsyms = options.errsyms ?? false;
  const checkSymvers = options.symvers !== undefined;
  const loadKernelSymbols = (file: string, load: (text: string) => void) => {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (e) {
      throw fatal(errnoOf(e), `could not load ${file}: ${strerror(errnoOf(e))}`, file);
    }
    load(text);
  };
  if (options.symvers !== undefined) {
    const file = options.symvers;
    loadKernelSymbols(file, (text) => symbols.loadSymvers(text, file, log, leftoverErrno(dirname)));
  } else if (options.systemMap !== undefined) {
    const file = options.systemMap;
    loadKernelSymbols(file, (text) => symbols.loadSystemMap(text, file, log));
  } else if (errsyms) {
    log('warning', '-e needs -E or -F\n');
    errsyms = false;
  }

  const whole = options.all === true || options.files === undefined || options.files.length === 0;
  const found = whole
    ? scanModules(
        dirname,
        loadDepmodConfig(options.kernelVersion, options.configPaths ?? DEFAULT_CONFIG_PATHS, log),
        log,
      )
    : namedModules(options.files!, dirname, log);
  const modules = sortByModulesOrder(
    inHashOrder([...found.values()], (m) => m.name, MODULES_BUCKETS),
    dirname,
    log,
  );

  const kinds = compressionKinds(modules);
  const decoder = kinds.length > 0 ? await options.loadDecoder?.(kinds) : undefined;
  const data = await readDepmodModules(
    modules.map((m) => m.path),
    decoder,
    options.workerUrl === undefined ? undefined : { url: options.workerUrl, kinds },
    options.progress,
  );
  data.forEach((d, i) => {
    if ('errno' in d) {
      if (d.errno !== 'ENOENT')
        log('error', `failed to load symbols from ${modules[i]!.path}: ${strerror(d.errno)}\n`);
      return;
    }
    for (const sym of d.exports) symbols.add(sym.name, false, sym.crc, i);
  });

  const deps: number[][] = modules.map(() => []);
  data.forEach((d, i) => {
    if ('errno' in d || d.imports === undefined) return;
    const mod = modules[i]!;
    const mine = deps[i]!;
    for (const imp of d.imports) {
      const sym = symbols.find(imp.name);
      if (sym === undefined) {
        if (errsyms && !imp.weak) log('warning', `${mod.path} needs unknown symbol ${imp.name}\n`);
        continue;
      }
      if (checkSymvers && sym.crc !== imp.crc && !imp.weak && errsyms) {
        log('warning', `${mod.path} disagrees about version of symbol ${imp.name}\n`);
      }
      if (sym.owner === undefined || mine.includes(sym.owner)) continue;
      mine.push(sym.owner);
      options.show?.(`${mod.path} needs "${sym.name}": ${modules[sym.owner]!.path}\n`);
    }
  });

  const order = topologicalOrder({ names: modules.map((m) => m.name), deps }, log);
  if (order === undefined) throw fatal('ECYCLE', 'dependency cycles', dirname);
  for (const d of deps) d.sort((a, b) => order[a]! - order[b]!);

  const treeModules: TreeModule[] = modules.map((m, i) => {
    const d = data[i]!;
    const written = m.relpath ?? m.path;
    return {
      name: m.name,
      written: /^[\x00-\x7f]*$/.test(written) ? written : Buffer.from(written, 'utf8').toString('latin1'),
      info: 'errno' in d ? [] : d.info,
      dependencies: allDependencies(i, deps, order),
    };
  });
  return { moduleDirectory: dirname, modules: treeModules, symbols: symbols.ordered() };
}

/** One file depmod writes, made when asked (kmod makes and writes them one at a time). */
export interface DepmodOutput {
  readonly name: string;
  readonly content: () => Uint8Array;
}

export interface OutputOptions {
  /** `-n`: the text files only, as kmod prints them on stdout (the `.bin` writers skip stdout). */
  readonly toStdout?: boolean;
  /** `-w`. */
  readonly warnDuplicates?: boolean;
  readonly log?: DepmodLog;
}

/**
 * The files in kmod's order. modules.weakdep (kmod 33) comes after modules.softdep as kmod 33
 * writes it: always as a file; on stdout only when some module has a weak dependency, so that
 * `-n` prints what kmod 30 prints for every tree kmod 30 can index.
 */
export function depmodOutputs(tree: DepmodTree, options: OutputOptions = {}): DepmodOutput[] {
  const log = options.log ?? silentLog;
  const dups = options.warnDuplicates ?? false;
  const text = (make: () => string) => () => latin1Bytes(make());
  const builtin = (name: string, make: (text: string, log: DepmodLog) => Uint8Array) => () => {
    const source = readTreeFile(tree.moduleDirectory, name, log);
    return source === undefined ? undefined : make(source, log);
  };
  const all: (DepmodOutput & { readonly binary: boolean })[] = [
    { name: 'modules.dep', binary: false, content: text(() => modulesDep(tree)) },
    { name: 'modules.dep.bin', binary: true, content: () => modulesDepBin(tree, dups, log) },
    { name: 'modules.alias', binary: false, content: text(() => modulesAlias(tree)) },
    { name: 'modules.alias.bin', binary: true, content: () => modulesAliasBin(tree, dups, log) },
    { name: 'modules.softdep', binary: false, content: text(() => modulesSoftdep(tree)) },
    { name: 'modules.weakdep', binary: false, content: text(() => modulesWeakdep(tree)) },
    { name: 'modules.symbols', binary: false, content: text(() => modulesSymbols(tree)) },
    { name: 'modules.symbols.bin', binary: true, content: () => modulesSymbolsBin(tree, dups, log) },
    // Without modules.builtin, kmod leaves its temporary file empty and renames it: an empty index.
    {
      name: 'modules.builtin.bin',
      binary: true,
      content: () => builtin('modules.builtin', modulesBuiltinBin)() ?? new Uint8Array(0),
    },
    {
      name: 'modules.builtin.alias.bin',
      binary: true,
      content: () => builtin('modules.builtin.modinfo', modulesBuiltinAliasBin)() ?? new Uint8Array(0),
    },
    { name: 'modules.devname', binary: false, content: text(() => modulesDevname(tree, log)) },
  ];
  if (!options.toStdout) return all;
  return all.filter((o) => !o.binary && (o.name !== 'modules.weakdep' || hasWeakdeps(tree)));
}

/**
 * `depmod_output` to the module directory: each file through a temporary file and a rename. A
 * temporary file that cannot be created is reported and skipped (as kmod does); a failed write
 * stops the run with the old index in place. Returns false when a file could not be written.
 * @throws LoaderError when the directory cannot be opened or a rename fails (kmod's FATAL).
 */
export function writeDepmodOutputs(
  tree: DepmodTree,
  outputs: readonly DepmodOutput[],
  log: DepmodLog = silentLog,
): boolean {
  const dir = tree.moduleDirectory;
  try {
    opendirSync(dir).closeSync();
  } catch (e) {
    throw fatal(errnoOf(e), `could not open directory ${dir}: ${strerror(errnoOf(e))}`, dir);
  }
  const now = Date.now();
  for (const output of outputs) {
    const temporary = temporaryName(output.name, now);
    try {
      writeFileAtomic(dir, output.name, output.content(), temporary);
    } catch (e) {
      if (!(e instanceof AtomicWriteError)) throw e;
      if (e.stage === 'open') {
        log('error', `openat(${dir}, ${temporary}, 301, 644): ${strerror(e.code)}\n`);
        continue;
      }
      if (e.stage === 'rename') {
        throw fatal(
          e.code,
          `renameat(${dir}, ${temporary}, ${dir}, ${output.name}): ${strerror(e.code)}`,
          dir,
        );
      }
      log('error', `Could not create index '${output.name}'. Output is truncated: ${strerror(e.code)}\n`);
      return false;
    }
  }
  return true;
}

/**
 * `depfile_up_to_date` (`-A`): true when modules.dep exists and no module file under the directory
 * (`build` and `source` skipped) has a later modification time, in whole seconds.
 */
export function isDepmodUpToDate(dir: string, log: DepmodLog = silentLog): boolean {
  let depTime: number;
  try {
    statSync(dir);
  } catch (e) {
    log('error', `could not open directory ${dir}: ${strerror(errnoOf(e))}\n`);
    return false;
  }
  try {
    depTime = Math.floor(statSync(`${dir}/modules.dep`).mtimeMs / 1000);
  } catch (e) {
    log('error', `could not fstatat(${dir}, modules.dep): ${strerror(errnoOf(e))}\n`);
    return false;
  }
  const walk = (path: string, depth: number): boolean => {
    let handle: ReturnType<typeof opendirSync>;
    try {
      handle = opendirSync(path, { bufferSize: 1024 });
    } catch (e) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      log('error', `openat(${FIRST_FD + depth - 1}, ${name}, O_RDONLY): ${strerror(errnoOf(e))}\n`);
      return true;
    }
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        const name = entry.name;
        if (name === '.' || name === '..' || name === 'build' || name === 'source') continue;
        const full = `${path}/${name}`;
        let st: ReturnType<typeof statSync>;
        try {
          st = statSync(full);
        } catch (e) {
          log('error', `fstatat(${FIRST_FD + depth}, ${name}): ${strerror(errnoOf(e))}\n`);
          continue;
        }
        if (st!.isDirectory()) {
          if (!walk(full, depth + 1)) return false;
        } else if (st!.isFile()) {
          if (hasModuleExtension(name) && Math.floor(st!.mtimeMs / 1000) > depTime) return false;
        } else {
          log('error', `unsupported file type ${full}: ${(st!.mode & 0o170000).toString(8)}\n`);
        }
      }
    } finally {
      handle.closeSync();
    }
    return true;
  };
  return walk(dir, 0);
}
