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
import { type CommandSpec, optionTable } from '../command-spec.js';
import { DEPMOD_WORKER, loadDepmodDecoder } from '../depmod-decoder.js';
import { getoptLong } from '../getopt.js';
import { helpText } from '../help.js';
import type { CommandContext } from './context.js';

const DISTRIBUTIONS = 'The following options are useful for people managing distributions';

/** `tools/depmod.c: cmdopts`, in its order; the help groups as kmod's `help()` prints them. */
export const depmodSpec: CommandSpec = {
  name: 'depmod',
  summary: 'write modules.dep and the module indexes (kmod-compatible)',
  usage: ['-[aA] [options] [forced_version]'],
  helpIntro:
    'If no arguments (except options) are given, "depmod -a" is assumed\n\ndepmod will output a dependency list suitable for the modprobe utility.',
  helpWidth: 21,
  helpOrder: [
    'all',
    'quick',
    'errsyms',
    'show',
    'symbol-prefix',
    'config',
    'verbose',
    'warn',
    'version',
    'help',
    'basedir',
    'filesyms',
    'symvers',
  ],
  description: `Reads every module under /lib/modules/VERSION (or the FILES given) and writes the indexes modprobe and modinfo read: modules.dep, modules.alias, modules.symbols, modules.softdep, modules.devname, modules.builtin and their .bin tries, and modules.weakdep as kmod 33 writes it. The files are byte-identical to kmod 30's depmod; each is written to a temporary file and renamed, so a crash or a full disk never leaves a half-written index.

depmod.d configuration (search, override, external, exclude) is read from /etc/depmod.d, /run/depmod.d, /usr/local/lib/depmod.d and /lib/depmod.d, or from -C. With -e and -E or -F, symbols no module or kernel export provides, and CRC mismatches, are reported as kmod reports them. On a terminal, a progress bar shows on stderr.`,
  options: [
    { long: 'all', short: 'a', help: 'Probe all modules' },
    { long: 'quick', short: 'A', help: "Only does the work if there's a new module" },
    {
      long: 'basedir',
      short: 'b',
      value: 'DIR',
      help: 'Use an image of a module tree.',
      group: DISTRIBUTIONS,
      complete: 'directory',
    },
    { long: 'config', short: 'C', value: 'PATH', help: 'Read configuration from PATH', complete: 'file' },
    {
      long: 'symvers',
      short: 'E',
      value: 'FILE',
      help: 'Use Module.symvers file to check\nsymbol versions.',
      group: DISTRIBUTIONS,
      complete: 'file',
    },
    {
      long: 'filesyms',
      short: 'F',
      value: 'FILE',
      help: 'Use the file instead of the\ncurrent kernel symbols.',
      group: DISTRIBUTIONS,
      complete: 'file',
    },
    { long: 'errsyms', short: 'e', help: 'Report not supplied symbols' },
    { long: 'unresolved-error', short: 'u', hidden: true, help: 'deprecated, ignored' },
    { long: 'quiet', short: 'q', hidden: true, help: 'deprecated, ignored' },
    { long: 'root', short: 'r', hidden: true, help: 'deprecated, ignored' },
    { long: 'verbose', short: 'v', help: 'Enable verbose mode' },
    { long: 'show', short: 'n', help: 'Write the dependency file on stdout only' },
    { long: 'dry-run', hidden: true, help: 'Same as --show' },
    {
      long: 'symbol-prefix',
      short: 'P',
      value: 'PREFIX',
      signature: '-P, --symbol-prefix',
      help: 'Architecture symbol prefix',
    },
    { long: 'warn', short: 'w', help: 'Warn on duplicates' },
    { long: 'map', short: 'm', hidden: true, help: 'deprecated, ignored' },
    { long: 'version', short: 'V', help: 'show version' },
    { long: 'help', short: 'h', help: 'show this help' },
  ],
  operands: 'kernel-version',
  examples: [
    { args: '-a', explain: "index the running kernel's modules" },
    { args: '-b /tmp/root 6.1.0-56-amd64', explain: 'index a module tree unpacked under /tmp/root' },
    { args: '-n -b /tmp/root 6.1.0-56-amd64 | less', explain: 'print the indexes instead of writing them' },
    {
      args: '-e -E /usr/src/linux-headers-6.1.0-56-amd64/Module.symvers -a',
      explain: 'also report unresolved symbols and CRC mismatches',
    },
  ],
  exitStatus:
    "0 when the indexes were written; 1 on a fatal error (kmod's message), a failed write or dependency cycles.",
};

export const DEPMOD_OPTIONS = optionTable(depmodSpec);

const DEPRECATED: Readonly<Record<string, string>> = {
  'unresolved-error': 'u',
  quiet: 'q',
  root: 'r',
  map: 'm',
};

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
      ctx.stdout(helpText(depmodSpec, ctx.program));
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
  let progress: ReturnType<CommandContext['progress']> | undefined;
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
      progress: (done, total) => {
        progress ??= ctx.progress('depmod: reading modules', total);
        progress.update(done);
      },
    });
    progress?.stop();
    const outputs = depmodOutputs(tree, { toStdout, warnDuplicates, log });
    if (toStdout) {
      for (const output of outputs) ctx.stdout(output.content());
      return 0;
    }
    return writeDepmodOutputs(tree, outputs, log) ? 0 : 1;
  } catch (e) {
    progress?.stop();
    if (!(e instanceof LoaderError)) throw e;
    // Dependency cycles were reported as they were found; the rest is kmod's FATAL.
    if (e.code !== 'ECYCLE') say('fatal', `${e.message}\n`);
    return 1;
  }
}
