/**
 * `kmodkit insmod FILE [params…]`: kmod 30's `tools/insmod.c` — options, messages and exit status —
 * over @kmodkit/loader's insertModule (kmod's choice of finit_module or init_module).
 */
import { statSync } from 'node:fs';
import { strerror } from '@kmodkit/errno';
import { insertModule, pathToModname } from '@kmodkit/loader';
import type { OptionTable } from '../getopt.js';
import { type CommandContext, toolOptions } from './context.js';

/** `cmdopts_s = "psfVh"` with long options only for -V and -h. */
const INSMOD_OPTIONS: OptionTable = {
  version: { short: 'V', takesValue: false },
  help: { short: 'h', takesValue: false },
  p: { short: 'p', takesValue: false, shortOnly: true },
  s: { short: 's', takesValue: false, shortOnly: true },
  f: { short: 'f', takesValue: false, shortOnly: true },
};

function help(program: string): string {
  return (
    'Usage:\n' +
    `\t${program} [options] filename [args]\n` +
    'Options:\n' +
    '\t-V, --version     show version\n' +
    '\t-h, --help        show this help\n'
  );
}

/** tools/insmod.c: mod_strerror — kmod's words for the load errors users meet most. */
function modStrerror(code: string): string {
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
  const operands = toolOptions(argv, INSMOD_OPTIONS, ctx, help(ctx.program), (name) => {
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
