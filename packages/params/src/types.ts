import { ParamError } from './errors.js';

/**
 * The kernel's standard parameter types (include/linux/moduleparam.h, kernel/params.c: param_ops_*), as
 * `module_param(name, type, perm)` spells them.
 */
export const SCALAR_TYPES = [
  'byte',
  'short',
  'ushort',
  'int',
  'uint',
  'long',
  'ulong',
  'ullong',
  'hexint',
  'charp',
  'bool',
  'invbool',
  'bint',
  // bool that cannot be cleared once true (param_set_bool_enable_only: EROFS); parses like bool.
  'bool_enable_only',
] as const;

export type ScalarTypeName = (typeof SCALAR_TYPES)[number];

/** Integer types: the kstrto* function each `param_set_*` calls (STANDARD_PARAM_DEF), as sign and width. */
export const INTEGER_LAYOUT: Partial<Record<ScalarTypeName, { signed: boolean; bits: 8 | 16 | 32 | 64 }>> = {
  byte: { signed: false, bits: 8 }, // unsigned char, kstrtou8
  short: { signed: true, bits: 16 }, // kstrtos16
  ushort: { signed: false, bits: 16 }, // kstrtou16
  int: { signed: true, bits: 32 }, // kstrtoint
  uint: { signed: false, bits: 32 }, // kstrtouint
  long: { signed: true, bits: 64 }, // kstrtol; the arch's long (see integerLayout)
  ulong: { signed: false, bits: 64 }, // kstrtoul; the arch's long (see integerLayout)
  ullong: { signed: false, bits: 64 }, // kstrtoull
  hexint: { signed: false, bits: 32 }, // kstrtouint, printed "%#08x"
};

/** The width of the C `long` of the module's architecture: 32 on ILP32 (armhf, i386, mips32), 64 on LP64. */
export type LongBits = 32 | 64;

/** The sign and width of an integer type, with `long`/`ulong` as wide as the architecture's long. */
export function integerLayout(
  scalar: ScalarTypeName,
  longBits: LongBits = 64,
): { signed: boolean; bits: 8 | 16 | 32 | 64 } | undefined {
  const layout = INTEGER_LAYOUT[scalar];
  if (layout && (scalar === 'long' || scalar === 'ulong')) {
    if (longBits !== 32 && longBits !== 64) {
      throw new ParamError('BAD_VALUE', `longBits must be 32 or 64, not ${String(longBits)}`);
    }
    return { signed: layout.signed, bits: longBits };
  }
  return layout;
}

/** A parameter type, decoded from its spelling: `int`, `string:64`, `array:int:4`. */
export type ParamType =
  | { kind: 'scalar'; scalar: ScalarTypeName }
  /** module_param_string: a char buffer of `size` bytes (holds `size - 1` bytes and the NUL). */
  | { kind: 'string'; size: number }
  /** module_param_array: at most `max` elements of `element`. */
  | { kind: 'array'; element: ScalarTypeName; max: number };

const SCALAR_SET: ReadonlySet<string> = new Set(SCALAR_TYPES);

function isScalar(name: string): name is ScalarTypeName {
  return SCALAR_SET.has(name);
}

function parseSize(text: string | undefined): number | null {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffff_ffff ? n : null;
}

/**
 * Decode a type spelling: one of the scalar names, `string:N` (a `module_param_string` buffer of N bytes)
 * or `array:T:N` (`module_param_array` of T, at most N elements).
 * @throws ParamError `UNKNOWN_TYPE`
 */
export function parseParamType(type: string): ParamType {
  if (typeof type !== 'string')
    throw new ParamError('UNKNOWN_TYPE', `a type must be a string, not ${typeof type}`);
  let parsed: ParamType | null = null;
  const parts = type.split(':');
  if (parts.length === 1 && isScalar(type)) parsed = { kind: 'scalar', scalar: type };
  else if (parts.length === 2 && parts[0] === 'string') {
    const size = parseSize(parts[1]);
    if (size !== null) parsed = { kind: 'string', size };
  } else if (parts.length === 3 && parts[0] === 'array' && isScalar(parts[1]!)) {
    const max = parseSize(parts[2]);
    if (max !== null) parsed = { kind: 'array', element: parts[1] as ScalarTypeName, max };
  }
  if (parsed === null) {
    throw new ParamError(
      'UNKNOWN_TYPE',
      `unknown parameter type '${type}' (expected ${SCALAR_TYPES.join(', ')}, string:N or array:T:N)`,
    );
  }
  return parsed;
}
