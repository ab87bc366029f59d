/**
 * One description per command, the single source of its option table (getopt), its `--help`, its man
 * page and its shell completion, so the four never disagree.
 */
import type { OptionSpec, OptionTable } from './getopt.js';

/** What a shell should offer for an option's value or for an operand. */
export type Completion =
  | 'file'
  | 'directory'
  | 'module'
  | 'loaded-module'
  | 'kernel-version'
  | readonly string[];

export interface OptionDoc {
  /** The long name, without `--`. */
  readonly long: string;
  readonly short?: string;
  /** The value's placeholder (`FIELD`); absent when the option takes no value. */
  readonly value?: string;
  /** One line, in the style of kmod's help. */
  readonly help: string;
  /** The heading the option is listed under (`Options` when absent). */
  readonly group?: string;
  readonly complete?: Completion;
  /** Accepted, but left out of `--help` (kmod's undocumented and deprecated options). */
  readonly hidden?: boolean;
  /** How `--help` shows it, where kmod's help differs from the option (`-i, --ignore-remove`, `-w, --wait <MSEC>`). */
  readonly signature?: string;
  /** Only the short form exists (insmod's `-f`): `long` is then the option's name in the table. */
  readonly shortOnly?: boolean;
}

export interface Example {
  /** The arguments after the command's name (`-F parm e1000e`). */
  readonly args: string;
  readonly explain: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for `kmodkit --help` and the man page's NAME. */
  readonly summary: string;
  /** The usage lines after the program name (`[options] <modulename|filename> [args]`). */
  readonly usage: readonly string[];
  /** The man page's DESCRIPTION, paragraphs separated by blank lines. */
  readonly description: string;
  readonly options: readonly OptionDoc[];
  /** What a shell should offer for operands. */
  readonly operands?: Completion;
  readonly examples: readonly Example[];
  /** Text between the usage lines and the options in `--help` (kmod's depmod has some). */
  readonly helpIntro?: string;
  /** The long names in the order `--help` lists them, where kmod's help differs from getopt's table. */
  readonly helpOrder?: readonly string[];
  /** The column option help starts at in `--help`; kmod's tools differ (modprobe 28, insmod 18). */
  readonly helpWidth?: number;
  /** The man page's EXIT STATUS. */
  readonly exitStatus: string;
}

/** The getopt table of a command, from its spec (in the spec's order, which getopt's ambiguity messages follow). */
export function optionTable(spec: CommandSpec): OptionTable {
  const table: Record<string, OptionSpec> = {};
  for (const o of spec.options) {
    const takesValue = o.value !== undefined;
    if (o.short === undefined) table[o.long] = { takesValue };
    else if (o.shortOnly) table[o.long] = { short: o.short, takesValue, shortOnly: true };
    else table[o.long] = { short: o.short, takesValue };
  }
  return table;
}

/** `-F, --field=FIELD` as kmod's help writes an option. */
export function optionSignature(o: OptionDoc): string {
  if (o.signature !== undefined) return o.signature;
  if (o.shortOnly) return `-${o.short}${o.value === undefined ? '' : ` ${o.value}`}`;
  const long = `--${o.long}${o.value === undefined ? '' : `=${o.value}`}`;
  return o.short === undefined ? `    ${long}` : `-${o.short}, ${long}`;
}

/** The names a shell completes for an option: `-F` and `--field`, or only `-f` for a short-only one. */
export function optionNames(o: OptionDoc): string[] {
  if (o.shortOnly) return [`-${o.short}`];
  return o.short === undefined ? [`--${o.long}`] : [`-${o.short}`, `--${o.long}`];
}

/** The options `--help` and the man page list, in their order. */
export function listedOptions(spec: CommandSpec): OptionDoc[] {
  const visible = spec.options.filter((o) => !o.hidden);
  const order = spec.helpOrder;
  if (order === undefined) return visible;
  return [...visible].sort((a, b) => order.indexOf(a.long) - order.indexOf(b.long));
}
