/**
 * `kmodkit modprobe`: kmod 30's `tools/modprobe.c: do_modprobe` — its options (getopt_long, with
 * MODPROBE_OPTIONS prepended), its messages and exit status. The work is @kmodkit/loader's Modprobe.
 */
import { release } from 'node:os';
import { strerror } from '@kmodkit/errno';
import {
  formatConfig,
  formatIndexes,
  formatSymbolCrcs,
  LOG_EMERG,
  LOG_WARNING,
  Modprobe,
  ModprobeContext,
  ModprobeFatal,
  ModuleDirectory,
  optionsFromArray,
  readModprobeConfig,
} from '@kmodkit/loader';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { getoptLong } from '../getopt.js';
import { helpText } from '../help.js';
import type { CommandContext } from './context.js';

const MANAGEMENT = 'Management Options';
const QUERY = 'Query Options';
const GENERAL = 'General Options';

/** `tools/modprobe.c: cmdopts`, in its order (glibc's ambiguity messages follow it); help as kmod's `help()`. */
export const modprobeSpec: CommandSpec = {
  name: 'modprobe',
  summary: 'add or remove modules with their dependencies (kmod-compatible)',
  usage: [
    '[options] [-i] [-b] modulename',
    '[options] -a [-i] [-b] modulename [modulename...]',
    '[options] -r [-i] modulename',
    '[options] -r -a [-i] modulename [modulename...]',
    '[options] -c',
    '[options] --dump-modversions filename',
  ],
  description: `Loads a module by name or alias with everything it needs, as kmod's modprobe does: the alias is resolved (modprobe.d aliases, then modules.alias globs, modules.symbols, built-in modules), its dependencies from modules.dep are loaded first, softdep pre and post modules around it, with parameters from modprobe.d options lines, the kernel command line (mod.param=) and the command line, in that order. install and remove commands of modprobe.d run through /bin/sh, as kmod runs them; parameters given on the command line reach them as quoted words, never as shell code. -r removes a module and the dependencies no other module uses.

Configuration: /etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d and /lib/modprobe.d (*.conf), or -C; MODPROBE_OPTIONS is read before the arguments. Output, messages and exit status are kmod 30's.`,
  options: [
    {
      long: 'all',
      short: 'a',
      group: MANAGEMENT,
      help: 'Consider every non-argument to\nbe a module name to be inserted\nor removed (-r)',
    },
    { long: 'remove', short: 'r', group: MANAGEMENT, help: 'Remove modules instead of inserting' },
    { long: 'remove-dependencies', group: MANAGEMENT, help: 'Deprecated: use --remove-holders' },
    { long: 'remove-holders', group: MANAGEMENT, help: 'Also remove module holders (use together with -r)' },
    {
      long: 'wait',
      short: 'w',
      value: 'MSEC',
      signature: '-w, --wait <MSEC>',
      group: MANAGEMENT,
      help: "When removing a module, wait up to MSEC for\nmodule's refcount to become 0 so it can be\nremoved (use together with -r)",
    },
    { long: 'resolve-alias', short: 'R', group: QUERY, help: 'Only lookup and print alias and exit' },
    { long: 'first-time', group: MANAGEMENT, help: 'Fail if module already inserted or removed' },
    { long: 'ignore-install', short: 'i', group: MANAGEMENT, help: 'Ignore install commands' },
    {
      long: 'ignore-remove',
      signature: '-i, --ignore-remove',
      group: MANAGEMENT,
      help: 'Ignore remove commands',
    },
    { long: 'use-blacklist', short: 'b', group: MANAGEMENT, help: 'Apply blacklist to resolved alias.' },
    {
      long: 'force',
      short: 'f',
      group: MANAGEMENT,
      help: 'Force module insertion or removal.\nimplies --force-modversions and\n--force-vermagic',
    },
    { long: 'force-modversion', group: MANAGEMENT, help: "Ignore module's version" },
    { long: 'force-vermagic', group: MANAGEMENT, help: "Ignore module's version magic" },
    { long: 'show-depends', short: 'D', group: QUERY, help: 'Only print module dependencies and exit' },
    { long: 'showconfig', short: 'c', group: QUERY, help: 'Print out known configuration and exit' },
    { long: 'show-config', signature: '-c, --show-config', group: QUERY, help: 'Same as --showconfig' },
    { long: 'show-modversions', group: QUERY, help: 'Dump module symbol version and exit' },
    { long: 'dump-modversions', group: QUERY, help: 'Same as --show-modversions' },
    { long: 'show-exports', group: QUERY, help: 'Only print module exported symbol versions and exit' },
    { long: 'dry-run', short: 'n', group: GENERAL, help: 'Do not execute operations, just print out' },
    { long: 'show', signature: '-n, --show', group: GENERAL, help: 'Same as --dry-run' },
    {
      long: 'config',
      short: 'C',
      value: 'FILE',
      group: GENERAL,
      help: 'Use FILE instead of default search paths',
      complete: 'file',
    },
    {
      long: 'dirname',
      short: 'd',
      value: 'DIR',
      group: GENERAL,
      help: 'Use DIR as filesystem root for /lib/modules',
      complete: 'directory',
    },
    {
      long: 'set-version',
      short: 'S',
      value: 'VERSION',
      group: GENERAL,
      help: 'Use VERSION instead of `uname -r`',
      complete: 'kernel-version',
    },
    { long: 'syslog', short: 's', group: GENERAL, help: 'print to syslog, not stderr' },
    { long: 'quiet', short: 'q', group: GENERAL, help: 'disable messages' },
    { long: 'verbose', short: 'v', group: GENERAL, help: 'enables more messages' },
    { long: 'version', short: 'V', group: GENERAL, help: 'show version' },
    { long: 'help', short: 'h', group: GENERAL, help: 'show this help' },
  ],
  operands: 'module',
  examples: [
    { args: 'kmodkit_dep', explain: 'load a module and the modules it depends on' },
    { args: '-n -v e1000e', explain: 'print what would be loaded, in order, without loading it' },
    { args: '-r kmodkit_dep', explain: 'remove it and the dependencies nothing else uses' },
    { args: '-R "pci:v00008086d000010D3sv*sd*bc*sc*i*"', explain: 'which modules an alias names' },
    { args: '-c | grep ^options', explain: 'the options lines modprobe.d gives' },
  ],
  exitStatus:
    "0 on success; 1 when a module could not be found, loaded or removed (kmod's message says why).",
};

