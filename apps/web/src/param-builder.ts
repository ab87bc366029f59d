import type { ModuleParam } from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';
import { type Arg, formatArgs, type LongBits, ParamError, validateArgs } from '@kmodkit/params';

/** The input a parameter gets in the builder, from its ops (and, for long/ulong, the module's word size). */
export type Field =
  | { kind: 'bool' }
  | { kind: 'integer'; min: bigint; max: bigint; hex: boolean }
  /** charp and string; `maxBytes` is what fits (a string buffer holds maxlen - 1 bytes and the NUL). */
  | { kind: 'text'; maxBytes: number | undefined }
  | { kind: 'array'; element: Field; max: number }
  /** The module's own ops (module_param_cb): any text, only the module can judge it. */
  | { kind: 'custom' };

const BOOLS = new Set(['bool', 'invbool', 'bint', 'bool_enable_only']);

// The kstrto* each param_set_* calls (kernel/params.c STANDARD_PARAM_DEF); long and ulong are the
// module's word size.
const INTEGERS: Record<string, { signed: boolean; bits: number | 'word' }> = {
  byte: { signed: false, bits: 8 },
  short: { signed: true, bits: 16 },
  ushort: { signed: false, bits: 16 },
  int: { signed: true, bits: 32 },
  uint: { signed: false, bits: 32 },
  hexint: { signed: false, bits: 32 },
  long: { signed: true, bits: 'word' },
  ulong: { signed: false, bits: 'word' },
  ullong: { signed: false, bits: 64 },
};

/** param_set_charp refuses strings longer than 1024 bytes (kernel/params.c). */
const CHARP_MAX = 1024;

function scalarField(type: string | undefined, wordBits: number): Field {
  if (type !== undefined && BOOLS.has(type)) return { kind: 'bool' };
  const int = type === undefined ? undefined : INTEGERS[type];
  if (int !== undefined) {
    const bits = BigInt(int.bits === 'word' ? wordBits : int.bits);
    const min = int.signed ? -(1n << (bits - 1n)) : 0n;
    const max = int.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    return { kind: 'integer', min, max, hex: type === 'hexint' };
  }
  if (type === 'charp') return { kind: 'text', maxBytes: CHARP_MAX };
  return { kind: 'custom' };
}

export function fieldOf(param: ModuleParam, elfClass: 'ELF32' | 'ELF64'): Field {
  const wordBits = elfClass === 'ELF32' ? 32 : 64;
  if (param.type === 'string') {
    return { kind: 'text', maxBytes: param.maxLength === undefined ? undefined : param.maxLength - 1 };
  }
  if (param.type === 'array' && param.maxLength !== undefined) {
    const element = scalarField(param.elementType, wordBits);
    if (element.kind !== 'custom') return { kind: 'array', element, max: param.maxLength };
  }
  return param.type === 'array' ? { kind: 'custom' } : scalarField(param.type, wordBits);
}

/** What the user set: a bool's state, a scalar's text, an array's elements; absent = not given. */
export type FieldValue = boolean | string | readonly string[];

/** The value as it goes on the command line; undefined when the parameter is left out. */
function argValue(value: FieldValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  if (typeof value === 'string') return value === '' ? undefined : value;
  return value.every((v) => v === '') ? undefined : value.join(',');
}

/** What the kernel would say about one argument. */
export interface ParamIssue {
  errno: string;
  errnoText: string;
  /** @kmodkit/params' explanation, e.g. "p_byte: 300 is out of range for byte". */
  message: string;
  /** The line parse_args logs, e.g. "kmodkit_test: `300' invalid for parameter `p_byte'". */
  kernelLog: string;
}

export interface BuiltArgs {
  /** The parameter string init_module gets, quoted as the kernel's parser needs. */
  args: string;
  /** Shell commands that pass exactly `args` (insmod and modprobe join their arguments with spaces). */
  insmod: string;
  modprobe: string;
  /** The same arguments as a modprobe.d line. */
  options: string;
  /** What init_module fails with (the last failing argument's errno, as parse_args returns), or null. */
  errno: string | null;
  issues: Map<string, ParamIssue>;
}

