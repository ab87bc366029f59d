/**
 * What modprobe knows about modules while it works, as libkmod keeps it (libkmod-module.c,
 * libkmod.c): one object per module name — or per name and alias, for a module reached through an
 * alias — with its path and dependencies from modules.dep, its options, install and remove commands
 * and softdeps from the configuration, and the flags the probe walk sets on it.
 */
import { statSync } from 'node:fs';
import { byteString, fnmatch, fromByteString as fromBytes } from '../fnmatch.js';
import { aliasNormalize, type ModuleDirectory, modnameNormalize } from '../module-directory.js';
import { readHolders, readInitState, readRefcnt } from '../sysfs.js';
import type { RootOptions } from '../system-files.js';
import type { ModprobeConfig } from './config.js';

/** libkmod.h: enum kmod_module_initstate, plus 'absent' for a module the kernel does not have. */
export type ModprobeInitState = 'builtin' | 'live' | 'coming' | 'going' | 'absent';

/** One `struct kmod_module`. */
export class ModprobeModule {
  readonly name: string;
  /** The alias it was found by (a configuration alias's pattern, or the name asked for); undefined for a name. */
  readonly alias: string | undefined;
  /** The file from modules.dep; undefined until read, null when there is none. */
  path: string | null | undefined;
  /** Dependencies, load order (modules.dep lists them the other way round). */
  deps: ModprobeModule[] | undefined;
  builtin: boolean | undefined;
  visited = false;
  required = false;
  /** Install commands are not run for it (it has softdeps, or the probe said so). */
  ignorecmd = false;
  options: string | null | undefined;
  installCommand: string | null | undefined;
  removeCommand: string | null | undefined;

  constructor(name: string, alias: string | undefined) {
    this.name = name;
    this.alias = alias;
  }
}

export interface ModprobeContextOptions extends RootOptions {
  readonly directory: ModuleDirectory;
  readonly config: ModprobeConfig;
}

/** A `struct kmod_ctx` for modprobe: the module pool, lookups and kernel state. */
export class ModprobeContext {
  readonly directory: ModuleDirectory;
  readonly config: ModprobeConfig;
  readonly root: RootOptions;
  readonly #pool = new Map<string, ModprobeModule>();

  constructor(options: ModprobeContextOptions) {
    this.directory = options.directory;
    this.config = options.config;
    this.root = options.root === undefined ? {} : { root: options.root };
  }

  /** All modules created so far (kmod_set_modules_visited walks the pool). */
  get modules(): IterableIterator<ModprobeModule> {
    return this.#pool.values();
  }

  /** kmod_module_new_from_name: the pooled object for a name (normalised like a file name). */
  byName(name: string): ModprobeModule {
    const normalized = modnameNormalize(name);
    let mod = this.#pool.get(normalized);
    if (!mod) {
      mod = new ModprobeModule(normalized, undefined);
      this.#pool.set(normalized, mod);
    }
    return mod;
  }

  /** kmod_module_new_from_alias: keyed `name\alias`, a different object from the plain name's. */
  byAlias(alias: string, name: string): ModprobeModule {
    const key = `${name}\\${alias}`;
    let mod = this.#pool.get(key);
    if (!mod) {
      mod = new ModprobeModule(name, alias);
      this.#pool.set(key, mod);
    }
    return mod;
  }

