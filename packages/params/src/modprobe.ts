import { cmdlineModuleOptions, underscores } from './cmdline.js';
import { expectString, ParamError } from './errors.js';
import { type Arg, parseArgs } from './tokenizer.js';

/** One `options <module> <text>` line of a modprobe.d file. */
export interface ModprobeOptionsLine {
  /** Module name (or alias), dashes turned into underscores as kmod does. */
  module: string;
  /** The option text, tabs turned into spaces (kmod: kmod_config_add_options). */
  options: string;
  /** 1-based line number where the (possibly continued) line starts. */
  line: number;
}

/**
 * kmod: shared/util.c: freadline_wrapped — a backslash joins the next line, and before any other
 * character it is dropped (the character is kept).
 */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const lines: Array<{ text: string; line: number }> = [];
  let current = '';
  let start = 1;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lines.push({ text: current, line: start });
      current = '';
      start = ++line;
    } else if (c === '\\' && i + 1 < text.length) {
      i++;
      if (text[i] === '\n') line++;
      else current += text[i];
    } else if (c !== '\\') current += c;
  }
  if (current !== '') lines.push({ text: current, line: start });
  return lines;
}

/**
 * The `options` lines of one modprobe.d file, as kmod 30 reads them (libkmod/libkmod-config.c:
 * kmod_config_parse): `#` comments only at the start of a line, words split on spaces and tabs, the
 * options being everything after the one separator that follows the module name. Lines kmod rejects as
 * syntax errors (no module name, no options, a bad name) are left out.
 */
export function parseModprobeOptions(text: string): ModprobeOptionsLine[] {
  expectString(text, 'a modprobe.d file');
  const out: ModprobeOptionsLine[] = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    if (lineText === '' || lineText[0] === '#') continue;
    const match = /^[\t ]*options[\t ]+([^\t ]+)[\t ]?([\s\S]*)$/.exec(lineText);
    if (!match) continue;
    const module = underscores(match[1]!);
    const options = match[2]!;
    if (module === null || options === '') continue;
    out.push({ module, options: options.replaceAll('\t', ' '), line });
  }
  return out;
}

/** kmod: tools/modprobe.c: options_from_array — a value with a space is quoted unless already quoted. */
function commandLineOptions(extra: readonly string[]): string | null {
  if (extra.length === 0) return null;
  return extra
    .map((option) => {
      const eq = option.indexOf('=');
      if (eq < 0) return option;
      const value = option.slice(eq + 1);
      if (value[0] === '"' || value[0] === "'" || !value.includes(' ')) return option;
      return `${option.slice(0, eq + 1)}"${value}"`;
    })
    .join(' ');
}

export interface ModprobeSources {
  /** The module being loaded (its name; dashes and underscores are equal). */
  module: string;
  /** The alias it was requested by, if any: `options` for the alias apply too. */
  alias?: string;
  /** The text of each modprobe.d file, in the order modprobe reads them. */
  config?: readonly string[];
  /** The kernel command line (`/proc/cmdline`); its `module.param=value` options follow the files'. */
  cmdline?: string;
  /** Parameters given to modprobe after the module name, e.g. `['debug=1', 'name=a b']`. */
  extra?: readonly string[];
}

export interface ModprobeParams {
  /** The parameter string modprobe passes to init_module, byte for byte. */
  options: string;
  /** How the kernel splits it; later arguments win. */
  args: Arg[];
}

/**
 * Merge a module's parameters in modprobe's order (kmod 30): `options` lines of the modprobe.d files in
 * order, then the kernel command line's, then the ones given to modprobe — the kernel applies them in
 * that order, so the last one given for a parameter wins.
 * Reproduces kmod's joining exactly, including the trailing space it leaves after configured options
 * when there are none from the command line (libkmod-module.c: module_options_concat).
 */
export function modprobeParams(sources: ModprobeSources): ModprobeParams {
  if (typeof sources !== 'object' || sources === null)
    throw new ParamError('BAD_VALUE', 'sources must be an object');
  expectString(sources.module, 'the module name');
  if (sources.alias !== undefined) expectString(sources.alias, 'the alias');
  if (sources.cmdline !== undefined) expectString(sources.cmdline, 'the command line');
  for (const [list, what] of [
    [sources.config ?? [], 'a modprobe.d file'],
    [sources.extra ?? [], 'a modprobe argument'],
  ] as const) {
    if (!Array.isArray(list)) throw new ParamError('BAD_VALUE', `${what} list must be an array`);
    for (const item of list) expectString(item, what);
  }
  const wanted = new Set<string>();
  for (const name of [sources.module, sources.alias]) {
    const normalized = name === undefined ? null : underscores(name);
    if (normalized !== null) wanted.add(normalized);
  }
  const configured: string[] = [];
  for (const file of sources.config ?? []) {
    for (const { module, options } of parseModprobeOptions(file)) {
      if (wanted.has(module)) configured.push(options);
    }
  }
  if (sources.cmdline !== undefined) {
    for (const { module, options } of cmdlineModuleOptions(sources.cmdline).options) {
      if (wanted.has(module) && options !== '') configured.push(options);
    }
  }
  // kmod_module_get_options joins with one space; module_options_concat appends ' ' + extra options.
  const fromConfig = configured.length > 0 ? configured.join(' ') : null;
  const fromCommandLine = commandLineOptions(sources.extra ?? []);
  const options = fromConfig === null ? (fromCommandLine ?? '') : `${fromConfig} ${fromCommandLine ?? ''}`;
  return { options, args: parseArgs(options).args };
}
