/** A command's `--help`, from its spec, laid out as kmod's tools lay theirs out (`tools/modprobe.c: help`). */
import { type CommandSpec, listedOptions, optionSignature } from './command-spec.js';

/** kmod's modinfo and modprobe pad `-F, --field=FIELD` to this width before the option's help. */
const SIGNATURE_WIDTH = 28;

/**
 * kmod's usage and option list for `program` (the name the command was called by), then kmodkit's
 * examples. Groups after the first are set off by a blank line, and a help text with newlines
 * continues under the help column, as in kmod's modprobe.
 */
export function helpText(spec: CommandSpec, program: string): string {
  const width = spec.helpWidth ?? SIGNATURE_WIDTH;
  let out = 'Usage:\n';
  for (const u of spec.usage) out += `\t${program}${u === '' ? '' : ` ${u}`}\n`;
  if (spec.helpIntro !== undefined) out += `\n${spec.helpIntro}\n\n`;
  // Options in their groups, in the order the groups first appear (getopt's order is the spec's).
  const groups = new Map<string, CommandSpec['options'][number][]>();
  for (const o of listedOptions(spec)) {
    const heading = o.group ?? 'Options';
    groups.set(heading, [...(groups.get(heading) ?? []), o]);
  }
  let first = true;
  for (const [heading, options] of groups) {
    out += `${first ? '' : '\n'}${heading}:\n`;
    first = false;
    for (const o of options) {
      const signature = optionSignature(o);
      const [line, ...rest] = o.help.split('\n');
      out += `\t${signature.length < width ? signature.padEnd(width) : `${signature} `}${line}\n`;
      for (const more of rest) out += `\t${' '.repeat(width)}${more}\n`;
    }
  }
  if (spec.examples.length > 0) {
    out += '\nExamples:\n';
    for (const e of spec.examples) out += `\t${program} ${e.args}\n\t\t${e.explain}\n`;
  }
  return out;
}
