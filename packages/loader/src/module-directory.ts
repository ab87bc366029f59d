/**
 * A `/lib/modules/<version>` directory as depmod leaves it, read the way kmod's lookups answer
 * (`libkmod.c: kmod_lookup_alias_from_moddep_file`, `_from_aliases_file`, `_from_symbols_file`,
 * `_from_builtin_file`, `_from_kernel_builtin_file`; `libkmod-builtin.c: kmod_builtin_get_modinfo`;
 * `libkmod-config.c` for `modules.softdep`).
 *
 * kmod reads depmod's binary indexes (`modules.dep.bin`, `modules.alias.bin`, `modules.symbols.bin`,
 * `modules.builtin.bin`, `modules.builtin.alias.bin`), and so does this ({@link IndexFile}). Where a
 * `.bin` is missing, the text file depmod writes beside it is read into the same trie depmod would
 * have built ({@link memoryIndex}), so the answers, and their order, are the same.
 */
import { readFileSync } from 'node:fs';
import { byteString, fromByteString as fromBytes } from './fnmatch.js';
import { IndexFile, type ModuleIndex, memoryIndex } from './index-file.js';

/** `shared/util.c: modname_normalize`: up to the first `.`, dashes as underscores. */
export function modnameNormalize(name: string): string {
  const dot = name.indexOf('.');
  return (dot < 0 ? name : name.slice(0, dot)).replaceAll('-', '_');
}

/** `shared/util.c: path_to_modname`: the normalized basename; undefined for a path ending in `/`. */
export function pathToModname(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === '' ? undefined : modnameNormalize(base);
}

/**
 * `shared/util.c: alias_normalize`: dashes become underscores except inside `[...]` ranges; an
 * unbalanced bracket makes the alias invalid (undefined). Stops at the first NUL, as C does.
 */
export function aliasNormalize(alias: string): string | undefined {
  let out = '';
  for (let i = 0; i < alias.length; i++) {
    const c = alias[i]!;
    if (c === '\0') break;
    if (c === ']') return undefined;
    if (c === '[') {
      const close = alias.indexOf(']', i);
      const nul = alias.indexOf('\0', i);
      if (close < 0 || (nul >= 0 && nul < close)) return undefined;
      out += alias.slice(i, close + 1);
      i = close;
      continue;
    }
    out += c === '-' ? '_' : c;
  }
  return out;
}

/** Where a lookup led: a module file, or a module built into the kernel image. */
export type ModuleLocation =
  | { readonly kind: 'file'; readonly name: string; readonly path: string }
  | { readonly kind: 'builtin'; readonly name: string };

/** A module's `modules.dep` record: its file and the files it depends on, all absolute. */
export interface ModuleDependencies {
  readonly name: string;
  readonly path: string;
  readonly dependencies: readonly string[];
}

/** A `modules.softdep` line (`softdep NAME pre: … post: …`): modules to load before and after. */
export interface SoftDependencies {
  readonly pre: readonly string[];
  readonly post: readonly string[];
}

/** A `modules.devname` line: the device node whose opening loads the module. */
export interface DeviceName {
  readonly module: string;
  readonly devname: string;
  readonly type: 'c' | 'b';
  readonly major: number;
  readonly minor: number;
}

/** The indexes kmod reads, by the name of their text file. */
type IndexName =
  | 'modules.dep'
  | 'modules.alias'
  | 'modules.symbols'
  | 'modules.builtin'
  | 'modules.builtin.alias';

/** The indexes of one `/lib/modules/<version>` directory, each read on first use. */
export class ModuleDirectory {
  readonly dirname: string;
  readonly #indexes = new Map<IndexName, ModuleIndex>();
  #builtinModinfo: Map<string, string[]> | 'ENOENT' | undefined;
  #softdeps: Map<string, SoftDependencies> | undefined;

  constructor(dirname: string) {
    this.dirname = dirname;
  }

