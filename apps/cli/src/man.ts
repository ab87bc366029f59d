/**
 * A man page per command (`kmodkit-modinfo(1)` …) in roff's man macros, from the same spec as `--help`.
 * No date in the header: pages are generated at build time and must come out the same everywhere.
 */
import { type CommandSpec, listedOptions, optionSignature } from './command-spec.js';

/** Text as roff shows it literally: backslashes and hyphens escaped, no line starting a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** Paragraphs (blank-line separated) as `.PP` blocks. */
function paragraphs(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `.PP\n${roff(p.replace(/\n/g, ' '))}\n`)
    .join('');
}

export function manPage(spec: CommandSpec, version: string, all: readonly CommandSpec[]): string {
  const title = `KMODKIT-${spec.name.toUpperCase()}`;
  let out = `.TH ${title} 1 "" "kmodkit ${roff(version)}" "kmodkit manual"\n`;
  out += `.SH NAME\nkmodkit\\-${roff(spec.name)} \\- ${roff(spec.summary)}\n`;
  out += '.SH SYNOPSIS\n';
  for (const u of spec.usage) out += `.B kmodkit ${roff(spec.name)}\n${u === '' ? '' : `${roff(u)}\n`}.br\n`;
  out += `.SH DESCRIPTION\n${paragraphs(spec.description)}`;
  out += `.PP\nThe same command runs when \\fBkmodkit\\fR is called by the name \\fB${roff(spec.name)}\\fR (a symlink).\n`;
  const groups = new Map<string, typeof spec.options>();
  for (const o of listedOptions(spec)) {
    const g = o.group ?? 'Options';
    groups.set(g, [...(groups.get(g) ?? []), o]);
  }
  out += '.SH OPTIONS\n';
  for (const [g, options] of groups) {
    if (groups.size > 1) out += `.SS ${roff(g)}\n`;
    for (const o of options) {
      out += `.TP\n.B ${roff(optionSignature(o).trim())}\n${roff(o.help.replace(/\n/g, ' '))}\n`;
    }
  }
  if (spec.examples.length > 0) {
    out += '.SH EXAMPLES\n';
    for (const e of spec.examples)
      out += `.TP\n.B kmodkit ${roff(spec.name)} ${roff(e.args)}\n${roff(e.explain)}\n`;
  }
  out += `.SH EXIT STATUS\n${paragraphs(spec.exitStatus)}`;
  const others = all.filter((s) => s.name !== spec.name).map((s) => `.BR kmodkit\\-${roff(s.name)} (1)`);
  out += `.SH SEE ALSO\n${[...others, `.BR ${roff(spec.name)} (8)`].join(',\n')}\n`;
  return out;
}