export const MODPROBE_OPTIONS = optionTable(modprobeSpec);

/**
 * tools/modprobe.c: prepend_options_from_env — MODPROBE_OPTIONS split on spaces, a quoted word kept
 * whole (the quotes dropped when they enclose the word, removed in place when they start inside it).
 */
export function optionsFromEnv(env: string | undefined): string[] {
  if (env === undefined) return [];
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  let quoteAtStart = false;
  for (const c of env) {
    if (quote === undefined) {
      if (c === ' ') {
        out.push(word);
        word = '';
      } else if (c === '"' || c === "'") {
        quote = c;
        quoteAtStart = word === '';
        word += c;
      } else word += c;
    } else if (c === quote) {
      quote = undefined;
      if (quoteAtStart) {
        out.push(word.slice(1));
        word = '';
        // kmod ends the word at the closing quote; what follows starts the next one.
      } else {
        const at = word.lastIndexOf(c);
        word = word.slice(0, at) + word.slice(at + 1);
      }
    } else word += c;
  }
  if (word !== '') out.push(word);
  return out;
}

export async function modprobe(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const env = process.env;
  let childOptions = env.MODPROBE_OPTIONS;
  const appendChild = (v: string) => {
    childOptions = childOptions === undefined ? v : `${childOptions} ${v}`;
  };
  const line = getoptLong([...optionsFromEnv(env.MODPROBE_OPTIONS), ...argv], MODPROBE_OPTIONS);
  let verbose = LOG_WARNING;
  let logPriority: number | undefined;
  let useAll = false;
  let doRemove = false;
  let showConfig = false;
  let showModversions = false;
  let showExports = false;
  let root: string | undefined;
  let kversion: string | undefined;
  const configPaths: string[] = [];
  const settings = {
    dryRun: false,
    showDepends: false,
    resolveOnly: false,
    firstTime: false,
    ignoreCommands: false,
    useBlacklist: false,
    force: false,
    forceModversion: false,
    forceVermagic: false,
    removeHolders: false,
    waitMsec: 0,
  };
  for (const { name, value } of line.options) {
    switch (name) {
      case 'all':
        logPriority = LOG_WARNING;
        useAll = true;
        break;
      case 'remove':
        doRemove = true;
        break;
      case 'remove-dependencies':
      case 'remove-holders':
        settings.removeHolders = true;
        break;
      case 'wait': {
        const n = parseStrtoul(value!);
        if (n === undefined) {
          ctx.stderr(`${ctx.program}: ERROR: unexpected wait value '${value}'.\n`);
          return 1;
        }
        settings.waitMsec = n;
        break;
      }
      case 'first-time':
        settings.firstTime = true;
        break;
      case 'ignore-install':
      case 'ignore-remove':
        settings.ignoreCommands = true;
        break;
      case 'use-blacklist':
        settings.useBlacklist = true;
        break;
      case 'force':
        settings.force = true;
        settings.forceModversion = true;
        settings.forceVermagic = true;
        break;
      case 'force-modversion':
        settings.forceModversion = true;
        break;
      case 'force-vermagic':
        settings.forceVermagic = true;
        break;
      case 'show-depends':
        settings.showDepends = true;
        break;
      case 'resolve-alias':
        settings.resolveOnly = true;
        break;
      case 'showconfig':
      case 'show-config':
        showConfig = true;
        break;
      case 'show-modversions':
      case 'dump-modversions':
        showModversions = true;
        break;
      case 'show-exports':
        showExports = true;
        break;
      case 'dry-run':
      case 'show':
        settings.dryRun = true;
        break;
      case 'config':
        configPaths.push(value!);
        appendChild('-C');
        appendChild(value!);
        break;
      case 'dirname':
        root = value;
        break;
      case 'set-version':
        kversion = value;
        break;
      case 'syslog':
        appendChild('-s');
        break;
      case 'quiet':
        appendChild('-q');
        verbose = LOG_EMERG;
        break;
      case 'verbose':
        appendChild('-v');
        verbose++;
        break;
      case 'version':
        ctx.stdout(`kmodkit version ${ctx.version}\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n`);
        return 0;
      case 'help':
        ctx.stdout(helpText(modprobeSpec, ctx.program));
        return 0;
    }
  }
  if (line.error !== undefined) {
    ctx.stderr(`${ctx.program}: ${line.error}\n`);
    return 1;
  }
  const args = line.operands;
  if (!showConfig && args.length === 0) {
    ctx.stderr(`${ctx.program}: ERROR: missing parameters. See -h.\n`);
    return 1;
  }
  const dirname =
    root !== undefined || kversion !== undefined
      ? `${root ?? ''}/lib/modules/${kversion ?? release()}`
      : `/lib/modules/${release()}`;
  const config = readModprobeConfig({ dirname, ...(configPaths.length > 0 ? { paths: configPaths } : {}) });
  for (const message of config.messages) ctx.stderr(`${message}\n`);
  const directory = new ModuleDirectory(dirname);

  if (showConfig) {
    ctx.stdout(formatConfig(config));
    ctx.stdout(formatIndexes(directory));
    return 0;
  }
  if (showModversions || showExports) {
    const result = formatSymbolCrcs(args[0]!, showModversions ? 'versions' : 'exports');
    if (typeof result === 'string') {
      ctx.stdout(result);
      return 0;
    }
    // LOG(): FATAL, or WARNING with -a; shown up to the verbosity.
    const priority = logPriority ?? 2;
    if (priority <= verbose) {
      const level = priority === 2 ? 'FATAL' : 'WARNING';
      const what = showModversions ? 'modversions' : 'symbols';
      ctx.stderr(
        result.found
          ? `${ctx.program}: ${level}: could not get ${what} of ${args[0]}: ${strerror(result.errno)}\n`
          : `${ctx.program}: ${level}: Module ${args[0]} not found.\n`,
      );
    }
    return 1;
  }

  const modprobeContext = new ModprobeContext({ directory, config });
  const io = {
    program: ctx.program,
    stdout: (text: string) => ctx.stdout(text),
    stderr: (text: string) => ctx.stderr(text),
    env: childOptions === undefined ? env : { ...env, MODPROBE_OPTIONS: childOptions },
    // An empty write flushes what is gathered, so a command's output follows ours.
    flush: () => ctx.stdout(new Uint8Array(0)),
  };
  const engine = new Modprobe(modprobeContext, io, {
    ...settings,
    verbose,
    ...(logPriority === undefined ? {} : { logPriority }),
  });
  try {
    let err: string | undefined;
    if (doRemove) err = await engine.removeAll(args);
    else if (useAll) err = await engine.insertAll(args);
    else err = await engine.insert(args[0]!, optionsFromArray(args.slice(1)));
    return err === undefined ? 0 : 1;
  } catch (e) {
    if (e instanceof ModprobeFatal) return 1;
    throw e;
  }
}

/** strtoul(s, &end, 0) accepting the whole string: decimal, 0x hex, 0 octal, leading spaces and sign. */
function parseStrtoul(s: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const digits = m[2]!;
  const n =
    digits.startsWith('0x') || digits.startsWith('0X')
      ? Number.parseInt(digits.slice(2), 16)
      : digits.startsWith('0') && digits.length > 1
        ? Number.parseInt(digits.slice(1), 8)
        : Number(digits);
  return m[1] === '-' ? -n >>> 0 : n;
}
