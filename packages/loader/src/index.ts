export { LoaderError } from './error.js';
export { byteString, fnmatch } from './fnmatch.js';
export { IndexFile, type IndexValue, type ModuleIndex, memoryIndex } from './index-file.js';
export {
  aliasNormalize,
  type DeviceName,
  type ModuleDependencies,
  ModuleDirectory,
  type ModuleLocation,
  modnameNormalize,
  pathToModname,
  type SoftDependencies,
} from './module-directory.js';
export {
  type OpenedModule,
  type OpenFailure,
  type OpenOptions,
  openModule,
  openModuleBytes,
  openModuleFile,
  openModules,
} from './module-file.js';
export { type CompressedKind, loadDecompressors } from './node-decompress.js';
export {
  type ChunkTask,
  type Helper,
  type RunChunksOptions,
  runChunks,
  startWorker,
  stopWork,
} from './parallel.js';
export { type LoadedModule, type ModuleState, parseProcModules, readProcModules } from './proc-modules.js';
