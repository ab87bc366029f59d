/**
 * Command-line parsing that behaves like glibc's `getopt_long`, which every kmod tool uses
 * (`tools/modinfo.c: do_modinfo`): short options grouped (`-ad`), option values attached or separate
 * (`-Fname`, `-F name`, `--field=name`, `--field name`), long options abbreviated to any unique prefix
 * (`--fie`), operands and options in any order, `--` ending options, and glibc's exact diagnostics.
 *
 * `node:util` `parseArgs` does the tokenising; what it lacks is added around it: prefix matching of long
 * options (done before it runs), values that start with `-` (`-F -x` takes `-x` as the value, as getopt
 * does; parseArgs in strict mode would refuse it, so it runs non-strict and the tokens are checked here)
 * and glibc's messages.
 */
import { parseArgs } from 'node:util';

/** One option a command accepts: the long name is the key of {@link OptionTable}. */
export interface OptionSpec {
  readonly short?: string;
  readonly takesValue: boolean;
  /** A short option that has no long form (insmod's `-p`, `-s`, `-f`): its key is not a long name. */
  readonly shortOnly?: boolean;
}

/** Long name → spec, in the order of the command's `struct option` array (glibc lists ambiguous matches in it). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** One option as given, in command-line order; `name` is the long name. */
export interface GivenOption {
  readonly name: string;
  readonly value: string | undefined;
}

export interface CommandLine {
  /** Options in the order they were given (getopt hands them to the command one by one). */
  readonly options: readonly GivenOption[];
  /** Non-option arguments, in order. */
  readonly operands: readonly string[];
  /**
   * glibc's diagnostic for the first bad option, without the `program: ` prefix and newline; the options
   * before it are still in `options` (kmod acts on `-h`/`-V` before it meets a later bad option).
   */
  readonly error?: string;
}

/** Parses `argv` (without the program name) as `getopt_long` would for `table`. */
export function getoptLong(argv: readonly string[], table: OptionTable): CommandLine {
  const longNames = Object.keys(table).filter((name) => !table[name]!.shortOnly);
  const byShort = new Map<string, string>();
  for (const name of Object.keys(table)) {
    const short = table[name]?.short;
    if (short !== undefined) byShort.set(short, name);
  }

  // Pass 1: expand abbreviated long options; stop at the first ambiguous one (glibc reports it when
  // it reaches it, after acting on the options before it).
  const args: string[] = [];
  let ambiguity: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const given = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const name = resolveLong(given, longNames);
      if (Array.isArray(name)) {
        ambiguity = `option '${arg}' is ambiguous; possibilities:${name.map((n) => ` '--${n}'`).join('')}`;
        break;
      }
      args.push(name === undefined ? arg : `--${name}${eq < 0 ? '' : arg.slice(eq)}`);
      if (name !== undefined && eq < 0 && table[name]!.takesValue && i + 1 < argv.length)
        args.push(argv[++i]!);
      continue;
    }
    args.push(arg);
    if (arg.length > 1 && arg.startsWith('-')) {
      // A short group: the first value-taking option consumes the rest, or else the next argument.
      for (let c = 1; c < arg.length; c++) {
        const name = byShort.get(arg[c]!);
        if (name === undefined || !table[name]!.takesValue) continue;
        if (c === arg.length - 1 && i + 1 < argv.length) args.push(argv[++i]!);
        break;
      }
    }
  }

  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const name of Object.keys(table)) {
    const spec = table[name]!;
    options[name] = { type: spec.takesValue ? 'string' : 'boolean' };
    if (spec.short !== undefined) options[name].short = spec.short;
  }
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });

  const given: GivenOption[] = [];
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      operands.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const isLong = token.rawName.startsWith('--');
    const spec = table[token.name];
    if (
      spec === undefined ||
      (isLong && spec.shortOnly) ||
      (!isLong && spec.short !== token.rawName.slice(1))
    ) {
      const error = isLong
        ? `unrecognized option '${token.rawName}${token.inlineValue ? `=${token.value}` : ''}'`
        : `invalid option -- '${token.rawName.slice(1)}'`;
      return { options: given, operands, error };
    }
    if (spec.takesValue && token.value === undefined) {
      const error = isLong
        ? `option '--${token.name}' requires an argument`
        : `option requires an argument -- '${token.rawName.slice(1)}'`;
      return { options: given, operands, error };
    }
    if (!spec.takesValue && token.inlineValue) {
      return { options: given, operands, error: `option '--${token.name}' doesn't allow an argument` };
    }
    given.push({ name: token.name, value: spec.takesValue ? (token.value as string) : undefined });
  }
  return ambiguity === undefined
    ? { options: given, operands }
    : { options: given, operands, error: ambiguity };
}

/** An exact name wins; else the one name `given` is a prefix of; several → all of them (ambiguous). */
function resolveLong(given: string, names: readonly string[]): string | string[] | undefined {
  if (names.includes(given)) return given;
  const matches = names.filter((n) => n.startsWith(given));
  if (matches.length === 0) return undefined;
  return matches.length === 1 ? matches[0] : matches;
}
