/**
 * `kmodkit modinfo`: kmod 30's `tools/modinfo.c` — same options, output, messages and exit status —
 * plus `--json`. Options are parsed as `getopt_long` parses them; each operand becomes one or more
 * modules to report on (a file, or a name/alias looked up in `/lib/modules/<version>`), and the
 * reports are printed in order.
 */
import { statSync } from 'node:fs';
import { release } from 'node:os';
import { ModuleDirectory, type ModuleLocation, pathToModname, runChunks, startWorker } from '@kmodkit/loader';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { helpText } from '../help.js';
import { filePaths, type ModuleJob, type ModuleReport, type ReportStyle } from '../modinfo-report.js';
import { modinfoTask } from '../modinfo-task.js';
import { type CommandContext, toolOptions } from './context.js';

/** `tools/modinfo.c: cmdopts`, in its order (glibc lists ambiguous abbreviations in it), then ours. */
export const modinfoSpec: CommandSpec = {
  name: 'modinfo',
  summary: 'show information about kernel modules (kmod-compatible, plus --json)',
  usage: ['[options] <modulename|filename> [args]'],
  description: `Prints what a kernel module file says about itself: its .modinfo fields (license, author, description, aliases, dependencies, vermagic, parameters) and its signature, exactly as kmod's modinfo prints them. An operand is a file (.ko, .ko.gz, .ko.xz, .ko.zst), or a module name or alias looked up in /lib/modules/VERSION, built-in modules included.

With --json, each module is one JSON object on a line (see the README for the schema).`,
  options: [
    { long: 'author', short: 'a', help: "Print only 'author'" },
    { long: 'description', short: 'd', help: "Print only 'description'" },
    { long: 'license', short: 'l', help: "Print only 'license'" },
    { long: 'parameters', short: 'p', help: "Print only 'parm'" },
    { long: 'filename', short: 'n', help: "Print only 'filename'" },
    { long: 'null', short: '0', help: 'Use \\0 instead of \\n' },
    { long: 'modname', short: 'm', help: 'Handle argument as module name instead of alias or filename' },
    {
      long: 'field',
      short: 'F',
      value: 'FIELD',
      help: 'Print only provided FIELD',
      complete: [
        'alias',
        'author',
        'depends',
        'description',
        'filename',
        'firmware',
        'import_ns',
        'intree',
        'license',
        'name',
        'parm',
        'retpoline',
        'sig_hashalgo',
        'sig_id',
        'sig_key',
        'signature',
        'signer',
        'softdep',
        'srcversion',
        'vermagic',
        'version',
      ],
    },
    {
      long: 'set-version',
      short: 'k',
      value: 'VERSION',
      help: 'Use VERSION instead of `uname -r`',
      complete: 'kernel-version',
    },
    {
      long: 'basedir',
      short: 'b',
      value: 'DIR',
      help: 'Use DIR as filesystem root for /lib/modules',
      complete: 'directory',
    },
    { long: 'json', help: 'Print one JSON object per module (kmodkit)' },
    { long: 'version', short: 'V', help: 'Show version' },
    { long: 'help', short: 'h', help: 'Show this help' },
  ],
  operands: 'module',
  examples: [
    { args: 'e1000e', explain: 'everything about the e1000e module of the running kernel' },
    {
      args: '-F parm ./kmodkit_test.ko',
      explain: 'only the parameters of a module file (use -p for the same)',
    },
    {
      args: '-k 6.1.0-56-amd64 -F vermagic ext4',
      explain: 'the version magic of ext4 for another installed kernel',
    },
    { args: '--json ./kmodkit_test.ko.zst', explain: 'a compressed module as one JSON object' },
  ],
  exitStatus: `0 when every module was found and read; 1 otherwise (a message for each that was not, as kmod gives).`,
};

export const MODINFO_OPTIONS = optionTable(modinfoSpec);

/** `-a -d -l -p -n` are `-F` with a fixed field. */
const FIELD_SHORTCUTS: Readonly<Record<string, string>> = {
  author: 'author',
  description: 'description',
  license: 'license',
  parameters: 'parm',
  filename: 'filename',
};

/** Module file extensions kmod recognises (`shared/util.c: kmod_exts`); kmodkit reads all four. */
const MODULE_EXTENSIONS = ['.ko', '.ko.gz', '.ko.xz', '.ko.zst'];

/**
 * `tools/modinfo.c: is_module_filename`: a regular file whose name ends in a module extension. Gives
 * the file's size (which the reader then needs not ask for again), or undefined. Whatever makes
 * `stat` fail (ENOENT, ELOOP, ENOTDIR, ENAMETOOLONG, EACCES …) makes it no file to kmod, and the
 * operand is looked up as a name instead (`Module loop-a.ko not found.`).
 */
