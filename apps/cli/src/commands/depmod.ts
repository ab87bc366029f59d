/**
 * `kmodkit depmod`: kmod 30's `tools/depmod.c: do_depmod` — same options, files, messages and exit
 * status. The work is @kmodkit/loader's (`analyseModules`, `depmodOutputs`, `writeDepmodOutputs`);
 * this parses the command line as getopt_long does and prints.
 */
import { release } from 'node:os';
import {
  analyseModules,
  type DepmodLog,
  type DepmodLogLevel,
  depmodOutputs,
  isDepmodUpToDate,
  LoaderError,
  moduleDirectoryOf,
  writeDepmodOutputs,
} from '@kmodkit/loader';
import { DEPMOD_WORKER, loadDepmodDecoder } from '../depmod-decoder.js';
import { getoptLong, type OptionTable } from '../getopt.js';
import type { CommandContext } from './context.js';

/** `tools/depmod.c: cmdopts`, in its order. */
export const DEPMOD_OPTIONS: OptionTable = {
  all: { short: 'a', takesValue: false },
  quick: { short: 'A', takesValue: false },
  basedir: { short: 'b', takesValue: true },
  config: { short: 'C', takesValue: true },
  symvers: { short: 'E', takesValue: true },
  filesyms: { short: 'F', takesValue: true },
  errsyms: { short: 'e', takesValue: false },
  'unresolved-error': { short: 'u', takesValue: false },
  quiet: { short: 'q', takesValue: false },
  root: { short: 'r', takesValue: false },
  verbose: { short: 'v', takesValue: false },
  show: { short: 'n', takesValue: false },
  'dry-run': { takesValue: false },
  'symbol-prefix': { short: 'P', takesValue: true },
  warn: { short: 'w', takesValue: false },
  map: { short: 'm', takesValue: false },
  version: { short: 'V', takesValue: false },
  help: { short: 'h', takesValue: false },
};

const DEPRECATED: Readonly<Record<string, string>> = {
  'unresolved-error': 'u',
  quiet: 'q',
  root: 'r',
  map: 'm',
};

export function depmodHelp(program: string): string {
  return (
    'Usage:\n' +
    `\t${program} -[aA] [options] [forced_version]\n` +
    '\n' +
    'If no arguments (except options) are given, "depmod -a" is assumed\n' +
    '\n' +
    'depmod will output a dependency list suitable for the modprobe utility.\n' +
    '\n' +
    'Options:\n' +
    '\t-a, --all            Probe all modules\n' +
    "\t-A, --quick          Only does the work if there's a new module\n" +
    '\t-e, --errsyms        Report not supplied symbols\n' +
    '\t-n, --show           Write the dependency file on stdout only\n' +
    '\t-P, --symbol-prefix  Architecture symbol prefix\n' +
    '\t-C, --config=PATH    Read configuration from PATH\n' +
    '\t-v, --verbose        Enable verbose mode\n' +
    '\t-w, --warn           Warn on duplicates\n' +
    '\t-V, --version        show version\n' +
    '\t-h, --help           show this help\n' +
    '\n' +
    'The following options are useful for people managing distributions:\n' +
    '\t-b, --basedir=DIR    Use an image of a module tree.\n' +
    '\t-F, --filesyms=FILE  Use the file instead of the\n' +
    '\t                     current kernel symbols.\n' +
    '\t-E, --symvers=FILE   Use Module.symvers file to check\n' +
    '\t                     symbol versions.\n'
  );
}

/** kmod's log levels (syslog priorities) and the names tools/log.c prints. */
const PRIORITY: Readonly<Record<DepmodLogLevel | 'fatal', { level: number; name: string }>> = {
  fatal: { level: 2, name: 'FATAL' },
  error: { level: 3, name: 'ERROR' },
  warning: { level: 4, name: 'WARNING' },
  notice: { level: 5, name: 'NOTICE' },
  info: { level: 6, name: 'INFO' },
  debug: { level: 7, name: 'DEBUG' },
};

