/**
 * depmod.d configuration as kmod 30 reads it (`tools/depmod.c: cfg_load`, `cfg_file_parse`):
 * `search`, `override`, `external` and `exclude` lines from the `.conf` files of the configuration
 * directories, all files sorted by name (a name seen in an earlier directory hides later ones).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { strerror } from '@kmodkit/errno';
import type { DepmodLog } from './log.js';

/** kmod's default directories, in its order (SYSCONFDIR is /etc on Debian). */
export const DEFAULT_CONFIG_PATHS: readonly string[] = [
  '/etc/depmod.d',
  '/run/depmod.d',
  '/usr/local/lib/depmod.d',
  '/lib/depmod.d',
];

/** A `search` entry: a subdirectory of the module directory, or the keywords. */
export type SearchEntry =
  | { readonly type: 'path'; readonly path: string }
  | { readonly type: 'built-in' }
  | { readonly type: 'external' };

/**
 * The configuration. Each list is in kmod's order, which is the reverse of the order of the lines
 * (kmod prepends): the priority rules depend on it.
 */
export interface DepmodConfig {
  readonly searches: readonly SearchEntry[];
  /** `override MODULE KERNEL SUBDIR` as `SUBDIR/MODULE` (no extension). */
  readonly overrides: readonly string[];
  /** `external KERNEL DIR` directories. */
  readonly externals: readonly string[];
  /** Directory (and file) names never entered. */
  readonly excludes: readonly string[];
}

/** The configuration of a tree without any depmod.d file: only `search updates`. */
export const DEFAULT_CONFIG: DepmodConfig = {
  searches: [{ type: 'path', path: 'updates' }],
  overrides: [],
  externals: [],
  excludes: [],
};

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === undefined ? String(e) : strerror(code);
}

/**
 * `cfg_kernel_matches`: `*`, or a POSIX extended regular expression searched for in the version
 * (regexec, unanchored). JS RegExp stands in for ERE, with the POSIX character classes translated;
 * a pattern that does not compile matches nothing, as in kmod.
 */
export function kernelMatches(pattern: string, kernelVersion: string): boolean {
  if (pattern === '*') return true;
  const classes: Record<string, string> = {
    alpha: 'a-zA-Z',
    digit: '0-9',
    alnum: 'a-zA-Z0-9',
    upper: 'A-Z',
    lower: 'a-z',
    space: ' \\t\\n\\r\\f\\v',
    blank: ' \\t',
    punct: '!-/:-@\\[-`{-~',
    xdigit: '0-9A-Fa-f',
  };
  const source = pattern.replace(/\[:([a-z]+):\]/g, (all, name: string) => classes[name] ?? all);
  try {
    return new RegExp(source).test(kernelVersion);
  } catch {
    return false;
  }
}

/**
 * `freadline_wrapped`: logical lines, a backslash-newline joining two; a backslash before anything
 * else is dropped. Each line comes with the number of its last physical line.
 */
export function wrappedLines(text: string): { line: string; lineNumber: number }[] {
  const out: { line: string; lineNumber: number }[] = [];
  let line = '';
  let lineNumber = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      lineNumber++;
      out.push({ line, lineNumber });
      line = '';
    } else if (ch === '\\') {
      const next = text[i + 1];
      i++;
      if (next === '\n') lineNumber++;
      else line += next ?? '\xff';
    } else {
      line += ch;
    }
  }
  // At the end of the file, a line with nothing in it is no line.
  if (line !== '') out.push({ line, lineNumber: lineNumber + 1 });
  return out;
}

interface MutableConfig {
  searches: SearchEntry[];
  overrides: string[];
  externals: string[];
  excludes: string[];
}

function searchEntry(word: string): SearchEntry {
  if (word === 'built-in') return { type: 'built-in' };
  if (word === 'external') return { type: 'external' };
  return { type: 'path', path: word };
}

/** `cfg_file_parse` of one file's text. */
export function parseConfigText(
  text: string,
  file: string,
  kernelVersion: string,
  config: MutableConfig,
  log: DepmodLog,
): void {
  for (const { line, lineNumber } of wrappedLines(text)) {
    if (line === '' || line[0] === '#') continue;
    const words = line.split(/[\t ]+/).filter((w) => w !== '');
    const cmd = words[0];
    if (cmd === undefined) continue;
    const bad = () => log('error', `${file}:${lineNumber}: ignoring bad line starting with '${cmd}'\n`);
    if (cmd === 'search') {
      for (const w of words.slice(1)) config.searches.unshift(searchEntry(w));
    } else if (cmd === 'override') {
      const [, modname, version, subdir] = words;
      if (modname === undefined || version === undefined || subdir === undefined) bad();
      else if (!kernelMatches(version, kernelVersion)) {
        log('info', `${file}:${lineNumber}: override kernel did not match ${version}\n`);
      } else config.overrides.unshift(`${subdir}/${modname}`);
    } else if (cmd === 'external') {
      const [, version, dir] = words;
      if (version === undefined || dir === undefined) bad();
      else if (!kernelMatches(version, kernelVersion)) {
        log('info', `${file}:${lineNumber}: external directory did not match ${version}\n`);
      } else config.externals.unshift(dir);
    } else if (cmd === 'exclude') {
      for (const w of words.slice(1)) config.excludes.unshift(w);
    } else if (cmd === 'include' || cmd === 'make_map_files') {
      log('info', `${file}:${lineNumber}: command ${cmd} not implemented yet\n`);
    } else bad();
  }
}

/** `cfg_files_list` + `cfg_files_insert_sorted`: name → path, the first directory to have a name keeping it. */
function listConfigFiles(paths: readonly string[], log: DepmodLog): string[] {
  const byName = new Map<string, string>();
  const add = (name: string, path: string) => {
    if (!byName.has(name)) byName.set(name, path);
  };
  for (const path of paths) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (!st.isDirectory()) {
      add(path.slice(path.lastIndexOf('/') + 1), path);
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      log('error', `files list ${path}: ${errnoText(e)}\n`);
      continue;
    }
    for (const name of names) {
      if (name[0] === '.') continue;
      if (name.length < 6 || !name.endsWith('.conf')) {
        log('info', `All cfg files need .conf: ${path}/${name}\n`);
        continue;
      }
      if (statSync(`${path}/${name}`, { throwIfNoEntry: false })?.isDirectory()) {
        log('error', `Directories inside directories are not supported: ${path}/${name}\n`);
        continue;
      }
      add(name, `${path}/${name}`);
    }
  }
  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((n) => byName.get(n)!);
}

/**
 * `cfg_load`: reads the `.conf` files of `paths` (kmod's default directories unless given, as
 * `-C` gives them) for `kernelVersion`. With no `search` line anywhere, `search updates` applies.
 */
export function loadDepmodConfig(
  kernelVersion: string,
  paths: readonly string[] = DEFAULT_CONFIG_PATHS,
  log: DepmodLog = () => {},
): DepmodConfig {
  const config: MutableConfig = { searches: [], overrides: [], externals: [], excludes: [] };
  for (const file of listConfigFiles(paths, log)) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (e) {
      log('error', `file parse ${file}: ${errnoText(e)}\n`);
      continue;
    }
    parseConfigText(text, file, kernelVersion, config, log);
  }
  if (config.searches.length === 0) config.searches.push({ type: 'path', path: 'updates' });
  return config;
}