  #read(file: string, encoding: 'utf8' | 'latin1' = 'latin1'): string | undefined {
    try {
      return readFileSync(`${this.dirname}/${file}`, encoding);
    } catch {
      return undefined;
    }
  }

  /**
   * The index `name`: its `.bin` as kmod reads it; if there is no `.bin`, the text file read into the
   * same trie; if neither, an empty index. A `.bin` kmod would refuse to open (bad magic or version)
   * answers nothing, as it does for kmod.
   */
  index(name: IndexName): ModuleIndex {
    let index = this.#indexes.get(name);
    if (index !== undefined) return index;
    const bin = `${this.dirname}/${name}.bin`;
    let bytes: Uint8Array | undefined;
    try {
      bytes = readFileSync(bin);
    } catch {
      bytes = undefined;
    }
    if (bytes !== undefined) {
      try {
        index = new IndexFile(bytes, bin);
      } catch {
        index = memoryIndex([]);
      }
    } else {
      index = memoryIndex(this.#textRecords(name));
    }
    this.#indexes.set(name, index);
    return index;
  }

  /** The records depmod puts in the `.bin` of `name`, from its text file (or, for built-in aliases, modules.builtin.modinfo). */
  *#textRecords(name: IndexName): Generator<[string, string, number]> {
    if (name === 'modules.dep') {
      let idx = 0;
      for (const line of (this.#read(name) ?? '').split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0 || line.startsWith('#')) continue;
        const modname = pathToModname(line.slice(0, colon));
        if (modname !== undefined) yield [modname, line, idx++];
      }
    } else if (name === 'modules.alias' || name === 'modules.symbols') {
      // Priorities are the modules' places in modules.dep (`mod->idx`), as depmod gives them.
      const order = new Map<string, number>();
      for (const e of this.index('modules.dep').entries())
        if (!order.has(e.key)) order.set(e.key, e.priority);
      for (const line of (this.#read(name) ?? '').split('\n')) {
        const m = /^alias\s+(\S+)\s+(\S+)/.exec(line);
        const key = m === null ? undefined : name === 'modules.alias' ? aliasNormalize(m[1]!) : m[1]!;
        if (key !== undefined) yield [key, m![2]!, order.get(m![2]!) ?? 0];
      }
    } else if (name === 'modules.builtin') {
      for (const line of (this.#read(name) ?? '').split('\n')) {
        const modname = line === '' ? undefined : pathToModname(line);
        if (modname !== undefined) yield [modname, '', 0];
      }
    } else {
      // `tools/depmod.c: output_builtin_alias_bin`: the `alias=` strings of modules.builtin.modinfo.
      for (const s of (this.#read('modules.builtin.modinfo') ?? '').split('\0')) {
        const dot = s.indexOf('.');
        if (dot <= 0 || !s.startsWith('alias=', dot + 1) || s.length === dot + 7) continue;
        const alias = aliasNormalize(s.slice(dot + 7));
        if (alias !== undefined) yield [alias, s.slice(0, dot), 0];
      }
    }
  }

  /** `kmod_search_moddep` and `kmod_module_parse_depline`: `name`'s file and dependencies. */
  dependencies(name: string): ModuleDependencies | undefined {
    const line = this.index('modules.dep').search(byteString(name));
    if (line === undefined) return undefined;
    const colon = line.indexOf(':');
    if (colon < 0) return undefined;
    const absolute = (p: string) => (p.startsWith('/') ? p : `${this.dirname}/${p}`);
    const dependencies = line
      .slice(colon + 1)
      .split(/[ \t]+/)
      .filter((p) => p !== '')
      .map(absolute);
    return {
      name,
      path: fromBytes(absolute(line.slice(0, colon))),
      dependencies: dependencies.map(fromBytes),
    };
  }

  /** `modules.alias`: the modules whose alias patterns match `alias` (normalised), in kmod's order. */
  aliasOwners(alias: string): string[] {
    return this.index('modules.alias')
      .searchWild(byteString(alias))
      .map((v) => fromBytes(v.value));
  }

  /** `modules.symbols`: the modules that export `symbol` (without the `symbol:` prefix). */
  symbolOwners(symbol: string): string[] {
    return this.index('modules.symbols')
      .searchWild(byteString(`symbol:${symbol}`))
      .map((v) => fromBytes(v.value));
  }

  /** `modules.builtin`: whether module `name` is built into the kernel image. */
  isBuiltin(name: string): boolean {
    return this.index('modules.builtin').search(byteString(name)) !== undefined;
  }

  /** `modules.builtin.alias.bin`: the built-in modules whose aliases match `alias`. */
  builtinAliasOwners(alias: string): string[] {
    return this.index('modules.builtin.alias')
      .searchWild(byteString(alias))
      .map((v) => fromBytes(v.value));
  }

  /**
   * `modules.builtin.modinfo`: the strings of built-in module `name` with the `name.` prefix removed,
   * from the first run of strings for that name; 'ENOENT' when the file is missing, 'ENOSYS' when it
   * does not list the module (the errors `kmod_builtin_get_modinfo` returns).
   */
  builtinModinfo(name: string): string[] | 'ENOENT' | 'ENOSYS' {
    if (this.#builtinModinfo === undefined) {
      const text = this.#read('modules.builtin.modinfo', 'utf8');
      if (text === undefined) this.#builtinModinfo = 'ENOENT';
      else {
        const map = new Map<string, string[]>();
        let current: string[] | undefined;
        let currentName: string | undefined;
        for (const s of text.split('\0')) {
          if (s === '') continue;
          const dot = s.indexOf('.');
          if (dot < 0) break; // kmod stops reading at a string without a module prefix
          const mod = s.slice(0, dot);
          if (mod !== currentName) {
            currentName = mod;
            current = map.has(mod) ? undefined : [];
            if (current) map.set(mod, current);
          }
          current?.push(s.slice(dot + 1));
        }
        this.#builtinModinfo = map;
      }
    }
    if (this.#builtinModinfo === 'ENOENT') return 'ENOENT';
    return this.#builtinModinfo.get(name) ?? 'ENOSYS';
  }

  /**
   * `modules.softdep` (read by kmod as a configuration file, `libkmod-config.c: kmod_config_add_softdep`):
   * the `pre:` and `post:` modules of `name`, or undefined. The first line for a name counts.
   */
  softdeps(name: string): SoftDependencies | undefined {
    if (this.#softdeps === undefined) {
      this.#softdeps = new Map();
      for (const line of (this.#read('modules.softdep', 'utf8') ?? '').split('\n')) {
        const words = line.split(/[ \t]+/).filter((w) => w !== '');
        if (words[0] !== 'softdep' || words.length < 3) continue;
        const pre: string[] = [];
        const post: string[] = [];
        let into: string[] | undefined;
        for (const w of words.slice(2)) {
          if (w === 'pre:') into = pre;
          else if (w === 'post:') into = post;
          else into?.push(modnameNormalize(w));
        }
        const mod = modnameNormalize(words[1]!);
        if (!this.#softdeps.has(mod)) this.#softdeps.set(mod, { pre, post });
      }
    }
    return this.#softdeps.get(modnameNormalize(name));
  }

  /** `modules.devname`: the device nodes that load modules on demand (`MODULE_ALIAS("devname:…")`). */
  devnames(): DeviceName[] {
    const out: DeviceName[] = [];
    for (const line of (this.#read('modules.devname', 'utf8') ?? '').split('\n')) {
      const m = /^(\S+)\s+(\S+)\s+([cb])(\d+):(\d+)\s*$/.exec(line);
      if (m === null) continue;
      out.push({
        module: m[1]!,
        devname: m[2]!,
        type: m[3] as 'c' | 'b',
        major: Number(m[4]),
        minor: Number(m[5]),
      });
    }
    return out;
  }

  #byName(name: string): ModuleLocation | undefined {
    const dep = this.dependencies(name);
    if (dep !== undefined) return { kind: 'file', name, path: dep.path };
    return this.isBuiltin(name) ? { kind: 'builtin', name } : undefined;
  }

  /**
   * `modinfo -m NAME` (`kmod_module_new_from_name_lookup`): `modules.dep`, then the built-in list,
   * then the built-in modules' aliases.
   */
  lookupName(name: string): ModuleLocation | undefined {
    const normalized = modnameNormalize(name);
    return this.#byName(normalized) ?? this.#builtinAliases(normalized)[0];
  }

  /**
   * `modinfo NAME-OR-ALIAS` (`kmod_module_new_from_lookup` without modprobe.d configuration): the first
   * source that knows it answers — `modules.dep` (a name), `modules.symbols` (`symbol:…`),
   * `modules.alias` (patterns), the built-in list, the built-in modules' aliases. Undefined for an
   * alias kmod rejects as malformed.
   */
  lookup(alias: string): ModuleLocation[] | undefined {
    const name = aliasNormalize(alias);
    if (name === undefined) return undefined;
    if (!name.includes(':')) {
      const dep = this.dependencies(name);
      if (dep !== undefined) return [{ kind: 'file', name, path: dep.path }];
    }
    if (name.startsWith('symbol:')) {
      const mods = this.symbolOwners(name.slice(7));
      if (mods.length > 0) return mods.map((m) => this.#located(m));
    }
    const matched = this.aliasOwners(name);
    if (matched.length > 0) return matched.map((m) => this.#located(m));
    if (this.isBuiltin(name)) return [{ kind: 'builtin', name }];
    return this.#builtinAliases(name);
  }

  /** A module named by an index: its file if `modules.dep` has it, else built-in. */
  #located(name: string): ModuleLocation {
    return this.#byName(name) ?? { kind: 'builtin', name };
  }

  #builtinAliases(name: string): ModuleLocation[] {
    return this.builtinAliasOwners(name).map((m) => ({ kind: 'builtin', name: m }));
  }
}
