/**
 * modprobe's configuration as kmod 30 reads it (libkmod/libkmod-config.c: kmod_config_new,
 * conf_files_list, conf_files_filter_out, kmod_config_parse, kmod_config_add_softdep,
 * kmod_config_parse_kcmdline): the `.conf` and `.alias` files of the configuration directories merged
 * by file name, `modules.softdep` of the module directory among them, then the kernel command line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cmdlineModuleOptions } from '@kmodkit/params';

/** kmod 30's directories, in its order (libkmod.c: default_config_paths): of two files with one name, the first directory's wins. */
export const MODPROBE_CONFIG_PATHS: readonly string[] = [
  '/etc/modprobe.d',
  '/run/modprobe.d',
  '/usr/local/lib/modprobe.d',
  '/lib/modprobe.d',
];

/** `alias <name> <modname>`: `name` is a glob matched against what is asked for. */
export interface ConfigAlias {
  readonly name: string;
  readonly modname: string;
}

/** `options`, `install` and `remove` lines: a module name (a glob for commands) and the rest of the line. */
export interface ConfigEntry {
  readonly modname: string;
  readonly value: string;
}

/** `softdep <glob> pre: … post: …`. */
export interface ConfigSoftdep {
  readonly name: string;
  readonly pre: readonly string[];
  readonly post: readonly string[];
  /** What `modprobe -c` prints after the name (libkmod-config.c: softdep_to_char, quirks included). */
  readonly shown: string;
}

/** Everything kmod's `struct kmod_config` holds, each list in the order kmod keeps it. */
export interface ModprobeConfig {
  readonly aliases: ConfigAlias[];
  readonly blacklists: string[];
  readonly options: ConfigEntry[];
  readonly installCommands: ConfigEntry[];
  readonly removeCommands: ConfigEntry[];
  readonly softdeps: ConfigSoftdep[];
  /** The files read, in the order read. */
  readonly files: string[];
  /** What libkmod logs while reading, each a line without the newline, as Debian's kmod 30 prints it. */
  readonly messages: string[];
}

export interface ReadConfigOptions {
  /** The module directory (`/lib/modules/<version>`); its `modules.softdep` is read as a configuration file. */
  readonly dirname: string;
  /** Files or directories to read instead of {@link MODPROBE_CONFIG_PATHS} (modprobe -C). */
  readonly paths?: readonly string[];
  /** The kernel command line; undefined reads `/proc/cmdline` (absent: none, as kmod). */
  readonly cmdline?: string;
}

export function emptyConfig(): ModprobeConfig {
  return {
    aliases: [],
    blacklists: [],
    options: [],
    installCommands: [],
    removeCommands: [],
    softdeps: [],
    files: [],
    messages: [],
  };
}

/** shared/util.c: underscores — `-` becomes `_` outside `[...]`; undefined for a missing word or an unbalanced bracket. */
export function underscores(word: string | undefined): string | undefined {
  if (word === undefined) return undefined;
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === '-') out += '_';
    else if (c === ']') return undefined;
    else if (c === '[') {
      const close = word.indexOf(']', i);
      if (close < 0) return undefined;
      out += word.slice(i, close + 1);
      i = close;
    } else out += c;
  }
  return out;
}

/**
 * shared/util.c: freadline_wrapped — logical lines: a backslash before a newline joins the lines, before
 * any other character it is dropped. `line` is the number of the last physical line, as kmod counts.
 * A NUL ends the line's text, as it ends a C string.
 */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current = '';
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      out.push({ text: current, line: ++line });
      current = '';
    } else if (c === '\\') {
      i++;
      if (i >= text.length)
        current += '\xff'; // getc's EOF stored as a char
      else if (text[i] === '\n') line++;
      else current += text[i];
    } else current += c;
  }
  if (current !== '') out.push({ text: current, line: ++line });
  for (const l of out) {
    const nul = l.text.indexOf('\0');
    if (nul >= 0) l.text = l.text.slice(0, nul);
  }
  return out;
}

/** strtok_r over `" \t"`: the next word and the text after its one terminating separator. */
function nextWord(s: string, from: number): { word: string; next: number } | undefined {
  let i = from;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  if (i >= s.length) return undefined;
  let j = i;
  while (j < s.length && s[j] !== ' ' && s[j] !== '\t') j++;
  return { word: s.slice(i, j), next: j < s.length ? j + 1 : j };
}

/** strtok_r(NULL, "\0"): the rest, or undefined when nothing is left. */
function rest(s: string, from: number): string | undefined {
  return from < s.length ? s.slice(from) : undefined;
}

/** C isspace() in the "C" locale. */
const isSpace = (c: string) => c === ' ' || (c >= '\t' && c <= '\r');

/** libkmod-config.c: kmod_config_add_softdep and softdep_to_char. */
export function parseSoftdep(name: string, line: string): ConfigSoftdep {
  // Words in order with the mode they were read in; words before any `pre:`/`post:` are dropped.
  const kept: { word: string; pre: boolean }[] = [];
  let mode: 'none' | 'pre' | 'post' = 'none';
  let word = '';
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line[i]! : '';
    if (c !== '' && !isSpace(c)) {
      word += c;
      continue;
    }
    if (word === 'pre:') mode = 'pre';
    else if (word === 'post:') mode = 'post';
    else if (word !== '' && mode !== 'none') kept.push({ word, pre: mode === 'pre' });
    word = '';
  }
  const pre = kept.filter((w) => w.pre).map((w) => w.word);
  const post = kept.filter((w) => !w.pre).map((w) => w.word);
  // softdep_to_char prints the buffer from the first to the last word of each kind, whatever lies
  // between, and no space between the two parts.
  const span = (pre: boolean) => {
    const first = kept.findIndex((w) => w.pre === pre);
    if (first < 0) return '';
    let last = kept.length - 1;
    while (kept[last]!.pre !== pre) last--;
    return kept
      .slice(first, last + 1)
      .map((w) => w.word)
      .join(' ');
  };
  const shownPre = span(true);
  const shownPost = span(false);
  const shown = (shownPre === '' ? '' : `pre: ${shownPre}`) + (shownPost === '' ? '' : `post: ${shownPost}`);
  return { name, pre, post, shown };
}

