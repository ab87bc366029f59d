export { LoaderError } from './error.js';
export {
  aliasNormalize,
  fnmatch,
  ModuleDirectory,
  type ModuleLocation,
  modnameNormalize,
  pathToModname,
} from './module-directory.js';
export {
  type OpenedModule,
  type OpenFailure,
  type OpenOptions,
  openModuleBytes,
  openModuleFile,
} from './module-file.js';
export { type CompressedKind, fastDecoder, loadDecompressors } from './node-decompress.js';
export {
  type ChunkTask,
  type Helper,
  type RunChunksOptions,
  runChunks,
  startWorker,
  stopWork,
} from './parallel.js';
export { type LoadedModule, type ModuleState, parseProcModules, readProcModules } from './proc-modules.js';