/** `tools/depmod.c: is_version_number`: sscanf("%u.%u") finds two numbers. */
function isVersionNumber(text: string): boolean {
  return /^[ \t\n\v\f\r]*[+-]?\d+\.[ \t\n\v\f\r]*[+-]?\d/.test(text);
}

export async function depmod(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const line = getoptLong(argv, DEPMOD_OPTIONS);
  let priority = PRIORITY.warning.level;
  const say = (level: DepmodLogLevel | 'fatal', message: string) => {
    const p = PRIORITY[level];
    if (p.level <= priority) ctx.stderr(`${ctx.program}: ${p.name}: ${message}`);
  };
  const log: DepmodLog = say;
  let all = false;
  let quick = false;
  let basedir: string | undefined;
  const configPaths: string[] = [];
  let symvers: string | undefined;
  let systemMap: string | undefined;
  let errsyms = false;
  let toStdout = false;
  let symbolPrefix = '';
  let warnDuplicates = false;
  let verbose = 0;
  for (const { name, value } of line.options) {
    if (name === 'all') all = true;
    else if (name === 'quick') quick = true;
    else if (name === 'basedir') basedir = value!.startsWith('/') ? value! : `${ctx.cwd}/${value!}`;
    else if (name === 'config') configPaths.push(value!);
    else if (name === 'symvers') symvers = value;
    else if (name === 'filesyms') systemMap = value;
    else if (name === 'errsyms') errsyms = true;
    else if (name === 'verbose') verbose++;
    else if (name === 'show' || name === 'dry-run') toStdout = true;
    else if (name === 'symbol-prefix') {
      if (value!.length > 1) {
        say('fatal', '-P only takes a single char\n');
        return 1;
      }
      symbolPrefix = value!;
    } else if (name === 'warn') warnDuplicates = true;
    else if (name in DEPRECATED) say('warning', `Ignored deprecated option -${DEPRECATED[name]}\n`);
    else if (name === 'help') {
      ctx.stdout(depmodHelp(ctx.program));
      return 0;
    } else if (name === 'version') {
      ctx.stdout(`kmodkit version ${ctx.version}\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n`);
      return 0;
    }
  }
  if (line.error !== undefined) {
    ctx.stderr(`${ctx.program}: ${line.error}\n`);
    return 1;
  }
  const operands = [...line.operands];
  let kernelVersion = release();
  if (operands.length > 0) {
    if (!isVersionNumber(operands[0]!)) {
      say('error', `Bad version passed ${operands[0]}\n`);
      return 1;
    }
    kernelVersion = operands.shift()!;
  }
  if (operands.length === 0) all = true;
  const dirname = moduleDirectoryOf(kernelVersion, basedir);
  if (quick) {
    if (toStdout) return 0;
    if (isDepmodUpToDate(dirname, log)) return 0;
    all = true;
  }
  // The log level applies from here on, as kmod sets it once its library context exists.
  priority += verbose;
  try {
    const tree = await analyseModules({
      kernelVersion,
      ...(basedir === undefined ? {} : { basedir }),
      ...(configPaths.length === 0 ? {} : { configPaths }),
      ...(symvers === undefined ? {} : { symvers }),
      ...(systemMap === undefined ? {} : { systemMap }),
      errsyms,
      warnDuplicates,
      symbolPrefix,
      files: operands,
      all,
      log,
      ...(verbose > 0 ? { show: (text: string) => ctx.stdout(text) } : {}),
      loadDecoder: loadDepmodDecoder,
      workerUrl: DEPMOD_WORKER,
    });
    const outputs = depmodOutputs(tree, { toStdout, warnDuplicates, log });
    if (toStdout) {
      for (const output of outputs) ctx.stdout(output.content());
      return 0;
    }
    return writeDepmodOutputs(tree, outputs, log) ? 0 : 1;
  } catch (e) {
    if (!(e instanceof LoaderError)) throw e;
    // Dependency cycles were reported as they were found; the rest is kmod's FATAL.
    if (e.code !== 'ECYCLE') say('fatal', `${e.message}\n`);
    return 1;
  }
}
