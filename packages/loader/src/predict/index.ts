// @kmodkit/loader/predict — will a module load, and if not, why: Linux 6.1's load_module rules over a
// plain description of the target kernel. Browser-safe: no Node imports.
export { parseKallsyms, parseKallsyms as parseSystemMap } from './kallsyms.js';
export { moduleNameOfPath, parseModuleSymvers } from './module-symvers.js';
export { type ParamsPrediction, predictParams } from './params-check.js';
export {
  MODULE_INIT_COMPRESSED_FILE,
  MODULE_INIT_IGNORE_MODVERSIONS,
  MODULE_INIT_IGNORE_VERMAGIC,
  type PredictOptions,
  predictLoad,
} from './predict-load.js';
export type { Finding, Prediction } from './prediction.js';
export type { KernelSymbol, LoadTarget, Lockdown } from './target.js';
export { parseVermagic, sameMagic, type Vermagic } from './vermagic.js';