/** Single-quotes a word for a POSIX shell unless it is made only of characters no shell treats specially. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:=+\-/@%]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** kernel/params.c parse_args: how a refused argument is logged (ENOSPC "too large", the rest "invalid"). */
function kernelLog(moduleName: string, name: string, value: string | null, errno: string): string {
  const what = errno === 'ENOSPC' ? 'too large' : 'invalid';
  return `${moduleName}: \`${value ?? ''}' ${what} for parameter \`${name}'`;
}

/**
 * The parameter string for what the user set, in the module's parameter order, with the commands that
 * pass it and the kernel's verdict on each value (@kmodkit/params validateArgs). `longBits` is the width
 * of the module's C `long` (32 for an ELF32 module), which bounds `long`/`ulong` parameters.
 */
export function buildArgs(
  moduleName: string,
  fileName: string,
  params: readonly ModuleParam[],
  values: ReadonlyMap<string, FieldValue>,
  longBits: LongBits = 64,
): BuiltArgs {
  const args: Arg[] = [];
  const tokens: string[] = [];
  const issues = new Map<string, ParamIssue>();
  for (const p of params) {
    const value = argValue(values.get(p.name));
    if (value === undefined) continue;
    const arg = { name: p.name, value };
    try {
      tokens.push(formatArgs([arg]));
      args.push(arg);
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      issues.set(p.name, {
        errno: err.errno,
        errnoText: strerror(err.errno),
        message: err.message,
        kernelLog: 'no parameter string can carry this value',
      });
    }
  }
  const validation = validateArgs(args, params, { longBits });
  for (const issue of validation.issues) {
    if (issue.kind !== 'invalid' || issue.errno === undefined) continue;
    issues.set(issue.name, {
      errno: issue.errno,
      errnoText: strerror(issue.errno),
      message: issue.message,
      kernelLog: kernelLog(moduleName, issue.name, issue.value, issue.errno),
    });
  }
  const text = tokens.join(' ');
  const tail = tokens.map((t) => ` ${shellQuote(t)}`).join('');
  return {
    args: text,
    insmod: `insmod ${shellQuote(fileName)}${tail}`,
    modprobe: `modprobe ${shellQuote(moduleName)}${tail}`,
    options: `options ${moduleName}${text ? ` ${text}` : ''}`,
    errno: issues.size === 0 ? null : (validation.errno ?? [...issues.values()].at(-1)!.errno),
    issues,
  };
}

/** The permission bits as `ls -l` shows them: 0o644 → 'rw-r--r--'. */
export function permString(perm: number): string {
  let out = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (perm >> shift) & 7;
    out += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return out;
}

/** The type as the parameters table shows it: 'int', 'string (15 bytes)', 'array of int (max 4)'. */
export function typeLabel(p: ModuleParam): string {
  if (p.type === 'array') return `array of ${p.elementType ?? '?'} (max ${p.maxLength ?? '?'})`;
  if (p.type === 'string') return p.maxLength === undefined ? 'string' : `string (${p.maxLength - 1} bytes)`;
  if (p.type === 'custom') return p.ops === undefined ? 'custom ops' : `custom (${p.ops})`;
  return p.type;
}

/**
 * The parameters in the order `modinfo` lists them (newest `parm`/`parmtype` name first, which is
 * source order); those without either entry after them, in `__param` order.
 */
export function modinfoOrder(
  params: readonly ModuleParam[],
  modinfo: readonly { key: string; value: string }[],
): ModuleParam[] {
  const rank = new Map<string, number>();
  for (const { key, value } of modinfo) {
    if (key !== 'parm' && key !== 'parmtype') continue;
    const colon = value.indexOf(':');
    if (colon >= 0 && !rank.has(value.slice(0, colon))) rank.set(value.slice(0, colon), -rank.size);
  }
  const bare = (p: ModuleParam) => (rank.has(p.name) ? p.name : p.name.slice(p.name.lastIndexOf('.') + 1));
  const at = (p: ModuleParam) => rank.get(bare(p)) ?? 1;
  return params
    .map((p, i) => ({ p, i }))
    .sort((a, b) => at(a.p) - at(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

/** The width of a module's C `long`, from its ELF class. */
export function longBitsOf(elfClass: 'ELF32' | 'ELF64'): LongBits {
  return elfClass === 'ELF32' ? 32 : 64;
}
