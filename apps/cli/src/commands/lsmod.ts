/**
 * `kmodkit lsmod`: kmod 30's `tools/lsmod.c` — the names of /proc/modules, each with the size,
 * reference count and holders /sys/module shows (libkmod-module.c: kmod_module_get_size,
 * _get_refcnt, _get_holders), in kmod's format, messages and exit status; plus `--json`.
 */

import { strerror } from '@kmodkit/errno';
import { type LoadedModule, readHolders, readModuleSize, readProcModules, readRefcnt } from '@kmodkit/loader';
import type { CommandSpec } from '../command-spec.js';
import { helpText } from '../help.js';
import type { CommandContext } from './context.js';

/**
 * libkmod's error lines, as Debian's kmod 30 (built with ENABLE_DEBUG) prints them: priority, source
 * file and line of the ERR() call in libkmod-module.c v30, function.
 */
const LIBKMOD = 'libkmod: ERROR ../libkmod/libkmod-module.c';

/** A value kmod prints where a read failed: the negative errno (`-2`), as `%d`/`%ld` shows it. */
const ENOENT = -2;

export const lsmodSpec: CommandSpec = {
  name: 'lsmod',
  summary: 'list the loaded modules (kmod-compatible, plus --json)',
  usage: ['', '--json'],
  description: `Lists the loaded modules as kmod's lsmod does: the names in /proc/modules order, each with its size, reference count and holders from /sys/module. kmod's lsmod takes no options; kmodkit adds --json (one object per module, schema in the README) and --help.`,
  options: [
    { long: 'json', help: 'Print one JSON object per module (kmodkit)' },
    { long: 'help', help: 'Show this help (kmodkit; kmod prints its usage line)' },
  ],
  examples: [
    { args: '', explain: 'the loaded modules, as kmod prints them' },
    {
      args: "--json | jq -r 'select(.holders | length > 0) | .name'",
      explain: 'the modules other modules use',
    },
  ],
  exitStatus: "0; 1 with kmod's usage line for any other argument, or when /proc/modules cannot be read.",
};

export async function lsmod(argv: readonly string[], ctx: CommandContext): Promise<number> {
  // kmod's lsmod has no options: any argument prints its usage line. --help (exactly) is kmodkit's.
  if (argv.length === 1 && argv[0] === '--help') {
    ctx.stdout(helpText(lsmodSpec, ctx.program));
    return 0;
  }
  const json = argv.length === 1 && argv[0] === '--json';
  if (argv.length !== 0 && !json) {
    ctx.stderr(`Usage: ${ctx.program}\n`);
    return 1;
  }
  const at = { root: ctx.root };
  let modules: LoadedModule[];
  try {
    modules = await readProcModules(at);
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'EIO';
    const text = safeStrerror(code);
    ctx.stderr(`${LIBKMOD}:1725 kmod_module_new_from_loaded: could not open /proc/modules: ${text}\n`);
    ctx.stderr(`Error: could not get list of modules: ${text}\n`);
    return 1;
  }
  if (json) {
    for (const m of modules) ctx.stdout(`${JSON.stringify(lsmodJson(m, at))}\n`);
    return 0;
  }
  let out = 'Module                  Size  Used by\n';
  for (const { name } of modules) {
    const size = readModuleSize(name, at) ?? ENOENT;
    const refcnt = readRefcnt(name, at) ?? ENOENT;
    const holders = readHolders(name, at);
    if (holders === undefined) {
      ctx.stdout(out);
      out = '';
      ctx.stderr(
        `${LIBKMOD}:1998 kmod_module_get_holders: could not open '/sys/module/${name}/holders': ${strerror('ENOENT')}\n`,
      );
    }
    out += `${name.padEnd(19)} ${String(size).padStart(8)}  ${refcnt}`;
    if (holders !== undefined && holders.length > 0) out += ` ${holders.join(',')}`;
    out += '\n';
  }
  ctx.stdout(out);
  return 0;
}

function safeStrerror(code: string): string {
  try {
    return strerror(code);
  } catch {
    return code;
  }
}

/** One line of `lsmod --json` (documented in the README). */
function lsmodJson(m: LoadedModule, at: { root: string }) {
  return {
    name: m.name,
    size: m.size,
    refcount: m.refcount,
    usedBy: m.usedBy,
    holders: readHolders(m.name, at) ?? [],
    permanent: m.permanent,
    state: m.state,
    taints: m.taints,
    address: m.address === 0n ? null : `0x${m.address.toString(16).padStart(16, '0')}`,
  };
}
