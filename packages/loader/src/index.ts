export { LoaderError } from './error.js';
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
