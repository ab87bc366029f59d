/**
 * The commands `kmodkit` has, each with its spec (options, help, man page, completion). A command's
 * module is imported when it runs: `kmodkit --version` or `kmodkit modprobe` does not load (parse and
 * compile) the code of depmod, modinfo and the rest.
 */
import type { CommandSpec } from '../command-spec.js';
import type { CommandContext } from './context.js';

export type Command = (argv: readonly string[], ctx: CommandContext) => Promise<number>;

export interface CommandEntry {
  readonly run: Command;
  readonly spec: CommandSpec;
}

/** In the order `kmodkit --help` lists them; each loads its command's module. */
export const COMMANDS: Readonly<Record<string, () => Promise<CommandEntry>>> = {
  check: () => import('./check.js').then((m) => ({ run: m.check, spec: m.checkSpec })),
  completion: () => import('./completion.js').then((m) => ({ run: m.completion, spec: m.completionSpec })),
  depmod: () => import('./depmod.js').then((m) => ({ run: m.depmod, spec: m.depmodSpec })),
  insmod: () => import('./insmod.js').then((m) => ({ run: m.insmod, spec: m.insmodSpec })),
  lsmod: () => import('./lsmod.js').then((m) => ({ run: m.lsmod, spec: m.lsmodSpec })),
  modinfo: () => import('./modinfo.js').then((m) => ({ run: m.modinfo, spec: m.modinfoSpec })),
  modprobe: () => import('./modprobe.js').then((m) => ({ run: m.modprobe, spec: m.modprobeSpec })),
  params: () => import('./params.js').then((m) => ({ run: m.params, spec: m.paramsSpec })),
  rmmod: () => import('./rmmod.js').then((m) => ({ run: m.rmmod, spec: m.rmmodSpec })),
};

/** Every command's spec, in the order of COMMANDS (this loads every command's module). */
export async function commandSpecs(): Promise<CommandSpec[]> {
  const entries = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return entries.map((c) => c.spec);
}
