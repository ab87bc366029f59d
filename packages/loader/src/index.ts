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
export { depmodWorkerKinds, serveDepmodModules } from './depmod/module-reader.js';
export type { ModuleDecoder } from './depmod/module-symbols.js';
export type { SymbolOwner } from './depmod/symbol-table.js';
export { LoaderError } from './error.js';
export { type LoadedModule, type ModuleState, parseProcModules, readProcModules } from './proc-modules.js';