/** libkmod-config.c: kmod_config_parse — one file's lines into `config`. */
export function parseConfigText(config: ModprobeConfig, text: string, filename: string): void {
  for (const { text: line, line: linenum } of logicalLines(text)) {
    if (line === '' || line[0] === '#') continue;
    const cmd = nextWord(line, 0);
    if (cmd === undefined) continue;
    const a = nextWord(line, cmd.next);
    const modname = underscores(a?.word);
    let ok = modname !== undefined;
    switch (cmd.word) {
      case 'alias': {
        const b = a === undefined ? undefined : nextWord(line, a.next);
        const target = underscores(b?.word);
        ok &&= target !== undefined;
        if (ok) config.aliases.push({ name: modname!, modname: target! });
        break;
      }
      case 'blacklist':
        if (ok) config.blacklists.push(modname!);
        break;
      case 'options':
      case 'install':
      case 'remove':
      case 'softdep': {
        const value = a === undefined ? undefined : rest(line, a.next);
        ok &&= value !== undefined;
        if (!ok) break;
        if (cmd.word === 'options')
          config.options.push({ modname: modname!, value: value!.replaceAll('\t', ' ') });
        else if (cmd.word === 'install') config.installCommands.push({ modname: modname!, value: value! });
        else if (cmd.word === 'remove') config.removeCommands.push({ modname: modname!, value: value! });
        else config.softdeps.push(parseSoftdep(modname!, value!));
        break;
      }
      case 'include':
      case 'config':
        config.messages.push(
          `${libkmodMessage(708, 'kmod_config_parse')}${filename}: command ${cmd.word} is deprecated and not parsed anymore`,
        );
        continue;
      default:
        ok = false;
    }
    if (!ok) {
      config.messages.push(
        `${libkmodMessage(712, 'kmod_config_parse')}${filename} line ${linenum}: ignoring bad line starting with '${cmd.word}'`,
      );
    }
  }
}

/** libkmod-config.c: kmod_config_parse_kcmdline — `mod.param=value` options and `modprobe.blacklist=`. */
export function parseKernelCmdline(config: ModprobeConfig, cmdline: string): void {
  const parsed = cmdlineModuleOptions(cmdline);
  for (const name of parsed.blacklist) config.blacklists.push(name);
  for (const { module, options } of parsed.options) config.options.push({ modname: module, value: options });
}

/**
 * The prefix libkmod's own logger (libkmod.c: log_filep) puts before a message while the context is
 * made: Debian builds kmod with --enable-debug, so the source place of kmod 30's ERR() is shown.
 */
function libkmodMessage(line: number, fn: string): string {
  return `libkmod: ERROR ../libkmod/libkmod-config.c:${line} ${fn}: `;
}

interface ConfFile {
  readonly name: string;
  readonly path: string;
}

/** libkmod-config.c: conf_files_filter_out — hidden files and names not ending in `.conf`/`.alias` are skipped. */
function wanted(dir: string, name: string, messages: string[]): boolean {
  if (name.startsWith('.')) return false;
  if (name.length < 6 || !(name.endsWith('.conf') || name.endsWith('.alias'))) return false;
  if (statSync(`${dir}/${name}`, { throwIfNoEntry: false })?.isDirectory()) {
    messages.push(
      `${libkmodMessage(772, 'conf_files_filter_out')}Directories inside directories are not supported: ${dir}/${name}`,
    );
    return false;
  }
  return true;
}

/** libkmod-config.c: conf_files_insert_sorted — by name; a name already listed is ignored. */
function insertSorted(list: ConfFile[], file: ConfFile): void {
  let at = 0;
  while (at < list.length && list[at]!.name < file.name) at++;
  if (at < list.length && list[at]!.name === file.name) return;
  list.splice(at, 0, file);
}

/** The configuration modprobe would use: files as kmod_config_new finds them, then the kernel command line. */
export function readModprobeConfig(options: ReadConfigOptions): ModprobeConfig {
  const config = emptyConfig();
  const list: ConfFile[] = [];
  insertSorted(list, { name: 'modules.softdep', path: `${options.dirname}/modules.softdep` });
  for (const path of options.paths ?? MODPROBE_CONFIG_PATHS) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (!st.isDirectory()) {
      insertSorted(list, { name: path.slice(path.lastIndexOf('/') + 1), path });
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      config.messages.push(
        `${libkmodMessage(868, 'conf_files_list')}opendir(${path}): ${(e as Error).message}`,
      );
      continue;
    }
    for (const name of names) {
      if (wanted(path, name, config.messages)) insertSorted(list, { name, path: `${path}/${name}` });
    }
  }
  for (const file of list) {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch {
      continue; // kmod skips a file it cannot open
    }
    config.files.push(file.path);
    parseConfigText(config, text, file.path);
  }
  let cmdline = options.cmdline;
  if (cmdline === undefined) {
    try {
      cmdline = readFileSync('/proc/cmdline', 'utf8');
    } catch {
      cmdline = undefined;
    }
  }
  if (cmdline !== undefined) parseKernelCmdline(config, cmdline);
  return config;
}
