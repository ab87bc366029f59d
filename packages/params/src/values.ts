import { expectString, ParamError } from './errors.js';
import { kstrtobool, kstrtox } from './kstrtox.js';
import {
  integerLayout,
  type LongBits,
  type ParamType,
  parseParamType,
  type ScalarTypeName,
} from './types.js';
import { cString, utf8Length } from './utf8.js';

/** Options of `parseValue` and `formatValue`. */
export interface ValueOptions {
  /**
   * The width of the module's C `long` (its ELF class: 32 for ELFCLASS32, 64 for ELFCLASS64); `long` and
   * `ulong` are range-checked at that width. Default 64.
   */
  readonly longBits?: LongBits;
}

/** A scalar parameter's value: numbers up to 32 bits, bigint for 64-bit types, booleans, strings. */
export type ScalarValue = number | bigint | boolean | string;
/** What `parseValue` returns: a scalar, or an array of scalars for `array:T:N`. */
export type ParamValue = ScalarValue | ScalarValue[];

// kernel/params.c: param_set_charp — "string parameter too long" beyond 1024 bytes.
const CHARP_MAX = 1024;
const INTEGER_BIGINT: ReadonlySet<ScalarTypeName> = new Set(['long', 'ulong', 'ullong']);

function label(param: string | undefined): string {
  return param === undefined ? 'value' : `'${param}'`;
}

