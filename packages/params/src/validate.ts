import { expectArgList, type ParamErrno, ParamError } from './errors.js';
import { type Arg, paramEqual, parseArgs } from './tokenizer.js';
import { parseParamType } from './types.js';
import { type ParamValue, parseValue, type ValueOptions } from './values.js';

/**
 * A parameter a module declares (its `struct kernel_param` in `__param`). @kmodkit/elf's `ModuleParam`
 * fits as is: `type` 'string' with `maxLength`, or 'array' with `elementType` and `maxLength`. A `type`
 * spelled as for `parseValue` (`int`, `string:N`, `array:T:N` …) works too.
 */
export interface DeclaredParam {
  readonly name: string;
  readonly type: string;
  /** For `type: 'array'`: the element type. */
  readonly elementType?: string;
  /** For `type: 'string'`: the buffer size in bytes (kparam_string.maxlen); for 'array': the element count. */
  readonly maxLength?: number;
  /** `struct kernel_param.flags`: KERNEL_PARAM_FL_UNSAFE (1) taints when set, KERNEL_PARAM_FL_HWPARAM (2). */
  readonly flags?: number;
  /**
   * The variable's value before the arguments are applied (its default). Only `bool_enable_only` depends
   * on it: a default of true cannot be cleared.
   */
  readonly initial?: ParamValue;
}

/** include/linux/moduleparam.h: struct kernel_param.flags */
export const KERNEL_PARAM_FL_UNSAFE = 1;
export const KERNEL_PARAM_FL_HWPARAM = 2;

export interface ValidateArgsOptions extends ValueOptions {
  /**
   * The kernel is locked down against module parameters (LOCKDOWN_MODULE_PARAMETERS, lockdown=integrity
   * or confidentiality): setting a hardware parameter fails with EPERM.
   */
  readonly lockdown?: boolean;
}

/** Something `validateArgs` noticed about one argument. */
export interface ArgIssue {
  /**
   * `unknown`: no such parameter — the kernel warns "unknown parameter 'x' ignored" and still loads.
   * `invalid`: the value is refused — init_module fails with `errno`.
   * `repeated`: the parameter was given before; this later value replaces it.
   * `unchecked`: the parameter has ops this package does not know (module_param_cb with the module's own
   *   `set`), so only the module can judge the value.
   * `unsafe`: the parameter is flagged unsafe — "Setting dangerous option x - tainting kernel" (TAINT_USER).
   */
  kind: 'unknown' | 'invalid' | 'repeated' | 'unchecked' | 'unsafe';
  /** Position of the argument in the list. */
  index: number;
  name: string;
  value: string | null;
  /** For `invalid`: the kernel's errno name. */
  errno?: ParamErrno;
  message: string;
}

/** The outcome of loading a module with these arguments, as far as parameters decide it. */
export interface Validation {
  /** Whether the kernel accepts every argument (unknown ones only warn). */
  ok: boolean;
  /** What init_module fails with: parse_args returns the error of the *last* failing argument. */
  errno: ParamErrno | null;
  /** Typed values by declared name; a repeated parameter holds its last accepted value. */
  values: Map<string, ParamValue>;
  issues: ArgIssue[];
  /** What follows a bare `--` when a string was given: the kernel ignores it with a warning. */
  rest: string | null;
}

// Arguments the module loader handles itself instead of calling them unknown (kernel/module/main.c:
// unknown_module_param_cb, lib/dynamic_debug.c: ddebug_dyndbg_module_param_cb).
function handledByLoader(name: string): boolean {
  return name === 'async_probe' || name === 'dyndbg' || name.endsWith('.dyndbg');
}

/** The `parseValue` spelling of a declared type, or null if it is not one of the kernel's standard ops. */
function typeOf(param: DeclaredParam): string | null {
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
export function validateArgs(
  args: readonly Arg[] | string,
  declared: readonly DeclaredParam[],
  options: ValidateArgsOptions = {},
): Validation {
  let list: readonly Arg[];
  let rest: string | null = null;
  if (typeof args === 'string') {
    const parsed = parseArgs(args);
    list = parsed.args;
    rest = parsed.rest;
  } else {
    expectArgList(args);
    list = args;
  }
  if (
    !Array.isArray(declared) ||
    declared.some((d) => typeof d?.name !== 'string' || typeof d?.type !== 'string')
  ) {
    throw new ParamError(
      'BAD_VALUE',
      'declared parameters must be an array of { name: string, type: string }',
    );
  }
  const values = new Map<string, ParamValue>();
  const seen = new Map<string, number>();
  const issues: ArgIssue[] = [];
  let errno: ParamErrno | null = null;
  for (let index = 0; index < list.length; index++) {
    const { name, value } = list[index]!;
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
    try {
      // kernel/params.c parse_one: a missing value is refused before param_check_unsafe looks at flags.
      if (value === null && type !== null) parseValue(type, null, param.name, options);
      const flags = param.flags ?? 0;
      if (flags & KERNEL_PARAM_FL_HWPARAM && options.lockdown) {
        throw new ParamError('LOCKED_DOWN', 'is a hardware parameter, refused under lockdown', param.name);
      }
      if (flags & KERNEL_PARAM_FL_UNSAFE) {
        const message = `Setting dangerous option ${param.name} - tainting kernel`;
        issues.push({ kind: 'unsafe', index, name, value, message });
      }
      if (type === null) {
        const message = `'${param.name}' has ops of type '${param.type}'; only the module can check its value`;
        issues.push({ kind: 'unchecked', index, name, value, message });
        continue;
      }
      const parsed = parseValue(type, value, param.name, options);
      // param_set_bool_enable_only refuses to clear a flag that is set (by its default or earlier).
      const current = values.has(param.name) ? values.get(param.name) : param.initial;
      if (type === 'bool_enable_only' && parsed === false && current === true) {
        throw new ParamError(
          'ALREADY_ENABLED',
          'is set and cannot be cleared (bool_enable_only)',
          param.name,
        );
      }
      values.set(param.name, parsed);
    } catch (error) {
      if (!(error instanceof ParamError)) throw error;
      errno = error.errno;
      issues.push({ kind: 'invalid', index, name, value, errno: error.errno, message: error.message });
    }
  }
  return { ok: errno === null, errno, values, issues, rest };
}
