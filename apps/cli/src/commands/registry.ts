/** The commands `kmodkit` has, each with its spec (options, help, man page, completion). */
import type { CommandSpec } from '../command-spec.js';
import { check, checkSpec } from './check.js';
import { completion, completionSpec } from './completion.js';
import type { CommandContext } from './context.js';
import { depmod, depmodSpec } from './depmod.js';
import { insmod, insmodSpec } from './insmod.js';
import { lsmod, lsmodSpec } from './lsmod.js';
import { modinfo, modinfoSpec } from './modinfo.js';
import { modprobe, modprobeSpec } from './modprobe.js';
import { rmmod, rmmodSpec } from './rmmod.js';

export type Command = (argv: readonly string[], ctx: CommandContext) => Promise<number>;

export interface CommandEntry {
  readonly run: Command;
  readonly spec: CommandSpec;
}

/** In the order `kmodkit --help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  check: { run: check, spec: checkSpec },
  completion: { run: completion, spec: completionSpec },
  depmod: { run: depmod, spec: depmodSpec },
  insmod: { run: insmod, spec: insmodSpec },
  lsmod: { run: lsmod, spec: lsmodSpec },
  modinfo: { run: modinfo, spec: modinfoSpec },
  modprobe: { run: modprobe, spec: modprobeSpec },
  rmmod: { run: rmmod, spec: rmmodSpec },
};

export function commandSpecs(): CommandSpec[] {
  return Object.values(COMMANDS).map((c) => c.spec);
}