function moduleFileSize(name: string, raw?: Uint8Array): number | undefined {
  if (!MODULE_EXTENSIONS.some((ext) => name.length > ext.length && name.endsWith(ext))) return undefined;
  try {
    const stats = statSync(raw === undefined ? name : Buffer.from(raw));
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/** `shared/util.c: path_make_absolute_cwd`: the cwd prepended, nothing normalised (`./x.ko` stays). */
function absolute(path: string, cwd: string): string {
  return path.startsWith('/') ? path : `${cwd}/${path}`;
}

export async function modinfo(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let field: string | undefined;
  let separator = '\n';
  let byName = false;
  let json = false;
  let kversion: string | undefined;
  let root: string | undefined;
  const operands = toolOptions(
    argv,
    MODINFO_OPTIONS,
    ctx,
    helpText(modinfoSpec, ctx.program),
    (name, value) => {
      if (name in FIELD_SHORTCUTS) field = FIELD_SHORTCUTS[name];
      else if (name === 'null') separator = '\0';
      else if (name === 'modname') byName = true;
      else if (name === 'field') field = value;
      else if (name === 'set-version') kversion = value;
      else if (name === 'basedir') root = value;
      else if (name === 'json') json = true;
      return undefined;
    },
  );
  if (typeof operands === 'number') return operands;
  if (operands.length === 0) {
    ctx.stderr(`${ctx.program}: ERROR: missing module or filename.\n`);
    return 1;
  }

  const dirname =
    root !== undefined || kversion !== undefined
      ? `${root ?? ''}/lib/modules/${kversion ?? release()}`
      : `/lib/modules/${release()}`;
  const directory = new ModuleDirectory(dirname);
  const style: ReportStyle = { field, separator, json };

  // Many compressed module files: a worker thread starts loading now, while the operands are stat'ed.
  const early = byName || !worthAWorker(operands) ? undefined : await startWorker(modinfoTask, PREFETCH);
  // Each operand gives modules to report on, or kmod's message for it; operand order is kept.
  const jobs: ModuleJob[] = [];
  for (const operand of operands) {
    const raw = ctx.rawArgument(operand);
    // An operand given as bytes is named in messages by those bytes.
    const notFound = (message: string) => {
      const text = `${ctx.program}: ERROR: ${message}\n`;
      jobs.push({ kind: 'error', message: raw === undefined ? text : Buffer.from(text, 'latin1') });
    };
    const rawPath =
      raw === undefined
        ? undefined
        : raw[0] === 0x2f
          ? raw
          : Buffer.concat([Buffer.from(`${ctx.cwd}/`), raw]);
    const path = rawPath === undefined ? absolute(operand, ctx.cwd) : Buffer.from(rawPath).toString('latin1');
    const size = byName ? undefined : moduleFileSize(path, rawPath);
    if (byName) {
      const found = directory.lookupName(operand);
      if (found) jobs.push(jobFor(found, directory));
      else notFound(`Module name ${operand} not found.`);
    } else if (size !== undefined) {
      const name = pathToModname(operand);
      if (name === undefined) notFound(`Module file ${operand} not found.`);
      else if (rawPath === undefined) jobs.push({ kind: 'file', path, name, size });
      else jobs.push({ kind: 'file', path, name, size, raw: Uint8Array.from(rawPath) });
    } else {
      const found = directory.lookup(operand);
      if (found === undefined) notFound(`Module alias ${operand} not found.`);
      else if (found.length === 0) notFound(`Module ${operand} not found.`);
      else for (const location of found) jobs.push(jobFor(location, directory));
    }
  }

  let failed = false;
  const emit = (report: ModuleReport) => {
    ctx.stdout(report.stdout);
    if (report.stderr !== '') ctx.stderr(report.stderr);
    failed ||= report.failed;
  };
  const worker = worthAWorker(filePaths(jobs));
  if (!worker) await early?.release();
  await runChunks(jobs, modinfoTask, emit, {
    data: style,
    worker: worker ? (early ?? true) : false,
  });
  return failed ? 1 : 0;
}

/**
 * The native decoders a worker loads while this thread stats the operands. Only a head start: each
 * file's decoder is chosen by its magic number, and one not loaded yet is loaded when first needed.
 */
const PREFETCH = ['xz', 'zstd'] as const;

/**
 * A worker pays off only for decompression (the names are only a guess at how many files are
 * compressed; what each file is, its magic number says). Starting one costs 50-100 ms (it loads the modules again)
 * and each thread pays its own JIT warm-up: over Debian's 4023 plain `.ko` two threads took the same
 * wall time as one, and more CPU (measured on an idle machine and a loaded one). 64 compressed files
 * take longer than a start.
 */
const PARALLEL_MIN_COMPRESSED = 64;

function worthAWorker(paths: readonly string[]): boolean {
  let compressed = 0;
  for (const path of paths) if (!path.endsWith('.ko')) compressed++;
  return compressed >= PARALLEL_MIN_COMPRESSED;
}

function jobFor(location: ModuleLocation, directory: ModuleDirectory): ModuleJob {
  if (location.kind === 'file') return { kind: 'file', path: location.path, name: location.name };
  return { kind: 'builtin', name: location.name, modinfo: directory.builtinModinfo(location.name) };
}
