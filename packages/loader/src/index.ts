export { AtomicWriteError, type AtomicWriteStage, writeFileAtomic } from './depmod/atomic-write.js';
export {
  DEFAULT_CONFIG_PATHS,
  type DepmodConfig,
  loadDepmodConfig,
  type SearchEntry,
} from './depmod/config.js';
export {
  analyseModules,
  type CompressionKind,
  type DepmodOptions,
  type DepmodOutput,
  depmodOutputs,
  isDepmodUpToDate,
  moduleDirectoryOf,
  type OutputOptions,
  writeDepmodOutputs,
} from './depmod/depmod.js';
export type { DepmodTree, TreeModule } from './depmod/depmod-tree.js';
export { IndexTrie } from './depmod/index-trie.js';
export type { DepmodLog, DepmodLogLevel } from './depmod/log.js';
export { readDepmodChunk } from './depmod/module-reader.js';
export type { ModuleDecoder } from './depmod/module-symbols.js';
export type { SymbolOwner } from './depmod/symbol-table.js';
export { LoaderError } from './error.js';
export { byteString, fnmatch } from './fnmatch.js';
export { IndexFile, type IndexValue, type ModuleIndex, memoryIndex } from './index-file.js';
export {
  type InsertOptions,
  type InsertResult,
  insertModule,
  type LoadModulesOptions,
  type LoadModulesResult,
  loadModules,
  type ModuleToLoad,
  type RemoveOptions,
  removeModule,
} from './load.js';
export {
  checkModule,
  type ModuleCheck,
  type ReadLoadTargetOptions,
  type ReadTarget,
  readLoadTarget,
} from './load-target.js';
export {
  type ConfigAlias,
  type ConfigEntry,
  type ConfigSoftdep,
  MODPROBE_CONFIG_PATHS,
  type ModprobeConfig,
  type ReadConfigOptions,
  readModprobeConfig,
} from './modprobe/config.js';
export {
  ModprobeContext,
  type ModprobeContextOptions,
  type ModprobeInitState,
  ModprobeModule,
} from './modprobe/context.js';
export {
  LOG_EMERG,
  LOG_WARNING,
  Modprobe,
  ModprobeFatal,
  type ModprobeIo,
  type ModprobeSettings,
  optionsFromArray,
} from './modprobe/modprobe.js';
export { formatSymbolCrcs } from './modprobe/module-symbols.js';
export { formatConfig, formatIndexes } from './modprobe/show-config.js';
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
export { type CompressedKind, fastDecoder, loadDecompressors } from './node-decompress.js';
export {
  type ChunkTask,
  type Helper,
  type RunChunksOptions,
  runChunks,
  startWorker,
  stopWork,
} from './parallel.js';
export type { Finding, KernelSymbol, LoadTarget, Prediction, PredictOptions } from './predict/index.js';
export { type LoadedModule, type ModuleState, parseProcModules, readProcModules } from './proc-modules.js';
export {
  DELETE_MODULE_FLAGS,
  type DeleteModuleFlags,
  MODULE_INIT_COMPRESSED_FILE,
  MODULE_INIT_IGNORE_MODVERSIONS,
  MODULE_INIT_IGNORE_VERMAGIC,
  MODULE_SYSCALL_NUMBERS,
  type ModuleSyscallName,
  resolveSyscallArch,
  SYSCALL_ARCHES,
  type SyscallArch,
  type SyscallNumbers,
} from './syscall-numbers.js';
export {
  createModule,
  deleteModule,
  deleteModuleFlags,
  finitModule,
  getKernelSyms,
  hostSyscallArch,
  initModule,
  oldInitModule,
  queryModule,
} from './syscalls.js';
export {
  type InitState,
  listSysModules,
  readCoresize,
  readHolders,
  readInitState,
  readModuleSize,
  readParameters,
  readRefcnt,
  readSysModule,
  type SysModule,
  type SysParameter,
} from './sysfs.js';
export type { RootOptions } from './system-files.js';
export {
  type Cmdline,
  type KernelCompression,
  readCmdline,
  readKernelCompression,
  readModulesDisabled,
  readSigEnforce,
  readSystemState,
  readTainted,
  type SystemState,
} from './system-state.js';
export { decodeTaint, moduleTaintFlags, TAINT_FLAGS, type Taint, type TaintFlag } from './taint.js';
