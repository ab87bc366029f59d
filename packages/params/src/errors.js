const ERRNO_OF = {
  MISSING_VALUE: 'EINVAL',
  INVALID_VALUE: 'EINVAL',
  OUT_OF_RANGE: 'ERANGE',
  TOO_LONG: 'ENOSPC',
  TOO_MANY_ELEMENTS: 'EINVAL',
  UNKNOWN_TYPE: 'EINVAL',
  BAD_VALUE: 'EINVAL',
  NOT_EXPRESSIBLE: 'EINVAL',
};
/** The one error class of @kmodkit/params. */
export class ParamError extends Error {
  name = 'ParamError';
  /** Stable code of what went wrong. */
  code;
  /** The kernel's errno name for this failure, e.g. `'EINVAL'`: what `init_module` would fail with. */
  errno;
  /** The parameter concerned, when known. */
  param;
  constructor(code, message, param) {
    super(param === undefined ? message : `${param}: ${message}`);
    this.code = code;
    this.errno = ERRNO_OF[code];
    this.param = param;
  }
}
//# sourceMappingURL=errors.js.map
