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
];
/** Integer types: the kstrto* function each `param_set_*` calls (STANDARD_PARAM_DEF), as sign and width. */
export const INTEGER_LAYOUT = {
  byte: { signed: false, bits: 8 }, // unsigned char, kstrtou8
  short: { signed: true, bits: 16 }, // kstrtos16
  ushort: { signed: false, bits: 16 }, // kstrtou16
  int: { signed: true, bits: 32 }, // kstrtoint
  uint: { signed: false, bits: 32 }, // kstrtouint
  long: { signed: true, bits: 64 }, // kstrtol, LP64
  ulong: { signed: false, bits: 64 }, // kstrtoul, LP64
  ullong: { signed: false, bits: 64 }, // kstrtoull
  hexint: { signed: false, bits: 32 }, // kstrtouint, printed "%#08x"
};
const SCALAR_SET = new Set(SCALAR_TYPES);
const cache = new Map();
function isScalar(name) {
  return SCALAR_SET.has(name);
}
function parseSize(text) {
  if (text === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffff_ffff ? n : null;
}
/**
 * Decode a type spelling: one of the scalar names, `string:N` (a `module_param_string` buffer of N bytes)
 * or `array:T:N` (`module_param_array` of T, at most N elements).
 * @throws ParamError `UNKNOWN_TYPE`
 */
export function parseParamType(type) {
  const known = cache.get(type);
  if (known) return known;
  let parsed = null;
  const parts = type.split(':');
  if (parts.length === 1 && isScalar(type)) parsed = { kind: 'scalar', scalar: type };
  else if (parts.length === 2 && parts[0] === 'string') {
    const size = parseSize(parts[1]);
    if (size !== null) parsed = { kind: 'string', size };
  } else if (parts.length === 3 && parts[0] === 'array' && isScalar(parts[1])) {
    const max = parseSize(parts[2]);
    if (max !== null) parsed = { kind: 'array', element: parts[1], max };
  }
  if (parsed === null) {
    throw new ParamError(
      'UNKNOWN_TYPE',
      `unknown parameter type '${type}' (expected ${SCALAR_TYPES.join(', ')}, string:N or array:T:N)`,
    );
  }
  if (cache.size < 1024) cache.set(type, parsed);
  return parsed;
}
//# sourceMappingURL=types.js.map