function quoteValue(raw: string): string {
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

/** The `param_set_*` of one scalar type, on a value that is present. */
function setScalar(
  scalar: ScalarTypeName,
  raw: string,
  param: string | undefined,
  longBits: LongBits | undefined,
): ScalarValue {
  const layout = integerLayout(scalar, longBits);
  if (layout) {
    const parsed = kstrtox(raw, layout.signed, layout.bits);
    if (parsed === 'EINVAL') {
      throw new ParamError('INVALID_VALUE', `${quoteValue(raw)} is not a valid ${scalar}`, param);
    }
    if (parsed === 'ERANGE') {
      throw new ParamError('OUT_OF_RANGE', `${quoteValue(raw)} is out of range for ${scalar}`, param);
    }
    // long/ulong stay bigint at either width, so a value's JS type depends on its type name only.
    return INTEGER_BIGINT.has(scalar) ? parsed : Number(parsed);
  }
  if (scalar === 'charp') {
    if (utf8Length(raw) > CHARP_MAX) {
      throw new ParamError('TOO_LONG', `string parameter too long (over ${CHARP_MAX} bytes)`, param);
    }
    return raw;
  }
  // bool, invbool, bint: param_set_bool's kstrtobool.
  const truth = kstrtobool(raw);
  if (truth === 'EINVAL') {
    throw new ParamError(
      'INVALID_VALUE',
      `${quoteValue(raw)} is not a boolean (expected y/n, 1/0, t/f, on/off)`,
      param,
    );
  }
  // param_set_invbool stores the inverse: the value is what the module's variable holds.
  return scalar === 'invbool' ? !truth : truth;
}

// Types whose ops carry KERNEL_PARAM_OPS_FL_NOARG: given without '=', they are set to true.
// invbool has no such flag, so `foo` alone is EINVAL for it (kernel/params.c: param_ops_invbool).
function acceptsNoValue(type: ParamType): boolean {
  return (
    type.kind === 'scalar' &&
    (type.scalar === 'bool' || type.scalar === 'bint' || type.scalar === 'bool_enable_only')
  );
}

/** kernel/params.c: param_array — comma-separated elements, each through the element's `set`. */
function setArray(
  element: ScalarTypeName,
  max: number,
  raw: string,
  param: string | undefined,
  longBits: LongBits | undefined,
): ScalarValue[] {
  const values: ScalarValue[] = [];
  let start = 0;
  for (;;) {
    if (values.length === max) {
      throw new ParamError('TOO_MANY_ELEMENTS', `can only take ${max} arguments`, param);
    }
    const comma = raw.indexOf(',', start);
    const stop = comma < 0 ? raw.length : comma;
    values.push(setScalar(element, raw.slice(start, stop), param, longBits));
    if (comma < 0) return values;
    start = comma + 1;
  }
}

/**
 * Parse a raw value as the kernel's `param_ops` for `type` would (`raw === null`: given without `=`).
 * The value is read as a C string (up to its first NUL) and lengths are UTF-8 byte lengths.
 *
 * Returns numbers for byte/short/ushort/int/uint/hexint, bigint for long/ulong/ullong, booleans for
 * bool/bint/bool_enable_only and invbool (invbool gives the stored, inverted value: `parseValue('invbool', 'y') === false`),
 * strings for charp and string:N, and arrays of those for array:T:N.
 *
 * @param param the parameter's name, used in error messages
 * @param options `longBits: 32` for a 32-bit module (its `long`/`ulong` are 32 bits wide)
 * @throws ParamError with the kernel's `errno` (EINVAL, ERANGE, ENOSPC) where the kernel would fail
 */
export function parseValue(
  type: string,
  raw: string | null,
  param?: string,
  options: ValueOptions = {},
): ParamValue {
  const parsed = parseParamType(type);
  if (raw !== null) expectString(raw, 'a raw value');
  if (raw === null) {
    // kernel/params.c: parse_one — "No one handled NULL, so do it here."
    if (acceptsNoValue(parsed)) return true;
    throw new ParamError(
      'MISSING_VALUE',
      `${label(param)} of type ${type} needs a value (name=value)`,
      param,
    );
  }
  const value = cString(raw);
  switch (parsed.kind) {
    case 'scalar':
      return setScalar(parsed.scalar, value, param, options.longBits);
    case 'string':
      // kernel/params.c: param_set_copystring — the buffer keeps a NUL, so size - 1 bytes fit.
      if (utf8Length(value) >= parsed.size) {
        throw new ParamError(
          'TOO_LONG',
          `string doesn't fit in ${Math.max(parsed.size - 1, 0)} chars (${utf8Length(value)} bytes given)`,
          param,
        );
      }
      return value;
    case 'array':
      return setArray(parsed.element, parsed.max, value, param, options.longBits);
  }
}

function badValue(type: string, value: unknown): ParamError {
  const shown = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return new ParamError('BAD_VALUE', `${shown} is not a value of type ${type}`);
}

/** The `param_get_*` of one scalar type. */
function getScalar(scalar: ScalarTypeName, value: unknown, longBits: LongBits | undefined): string {
  const layout = integerLayout(scalar, longBits);
  if (layout) {
    let n: bigint;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else throw badValue(scalar, value);
    const fits = (layout.signed ? BigInt.asIntN(layout.bits, n) : BigInt.asUintN(layout.bits, n)) === n;
    if (!fits) throw badValue(scalar, value);
    // hexint is "%#08x": the kernel's vsprintf counts "0x" in the width and prints it even for 0.
    return scalar === 'hexint' ? `0x${n.toString(16).padStart(6, '0')}` : n.toString();
  }
  if (scalar === 'charp') {
    // An unset charp is a NULL pointer, which the kernel's "%s" prints as "(null)".
    if (value === null) return '(null)';
    if (typeof value !== 'string') throw badValue(scalar, value);
    return cString(value);
  }
  if (typeof value !== 'boolean') throw badValue(scalar, value);
  // param_get_bool prints Y/N; param_get_invbool prints the inverse of the stored value; bint is an int.
  if (scalar === 'bool' || scalar === 'bool_enable_only') return value ? 'Y' : 'N';
  if (scalar === 'invbool') return value ? 'N' : 'Y';
  return value ? '1' : '0';
}

/**
 * Print a value as the kernel's `param_get_*` shows it in `/sys/module/<m>/parameters/<p>`, without the
 * trailing newline every `param_get_*` adds (the sysfs file holds `formatValue(...) + '\n'`).
 * Arrays print their elements joined by ',' (kernel/params.c: param_array_get).
 *
 * @throws ParamError `BAD_VALUE` for a value the type cannot hold (at `options.longBits` for long/ulong)
 */
export function formatValue(type: string, value: unknown, options: ValueOptions = {}): string {
  const parsed = parseParamType(type);
  switch (parsed.kind) {
    case 'scalar':
      return getScalar(parsed.scalar, value, options.longBits);
    case 'string':
      if (typeof value !== 'string' || utf8Length(cString(value)) >= parsed.size) throw badValue(type, value);
      return cString(value);
    case 'array': {
      if (!Array.isArray(value) || value.length > parsed.max) throw badValue(type, value);
      let out = '';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out += ',';
        out += getScalar(parsed.element, value[i], options.longBits);
      }
      return out;
    }
  }
}
