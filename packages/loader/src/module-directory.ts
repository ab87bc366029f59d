/**
 * A `/lib/modules/<version>` directory as depmod leaves it, read the way kmod's lookups answer
 * (`libkmod.c: kmod_lookup_alias_from_moddep_file`, `_from_aliases_file`, `_from_symbols_file`,
 * `_from_builtin_file`, `_from_kernel_builtin_file`; `libkmod-builtin.c: kmod_builtin_get_modinfo`).
 *
 * kmod reads depmod's binary indexes (`modules.dep.bin` …); this reads the text files depmod writes
 * beside them (`modules.dep`, `modules.alias`, `modules.symbols`, `modules.builtin`,
 * `modules.builtin.modinfo`), which hold the same records. Self-contained on purpose: it moves into
 * @kmodkit/loader once that package has a module-directory reader.
 */
import { readFileSync } from 'node:fs';

/** Where a lookup led: a module file, or a module built into the kernel image. */
export type ModuleLocation =
  | { readonly kind: 'file'; readonly name: string; readonly path: string }
  | { readonly kind: 'builtin'; readonly name: string };

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

/**
 * `fnmatch(pattern, name, 0)` for the patterns depmod writes into `modules.alias`: `*`, `?`, and
 * bracket expressions with ranges and `!`/`^` negation; `\` escapes the next character.
 */
export function fnmatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}

const globCache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (re !== undefined) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') src += '[^]*';
    else if (c === '?') src += '[^]';
    else if (c === '\\' && i + 1 < pattern.length) src += escapeRegExp(pattern[++i]!);
    else if (c === '[') {
      // A bracket expression; `]` right after `[` or `[!` is a member. Unclosed: a literal `[`.
      let j = i + 1;
      if (pattern[j] === '!' || pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        src += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, j);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      src += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = j;
    } else src += escapeRegExp(c);
  }
  re = new RegExp(`${src}$`, 's');
  globCache.set(pattern, re);
  return re;
}

function escapeRegExp(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** The text indexes of one `/lib/modules/<version>` directory, each read on first use. */
export class ModuleDirectory {
  readonly dirname: string;
  #deps: Map<string, string> | undefined;
  #builtin: Set<string> | undefined;
  #aliases: { pattern: string; prefix: string; module: string }[] | undefined;
  #symbols: Map<string, string[]> | undefined;
  #builtinModinfo: Map<string, string[]> | undefined;

  constructor(dirname: string) {
    this.dirname = dirname;
  }

  #read(file: string): string | undefined {
    try {
      return readFileSync(`${this.dirname}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** `modules.dep`: module name → absolute path of its file. */
  get deps(): ReadonlyMap<string, string> {
    if (this.#deps) return this.#deps;
    const deps = new Map<string, string>();
    for (const line of (this.#read('modules.dep') ?? '').split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0 || line.startsWith('#')) continue;
      const file = line.slice(0, colon);
      const name = pathToModname(file);
      if (name === undefined || deps.has(name)) continue;
      deps.set(name, file.startsWith('/') ? file : `${this.dirname}/${file}`);
    }
    this.#deps = deps;
    return deps;
  }

  /** `modules.builtin`: names of the modules built into the kernel image. */
  get builtin(): ReadonlySet<string> {
    if (this.#builtin) return this.#builtin;
    const names = new Set<string>();
    for (const line of (this.#read('modules.builtin') ?? '').split('\n')) {
      const name = line === '' ? undefined : pathToModname(line);
      if (name !== undefined) names.add(name);
    }
    this.#builtin = names;
    return names;
  }

  /**
   * `modules.builtin.modinfo`: the strings of built-in module `name` with the `name.` prefix removed,
   * from the first run of strings for that name; 'ENOENT' when the file is missing, 'ENOSYS' when it
   * does not list the module (the errors `kmod_builtin_get_modinfo` returns).
   */
  builtinModinfo(name: string): string[] | 'ENOENT' | 'ENOSYS' {
    if (!this.#builtinModinfo) {
      const text = this.#read('modules.builtin.modinfo');
      if (text === undefined) return 'ENOENT';
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
    return this.#builtinModinfo.get(name) ?? 'ENOSYS';
  }

  /**
   * `modules.alias` lines `alias <pattern> <module>`, in file order, the pattern normalised as depmod
   * indexes it (`tools/depmod.c: output_aliases_bin` runs alias_normalize), with its literal prefix
   * (up to the first wildcard) to rule most names out without matching.
   */
  get aliases(): readonly { pattern: string; prefix: string; module: string }[] {
    if (this.#aliases) return this.#aliases;
    this.#aliases = [];
    for (const line of (this.#read('modules.alias') ?? '').split('\n')) {
      const m = /^alias\s+(\S+)\s+(\S+)/.exec(line);
      const pattern = m ? aliasNormalize(m[1]!) : undefined;
      if (pattern === undefined) continue;
      const wild = pattern.search(/[*?[\\]/);
      this.#aliases.push({ pattern, prefix: wild < 0 ? pattern : pattern.slice(0, wild), module: m![2]! });
    }
    return this.#aliases;
  }

  /** `modules.symbols` lines `alias symbol:<name> <module>`. */
  get symbols(): ReadonlyMap<string, string[]> {
    if (this.#symbols) return this.#symbols;
    const map = new Map<string, string[]>();
    for (const line of (this.#read('modules.symbols') ?? '').split('\n')) {
      const m = /^alias\s+(\S+)\s+(\S+)/.exec(line);
      if (!m) continue;
      const list = map.get(m[1]!);
      if (list) list.push(m[2]!);
      else map.set(m[1]!, [m[2]!]);
    }
    this.#symbols = map;
    return map;
  }

  #byName(name: string): ModuleLocation | undefined {
    const path = this.deps.get(name);
    if (path !== undefined) return { kind: 'file', name, path };
    return this.builtin.has(name) ? { kind: 'builtin', name } : undefined;
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
      const path = this.deps.get(name);
      if (path !== undefined) return [{ kind: 'file', name, path }];
    }
    if (name.startsWith('symbol:')) {
      const mods = this.symbols.get(name);
      if (mods) return mods.map((m) => this.#located(m));
    }
    const matched: string[] = [];
    for (const { pattern, prefix, module } of this.aliases) {
      if (name.startsWith(prefix) && fnmatch(pattern, name)) matched.push(module);
    }
    if (matched.length > 0) return matched.map((m) => this.#located(m));
    if (this.builtin.has(name)) return [{ kind: 'builtin', name }];
    return this.#builtinAliases(name);
  }

  /** A module named by an index: its file if `modules.dep` has it, else built-in. */
  #located(name: string): ModuleLocation {
    return this.#byName(name) ?? { kind: 'builtin', name };
  }

  /** Built-in modules whose `alias=` strings in `modules.builtin.modinfo` match (`modules.builtin.alias.bin`). */
  #builtinAliases(name: string): ModuleLocation[] {
    if (this.builtinModinfo('') === 'ENOENT') return [];
    const out: ModuleLocation[] = [];
    for (const [mod, strings] of this.#builtinModinfo ?? []) {
      for (const s of strings) {
        const pattern = s.startsWith('alias=') ? aliasNormalize(s.slice(6)) : undefined;
        if (pattern !== undefined && fnmatch(pattern, name)) {
          out.push({ kind: 'builtin', name: mod });
          break;
        }
      }
    }
    return out;
  }
}
