// @kmodkit/params — the Linux kernel's module-parameter grammar (Linux 6.1), browser-safe, no dependencies.
export { builtinModuleArgs, cmdlineModuleOptions } from './cmdline.js';
export { ParamError } from './errors.js';
export { formatArgs } from './format.js';
export { modprobeParams, parseModprobeOptions } from './modprobe.js';
export { paramEqual, parseArgs } from './tokenizer.js';
export { parseParamType, SCALAR_TYPES } from './types.js';
export { validateArgs } from './validate.js';
export { formatValue, parseValue } from './values.js';
//# sourceMappingURL=index.js.map