  /** modules.dep's line for `name` (kmod_search_moddep): the dependency list after the colon, as written. */
  #depLine(name: string): string | undefined {
    const line = this.directory.index('modules.dep').search(byteString(name));
    if (line === undefined) return undefined;
    const colon = line.indexOf(':');
    return colon < 0 ? undefined : fromBytes(line.slice(colon + 1));
  }

  /** libkmod-module.c: kmod_module_parse_depline, on first need. */
  #loadDeps(mod: ModprobeModule): void {
    if (mod.deps !== undefined) return;
    const list = this.#depLine(mod.name);
    if (list === undefined) {
      mod.path ??= null;
      return;
    }
    if (mod.path === undefined || mod.path === null)
      mod.path = this.directory.dependencies(mod.name)?.path ?? null;
    const deps: ModprobeModule[] = [];
    for (const file of list.split(/[ \t]+/)) {
      if (file === '') continue;
      const path = file.startsWith('/') ? file : `${this.directory.dirname}/${file}`;
      // kmod_module_new_from_path: the file must exist, or the whole list is dropped.
      if (statSync(path, { throwIfNoEntry: false }) === undefined) {
        mod.deps = [];
        return;
      }
      const dep = this.byName(modnameNormalize(file.slice(file.lastIndexOf('/') + 1)));
      dep.path ??= path;
      dep.builtin = false;
      deps.unshift(dep);
    }
    mod.deps = deps;
  }

  /** kmod_module_get_path. */
  path(mod: ModprobeModule): string | null {
    if (mod.path === undefined) this.#loadDeps(mod);
    return mod.path ?? null;
  }

  /** kmod_module_get_dependencies: every module `mod` needs, in load order. */
  dependencies(mod: ModprobeModule): readonly ModprobeModule[] {
    this.#loadDeps(mod);
    return mod.deps ?? [];
  }

  /** kmod_module_is_builtin: modules.builtin names it. */
  isBuiltin(mod: ModprobeModule): boolean {
    mod.builtin ??= this.directory.isBuiltin(mod.name);
    return mod.builtin;
  }

  /** kmod_module_get_initstate: built in, else /sys/module/<name>. */
  initState(mod: ModprobeModule): ModprobeInitState {
    if (this.isBuiltin(mod)) return 'builtin';
    try {
      return readInitState(mod.name, this.root) ?? 'absent';
    } catch {
      return 'absent';
    }
  }

  /** module_is_inkernel. */
  inKernel(mod: ModprobeModule): boolean {
    const state = this.initState(mod);
    return state === 'live' || state === 'builtin';
  }

  refcnt(mod: ModprobeModule): number | undefined {
    try {
      return readRefcnt(mod.name, this.root);
    } catch {
      return undefined;
    }
  }

  /** kmod_module_get_holders: undefined when /sys/module/<name>/holders cannot be read (kmod logs that). */
  holders(mod: ModprobeModule): ModprobeModule[] | undefined {
    let names: string[] | undefined;
    try {
      names = readHolders(mod.name, this.root);
    } catch {
      names = undefined;
    }
    if (names === undefined) return undefined;
    return names.filter((n) => n !== '.' && n !== '..').map((n) => this.byName(n));
  }

  /** kmod_module_get_options: every `options` line for the name or the alias, joined by spaces. */
  options(mod: ModprobeModule): string | null {
    if (mod.options === undefined) {
      const parts: string[] = [];
      for (const { modname, value } of this.config.options) {
        if (modname !== mod.name && (mod.alias === undefined || modname !== mod.alias)) continue;
        if (value.length > 0) parts.push(value);
      }
      mod.options = parts.length > 0 ? parts.join(' ') : null;
    }
    return mod.options;
  }

  /** kmod_module_get_install_commands: the first `install` whose glob matches the name. */
  installCommand(mod: ModprobeModule): string | null {
    mod.installCommand ??=
      this.config.installCommands.find((c) => fnmatch(c.modname, mod.name))?.value ?? null;
    return mod.installCommand;
  }

  /** kmod_module_get_remove_commands. */
  removeCommand(mod: ModprobeModule): string | null {
    mod.removeCommand ??= this.config.removeCommands.find((c) => fnmatch(c.modname, mod.name))?.value ?? null;
    return mod.removeCommand;
  }

  /** kmod_module_get_softdeps: the first `softdep` whose glob matches, each name looked up. */
  softdeps(mod: ModprobeModule): { pre: ModprobeModule[]; post: ModprobeModule[] } {
    const dep = this.config.softdeps.find((s) => fnmatch(s.name, mod.name));
    if (!dep) return { pre: [], post: [] };
    const resolve = (names: readonly string[]) => names.flatMap((n) => this.lookup(n) ?? []);
    return { pre: resolve(dep.pre), post: resolve(dep.post) };
  }

  /** module_is_blacklisted. */
  isBlacklisted(mod: ModprobeModule): boolean {
    return this.config.blacklists.includes(mod.name);
  }

  /**
   * kmod_module_new_from_lookup: the first source that knows the name answers — configuration aliases
   * (globs), modules.dep, modules.symbols (`symbol:`), install/remove commands, modules.alias (globs),
   * modules.builtin, the built-in modules' aliases. [] when nothing knows it; undefined for an alias
   * kmod rejects as malformed (EINVAL).
   */
  lookup(given: string): ModprobeModule[] | undefined {
    const name = aliasNormalize(given);
    if (name === undefined) return undefined;
    const fromConfig = this.config.aliases
      .filter((a) => fnmatch(a.name, name))
      .map((a) => this.byAlias(a.name, a.modname));
    if (fromConfig.length > 0) return fromConfig;
    if (!name.includes(':') && this.#depLine(name) !== undefined) {
      const mod = this.byName(name);
      this.#loadDeps(mod);
      return [mod];
    }
    if (name.startsWith('symbol:')) {
      const owners = this.directory.symbolOwners(name.slice('symbol:'.length));
      if (owners.length > 0) return owners.map((m) => this.byAlias(name, m));
    }
    for (const [list, field] of [
      [this.config.installCommands, 'installCommand'],
      [this.config.removeCommands, 'removeCommand'],
    ] as const) {
      const cmd = list.find((c) => c.modname === name);
      if (cmd) {
        const mod = this.byName(cmd.modname);
        mod[field] = cmd.value;
        return [mod];
      }
    }
    const matches = this.directory.lookup(name) ?? [];
    if (matches.length === 0) return [];
    if (matches[0]!.kind === 'builtin' && matches[0]!.name === name && this.directory.isBuiltin(name)) {
      const mod = this.byName(name);
      mod.builtin = true;
      return [mod];
    }
    return matches.map((m) => this.byAlias(name, m.name));
  }
}
