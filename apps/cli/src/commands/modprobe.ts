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
import { getoptLong, type OptionTable } from '../getopt.js';
import type { CommandContext } from './context.js';

/** `tools/modprobe.c: cmdopts`, in its order. */
export const MODPROBE_OPTIONS: OptionTable = {
  all: { short: 'a', takesValue: false },
  remove: { short: 'r', takesValue: false },
  'remove-dependencies': { takesValue: false },
  'remove-holders': { takesValue: false },
  wait: { short: 'w', takesValue: true },
  'resolve-alias': { short: 'R', takesValue: false },
  'first-time': { takesValue: false },
  'ignore-install': { short: 'i', takesValue: false },
  'ignore-remove': { takesValue: false },
  'use-blacklist': { short: 'b', takesValue: false },
  force: { short: 'f', takesValue: false },
  'force-modversion': { takesValue: false },
  'force-vermagic': { takesValue: false },
  'show-depends': { short: 'D', takesValue: false },
  showconfig: { short: 'c', takesValue: false },
  'show-config': { takesValue: false },
  'show-modversions': { takesValue: false },
  'dump-modversions': { takesValue: false },
  'show-exports': { takesValue: false },
  'dry-run': { short: 'n', takesValue: false },
  show: { takesValue: false },
  config: { short: 'C', takesValue: true },
  dirname: { short: 'd', takesValue: true },
  'set-version': { short: 'S', takesValue: true },
  syslog: { short: 's', takesValue: false },
  quiet: { short: 'q', takesValue: false },
  verbose: { short: 'v', takesValue: false },
  version: { short: 'V', takesValue: false },
  help: { short: 'h', takesValue: false },
};

export function modprobeHelp(p: string): string {
  return (
    'Usage:\n' +
    `\t${p} [options] [-i] [-b] modulename\n` +
    `\t${p} [options] -a [-i] [-b] modulename [modulename...]\n` +
    `\t${p} [options] -r [-i] modulename\n` +
    `\t${p} [options] -r -a [-i] modulename [modulename...]\n` +
    `\t${p} [options] -c\n` +
    `\t${p} [options] --dump-modversions filename\n` +
    'Management Options:\n' +
    '\t-a, --all                   Consider every non-argument to\n' +
    '\t                            be a module name to be inserted\n' +
    '\t                            or removed (-r)\n' +
    '\t-r, --remove                Remove modules instead of inserting\n' +
    '\t    --remove-dependencies   Deprecated: use --remove-holders\n' +
    '\t    --remove-holders        Also remove module holders (use together with -r)\n' +
    '\t-w, --wait <MSEC>           When removing a module, wait up to MSEC for\n' +
    "\t                            module's refcount to become 0 so it can be\n" +
    '\t                            removed (use together with -r)\n' +
    '\t    --first-time            Fail if module already inserted or removed\n' +
    '\t-i, --ignore-install        Ignore install commands\n' +
    '\t-i, --ignore-remove         Ignore remove commands\n' +
    '\t-b, --use-blacklist         Apply blacklist to resolved alias.\n' +
    '\t-f, --force                 Force module insertion or removal.\n' +
    '\t                            implies --force-modversions and\n' +
    '\t                            --force-vermagic\n' +
    "\t    --force-modversion      Ignore module's version\n" +
    "\t    --force-vermagic        Ignore module's version magic\n" +
    '\n' +
    'Query Options:\n' +
    '\t-R, --resolve-alias         Only lookup and print alias and exit\n' +
    '\t-D, --show-depends          Only print module dependencies and exit\n' +
    '\t-c, --showconfig            Print out known configuration and exit\n' +
    '\t-c, --show-config           Same as --showconfig\n' +
    '\t    --show-modversions      Dump module symbol version and exit\n' +
    '\t    --dump-modversions      Same as --show-modversions\n' +
    '\t    --show-exports          Only print module exported symbol versions and exit\n' +
    '\n' +
    'General Options:\n' +
    '\t-n, --dry-run               Do not execute operations, just print out\n' +
    '\t-n, --show                  Same as --dry-run\n' +
    '\t-C, --config=FILE           Use FILE instead of default search paths\n' +
    '\t-d, --dirname=DIR           Use DIR as filesystem root for /lib/modules\n' +
    '\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n' +
    '\t-s, --syslog                print to syslog, not stderr\n' +
    '\t-q, --quiet                 disable messages\n' +
    '\t-v, --verbose               enables more messages\n' +
    '\t-V, --version               show version\n' +
    '\t-h, --help                  show this help\n'
  );
}

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
        ctx.stdout(modprobeHelp(ctx.program));
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
