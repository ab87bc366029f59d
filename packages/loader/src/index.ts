export { LoaderError } from './error.js';
export {
  checkModule,
  type ModuleCheck,
  type ReadLoadTargetOptions,
  type ReadTarget,
  readLoadTarget,
} from './load-target.js';
export type { Finding, KernelSymbol, LoadTarget, Prediction, PredictOptions } from './predict/index.js';
export { type LoadedModule, type ModuleState, parseProcModules, readProcModules } from './proc-modules.js';
