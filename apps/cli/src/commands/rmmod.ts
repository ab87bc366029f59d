/**
 * `kmodkit rmmod [-f] [-s] [-v] NAME…`: kmod 30's `tools/rmmod.c` — the in-use checks before
 * delete_module, the messages and the exit status — over @kmodkit/loader.
 */
import { statSync } from 'node:fs';
import { release } from 'node:os';
import {
  ModuleDirectory,
  modnameNormalize,
  pathToModname,
  readHolders,
  readInitState,
  readRefcnt,
  removeModule,
} from '@kmodkit/loader';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { helpText } from '../help.js';
import { type CommandContext, toolOptions } from './context.js';
import { errnoText } from './insmod.js';

/** `cmdopts_s = "fsvVwh"`: `-w` is in the string but not handled (kmod says so). */
export const rmmodSpec: CommandSpec = {
  name: 'rmmod',
  summary: 'remove modules from the kernel (kmod-compatible)',
  usage: ['[options] modulename ...'],
  helpWidth: 18,
  description: `Removes loaded modules with delete_module(2), as kmod's rmmod does. A NAME that is an existing file names its module by the file name; otherwise - and _ are the same. Unless -f, a module that is not loaded, is built in, or is in use is refused before the kernel is asked, with kmod's messages. Every NAME is tried.`,
  options: [
    {
      long: 'force',
      short: 'f',
      help: 'forces a module unload and may crash your\nmachine. This requires Forced Module Removal\noption in your kernel. DANGEROUS',
    },
    { long: 'syslog', short: 's', help: 'print to syslog, not stderr' },
    { long: 'verbose', short: 'v', help: 'enables more messages' },
    { long: 'version', short: 'V', help: 'show version' },
    { long: 'help', short: 'h', help: 'show this help' },
    { long: 'w', short: 'w', shortOnly: true, hidden: true, help: 'accepted and ignored, as kmod does' },
  ],
  operands: 'loaded-module',
  examples: [
    { args: 'kmodkit_dep kmodkit_test', explain: 'remove a module, then the one it used' },
    { args: 'dummy.ko', explain: 'a file names its module: this removes dummy' },
  ],
  exitStatus: "0 when every module was removed; 1 if any was not (kmod's message for each).",
};

const RMMOD_OPTIONS = optionTable(rmmodSpec);

export async function rmmod(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let force = false;
  const operands = toolOptions(argv, RMMOD_OPTIONS, ctx, helpText(rmmodSpec, ctx.program), (name) => {
    if (name === 'force') force = true;
    if (name !== 'w') return undefined;
    // In cmdopts_s but not handled: do_rmmod's default case.
    ctx.stderr(`${ctx.program}: ERROR: unexpected getopt_long() value 'w'.\n`);
    return 1;
  });
  if (typeof operands === 'number') return operands;
  const error = (message: string) => ctx.stderr(`${ctx.program}: ERROR: ${message}\n`);
  if (operands.length === 0) {
    error('missing module name.');
    return 1;
  }
  const at = { root: ctx.root };
  const directory = new ModuleDirectory(`${ctx.root === '/' ? '' : ctx.root}/lib/modules/${release()}`);
  let failed = 0;
  for (const arg of operands) {
    // An existing file names its module by its file name, anything else is a module name.
    const isFile = statSync(arg.startsWith('/') ? arg : `${ctx.cwd}/${arg}`, { throwIfNoEntry: false });
    const name = isFile ? pathToModname(arg) : modnameNormalize(arg);
    if (name === undefined) {
      error(`could not use module ${arg}: ${errnoText('ENOENT')}`);
      break;
    }
    if (!force) {
      const problem = inUse(name, directory, at);
      if (problem !== undefined) {
        error(problem);
        failed++;
        continue;
      }
    }
    try {
      await removeModule(name, { force });
    } catch (e) {
      const { code, message } = e as { code?: string; message: string };
      const text = code === undefined ? message : errnoText(code, message);
      // libkmod's own ERR() line (libkmod-module.c:856 in v30; Debian builds with ENABLE_DEBUG, which
      // adds the place), then the tool's.
      error(
        `../libkmod/libkmod-module.c:856 kmod_module_remove_module() could not remove '${name}': ${text}`,
      );
      error(`could not remove module ${arg}: ${text}`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}

/** tools/rmmod.c: check_module_inuse — kmod's message when the module cannot be removed, else undefined. */
function inUse(name: string, directory: ModuleDirectory, at: { root: string }): string | undefined {
  if (directory.isBuiltin(name)) return `Module ${name} is builtin.`;
  if (readInitState(name, at) === undefined) return `Module ${name} is not currently loaded`;
  const holders = readHolders(name, at) ?? [];
  if (holders.length > 0) return `Module ${name} is in use by: ${holders.join(' ')}`;
  const refcnt = readRefcnt(name, at);
  if (refcnt === undefined) return 'Module unloading is not supported';
  return refcnt > 0 ? `Module ${name} is in use` : undefined;
}
