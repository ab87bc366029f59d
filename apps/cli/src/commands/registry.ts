/** The commands `kmodkit` has, each with its spec (options, help, man page, completion). */
import type { CommandSpec } from '../command-spec.js';
import { completion, completionSpec } from './completion.js';
import type { CommandContext } from './context.js';
import { modinfo, modinfoSpec } from './modinfo.js';

export type Command = (argv: readonly string[], ctx: CommandContext) => Promise<number>;

export interface CommandEntry {
  readonly run: Command;
  readonly spec: CommandSpec;
}

/** In the order `kmodkit --help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  modinfo: { run: modinfo, spec: modinfoSpec },
  completion: { run: completion, spec: completionSpec },
};

export function commandSpecs(): CommandSpec[] {
  return Object.values(COMMANDS).map((c) => c.spec);
}
