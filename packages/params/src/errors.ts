/**
 * What went wrong, as a stable machine-readable code. Each maps to the errno the kernel returns for it
 * (see `ParamError.errno`); the codes that have no kernel counterpart describe misuse of this library.
 */
export type ParamErrorCode =
  /** The parameter needs a value but was given without `=` (kernel/params.c: parse_one). */
  | 'MISSING_VALUE'
  /** The value is not accepted by the type's `param_set_*` (kstrto*, kstrtobool). */
  | 'INVALID_VALUE'
  /** The number does not fit the type (kstrto* overflow). */
  | 'OUT_OF_RANGE'
  /** The string is longer than the parameter's buffer (param_set_charp, param_set_copystring). */
  | 'TOO_LONG'
  /** More comma-separated elements than the array holds (kernel/params.c: param_array). */
  | 'TOO_MANY_ELEMENTS'
  /** A bool_enable_only parameter set earlier cannot be cleared (kernel/params.c: param_set_bool_enable_only). */
  | 'ALREADY_ENABLED'
  /** A hardware parameter (KERNEL_PARAM_FL_HWPARAM) under lockdown (kernel/params.c: param_check_unsafe). */
  | 'LOCKED_DOWN'
  /** `type` is not one of the kernel's standard parameter types. */
  | 'UNKNOWN_TYPE'
  /** A JavaScript value of the wrong shape was given to `formatValue`. */
  | 'BAD_VALUE'
  /** `formatArgs` was given an argument the grammar cannot express. */
  | 'NOT_EXPRESSIBLE';

/** Kernel errno names this package reports. */
export type ParamErrno = 'EINVAL' | 'ERANGE' | 'ENOSPC' | 'EROFS' | 'EPERM';

const ERRNO_OF: Record<ParamErrorCode, ParamErrno> = {
  MISSING_VALUE: 'EINVAL',
  INVALID_VALUE: 'EINVAL',
  OUT_OF_RANGE: 'ERANGE',
  TOO_LONG: 'ENOSPC',
  TOO_MANY_ELEMENTS: 'EINVAL',
  ALREADY_ENABLED: 'EROFS',
  LOCKED_DOWN: 'EPERM',
  UNKNOWN_TYPE: 'EINVAL',
  BAD_VALUE: 'EINVAL',
  NOT_EXPRESSIBLE: 'EINVAL',
};

/** The one error class of @kmodkit/params. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
  /** Stable code of what went wrong. */
  readonly code: ParamErrorCode;
  /** The kernel's errno name for this failure, e.g. `'EINVAL'`: what `init_module` would fail with. */
  readonly errno: ParamErrno;
  /** The parameter concerned, when known. */
  readonly param: string | undefined;

  constructor(code: ParamErrorCode, message: string, param?: string) {
    super(param === undefined ? message : `${param}: ${message}`);
    this.code = code;
    this.errno = ERRNO_OF[code];
    this.param = param;
  }
}

// JavaScript callers can pass anything; they get a ParamError, never a TypeError from deep inside.

/** Throw `BAD_VALUE` unless `value` is a string. */
export function expectString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string')
    throw new ParamError('BAD_VALUE', `${what} must be a string, not ${typeof value}`);
}

/** Throw `BAD_VALUE` unless `value` is an array of `{ name: string, value: string | null }`. */
export function expectArgList(
  value: unknown,
): asserts value is ReadonlyArray<{ name: string; value: string | null }> {
  if (!Array.isArray(value))
    throw new ParamError('BAD_VALUE', `arguments must be an array, not ${typeof value}`);
  for (const arg of value) {
    if (
      typeof arg !== 'object' ||
      arg === null ||
      typeof arg.name !== 'string' ||
      (arg.value !== null && typeof arg.value !== 'string')
    ) {
      throw new ParamError('BAD_VALUE', 'each argument must be { name: string, value: string | null }');
    }
  }
}
