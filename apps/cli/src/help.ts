/** A command's `--help`, from its spec, laid out as kmod's tools lay theirs out (`tools/modprobe.c: help`). */
import { type CommandSpec, optionSignature } from './command-spec.js';

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
  let group: string | undefined;
  for (const o of spec.options) {
    if (o.hidden) continue;
    const heading = o.group ?? 'Options';
    if (heading !== group) {
      out += `${group === undefined ? '' : '\n'}${heading}:\n`;
      group = heading;
    }
    const signature = optionSignature(o);
    const [first, ...rest] = o.help.split('\n');
    out += `\t${signature.length < width ? signature.padEnd(width) : `${signature} `}${first}\n`;
    for (const line of rest) out += `\t${' '.repeat(width)}${line}\n`;
  }
  if (spec.examples.length > 0) {
    out += '\nExamples:\n';
    for (const e of spec.examples) out += `\t${program} ${e.args}\n\t\t${e.explain}\n`;
  }
  return out;
}
