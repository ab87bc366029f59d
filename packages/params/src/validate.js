import { ParamError } from './errors.js';
import { paramEqual, parseArgs } from './tokenizer.js';
import { parseParamType } from './types.js';
import { parseValue } from './values.js';

// Arguments the module loader handles itself instead of calling them unknown (kernel/module/main.c:
// unknown_module_param_cb, lib/dynamic_debug.c: ddebug_dyndbg_module_param_cb).
function handledByLoader(name) {
  return name === 'async_probe' || name === 'dyndbg' || name.endsWith('.dyndbg');
}
/** The `parseValue` spelling of a declared type, or null if it is not one of the kernel's standard ops. */
function typeOf(param) {
  let type = param.type;
  if (type === 'string' && param.maxLength !== undefined) type = `string:${param.maxLength}`;
  else if (type === 'array' && param.elementType !== undefined && param.maxLength !== undefined) {
    type = `array:${param.elementType}:${param.maxLength}`;
  }
  try {
    parseParamType(type);
    return type;
  } catch {
    return null;
  }
}
/**
 * Check arguments against a module's declared parameters the way load_module's parse_args does: in
 * order, each argument sets the first declared parameter whose name matches (`-` equals `_`), and a
 * failing one does not stop the others.
 *
 * @example validateArgs('debug=1 name=x', [{ name: 'debug', type: 'bool' }]).issues[0].kind // 'unknown'
 */
export function validateArgs(args, declared) {
  let list;
  let rest = null;
  if (typeof args === 'string') {
    const parsed = parseArgs(args);
    list = parsed.args;
    rest = parsed.rest;
  } else list = args;
  const values = new Map();
  const seen = new Map();
  const issues = [];
  let errno = null;
  for (let index = 0; index < list.length; index++) {
    const { name, value } = list[index];
    const param = declared.find((d) => paramEqual(name, d.name));
    if (param === undefined) {
      if (!handledByLoader(name)) {
        issues.push({ kind: 'unknown', index, name, value, message: `unknown parameter '${name}' ignored` });
      }
      continue;
    }
    const before = seen.get(param.name);
    if (before !== undefined) {
      issues.push({
        kind: 'repeated',
        index,
        name,
        value,
        message: `'${param.name}' was already given (argument ${before}); this later value replaces it`,
      });
    }
    seen.set(param.name, index);
    const type = typeOf(param);
    if (type === null) {
      const message = `'${param.name}' has ops of type '${param.type}'; only the module can check its value`;
      issues.push({ kind: 'unchecked', index, name, value, message });
      continue;
    }
    try {
      values.set(param.name, parseValue(type, value, param.name));
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      errno = error.errno;
      issues.push({ kind: 'invalid', index, name, value, errno: error.errno, message: error.message });
    }
  }
  return { ok: errno === null, errno, values, issues, rest };
}
//# sourceMappingURL=validate.js.map
