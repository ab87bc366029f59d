/**
 * `kmodkit insmod FILE [params…]`: kmod 30's `tools/insmod.c` — options, messages and exit status —
 * over @kmodkit/loader's insertModule (kmod's choice of finit_module or init_module).
 */
import { statSync } from 'node:fs';
import { strerror } from '@kmodkit/errno';
import { insertModule, pathToModname } from '@kmodkit/loader';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { helpText } from '../help.js';
import { type CommandContext, toolOptions } from './context.js';

/** `cmdopts_s = "psfVh"` with long options only for -V and -h; `-p`, `-s` are accepted and ignored. */
export const insmodSpec: CommandSpec = {
  name: 'insmod',
  summary: 'insert a module file into the kernel (kmod-compatible)',
  usage: ['[options] filename [args]'],
  helpWidth: 18,
  description: `Loads one module file into the running kernel, as kmod's insmod does: finit_module(2) for a .ko (and for a compressed file the kernel decompresses itself), else the file is decompressed here and passed to init_module(2). The arguments after the file are joined with spaces into the parameter string (kernel/params.c grammar). Dependencies are not loaded: see modprobe.

-f loads despite a wrong version magic or symbol versions (the kernel is then tainted F). kmod's messages and exit status are kept; an error names the errno the kernel returned.`,
  options: [
    { long: 'version', short: 'V', help: 'show version' },
    { long: 'help', short: 'h', help: 'show this help' },
    { long: 'p', short: 'p', shortOnly: true, hidden: true, help: 'ignored (kmod accepts it)' },
    { long: 's', short: 's', shortOnly: true, hidden: true, help: 'ignored (kmod accepts it)' },
    {
      long: 'f',
      short: 'f',
      shortOnly: true,
      hidden: true,
      help: 'ignore the version magic and symbol versions',
    },
  ],
  operands: 'file',
  examples: [
    {
      args: './kmodkit_test.ko p_int=3 p_charp="two words"',
      explain: 'load a module file with two parameters',
    },
    {
      args: '/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko.xz numdummies=2',
      explain: 'a compressed module',
    },
  ],
  exitStatus: "0 when the module was loaded; 1 otherwise, with kmod's message (the kernel's errno in words).",
};

const INSMOD_OPTIONS = optionTable(insmodSpec);

/** tools/insmod.c: mod_strerror — kmod's words for the load errors users meet most. */
export function modStrerror(code: string): string {
  switch (code) {
    case 'ENOEXEC':
      return 'Invalid module format';
    case 'ENOENT':
      return 'Unknown symbol in module';
    case 'ESRCH':
      return 'Module has wrong symbol version';
    case 'EINVAL':
      return 'Invalid parameters';
    default:
      return errnoText(code);
  }
}

/** strerror for an errno name; a failure that is not an errno (ffi-rs missing) gives its own message. */
export function errnoText(code: string, fallback?: string): string {
  try {
    return strerror(code);
  } catch {
    return fallback ?? code;
  }
}

export async function insmod(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let force = false;
  const operands = toolOptions(argv, INSMOD_OPTIONS, ctx, helpText(insmodSpec, ctx.program), (name) => {
    if (name === 'f') force = true;
    return undefined;
  });
  if (typeof operands === 'number') return operands;
  const [filename, ...args] = operands;
  const error = (message: string) => {
    ctx.stderr(`${ctx.program}: ERROR: ${message}\n`);
    return 1;
  };
  if (filename === undefined) return error('missing filename.');
  if (filename === '-') return error('this tool does not support loading from stdin!');
  const path = filename.startsWith('/') ? filename : `${ctx.cwd}/${filename}`;
  // kmod_module_new_from_path: stat, then a module name from the file name.
  try {
    statSync(path);
  } catch (e) {
    return error(
      `could not load module ${filename}: ${errnoText((e as NodeJS.ErrnoException).code ?? 'EIO')}`,
    );
  }
  if (pathToModname(path) === undefined)
    return error(`could not load module ${filename}: ${strerror('ENOENT')}`);
  try {
    await insertModule(path, { params: args.join(' '), ignoreModversions: force, ignoreVermagic: force });
    return 0;
  } catch (e) {
    const { code, message } = e as { code?: string; message: string };
    const known = code !== undefined && errnoText(code, '') !== '';
    return error(`could not insert module ${filename}: ${known ? modStrerror(code) : message}`);
  }
}
