// @kmodkit/params — the Linux kernel's module-parameter grammar (Linux 6.1), browser-safe, no dependencies.
export {
  builtinModuleArgs,
  type CmdlineModuleOption,
  type CmdlineModuleOptions,
  cmdlineModuleOptions,
} from './cmdline.js';
export { type ParamErrno, ParamError, type ParamErrorCode } from './errors.js';
export { formatArgs } from './format.js';
export {
  type ModprobeOptionsLine,
  type ModprobeParams,
  type ModprobeSources,
  modprobeParams,
  parseModprobeOptions,
} from './modprobe.js';
export { type Arg, type ParsedArgs, paramEqual, parseArgs } from './tokenizer.js';
export { type LongBits, type ParamType, parseParamType, SCALAR_TYPES, type ScalarTypeName } from './types.js';
export {
  type ArgIssue,
  type DeclaredParam,
  KERNEL_PARAM_FL_HWPARAM,
  KERNEL_PARAM_FL_UNSAFE,
  type ValidateArgsOptions,
  type Validation,
  validateArgs,
} from './validate.js';
export { formatValue, type ParamValue, parseValue, type ScalarValue, type ValueOptions } from './values.js';
