// The public surface of @kmodkit/elf: the module reader first, then the ELF layer under it and the
// format's vocabulary. Everything else in src/ is internal.

export {
  ElfClass,
  ElfData,
  ElfType,
  elfTypeName,
  Machine,
  machineName,
  type RelocationKind,
  relocationKind,
  relocationTypeName,
  SectionFlag,
  SectionIndex,
  SectionType,
  SymbolBind,
  SymbolType,
  SymbolVisibility,
  sectionFlagNames,
  sectionIndexName,
  sectionTypeName,
  symbolBindName,
  symbolTypeName,
  symbolVisibilityName,
} from './constants.js';
export {
  type DecompressOptions,
  decompress,
  detectCompression,
  MAX_DECOMPRESSED_SIZE,
} from './decompress.js';
export type { ElfFile, RelocationTarget } from './elf-file.js';
export {
  type ElfByteErrorCode,
  type ElfErrno,
  ElfError,
  type ElfErrorCode,
  type ElfErrorOptions,
  type ElfPlainErrorCode,
  isElfError,
} from './error.js';
export type { ExportedSymbol } from './exports.js';
export type { ElfHeader } from './header.js';
export type { ImportedSymbol } from './imports.js';
export { type KmodInfoEntry, type KmodSignatureFields, kmodHex, kmodInfoList } from './kmod-info.js';
export {
  type KmodOpened,
  type KmodOpenFailure,
  type KmodOpenOptions,
  kmodCheck,
  kmodOpen,
} from './kmod-open.js';
export type { ModinfoEntry, SoftDeps } from './modinfo.js';
export type { Compression, KernelModule, ReadModuleOptions } from './module.js';
export type { ModuleParam } from './params.js';
export { isCompressed, readModule } from './read-module.js';
export type { Relocation } from './relocation.js';
export type { Section } from './section.js';
export {
  createSignatureCache,
  MODULE_SIG_STRING,
  type ModuleSignature,
  type ReadSignatureOptions,
  readSignature,
  type SignatureCache,
} from './signature.js';
export type { ElfSymbol, SymbolTable } from './symbol.js';
export type { ThisModule } from './this-module.js';
export type { ValidateOptions } from './validate.js';
export type { SymbolVersion } from './versions.js';
export {
  type ZstdBlock,
  type ZstdFrame,
  type ZstdSkippableFrame,
  zstdFrames,
} from './zstd-frames.js';
