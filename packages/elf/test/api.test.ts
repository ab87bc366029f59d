import { expect, test } from 'vitest';

// Every exported type, by name: removing or renaming one fails the typecheck of this file.
export type {
  Compression,
  DecompressOptions,
  ElfErrorOptions,
  ElfFile,
  ElfHeader,
  ElfSymbol,
  ExportedSymbol,
  ImportedSymbol,
  KernelModule,
  ModinfoEntry,
  ModuleParam,
  ModuleSignature,
  ReadModuleOptions,
  ReadSignatureOptions,
  Relocation,
  RelocationKind,
  RelocationTarget,
  Section,
  SoftDeps,
  SymbolTable,
  SymbolVersion,
  ThisModule,
  ValidateOptions,
  ZstdBlock,
  ZstdFrame,
  ZstdSkippableFrame,
} from '../src/index.js';

import * as api from '../src/index.js';

/** The public API of @kmodkit/elf, pinned: a change to it must change this list (and get a changeset). */
test('the package entry exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ElfClass',
    'ElfData',
    'ElfError',
    'ElfType',
    'MAX_DECOMPRESSED_SIZE',
    'MODULE_SIG_STRING',
    'Machine',
    'SectionFlag',
    'SectionIndex',
    'SectionType',
    'SymbolBind',
    'SymbolType',
    'SymbolVisibility',
    'decompress',
    'detectCompression',
    'elfTypeName',
    'isCompressed',
    'isElfError',
    'machineName',
    'readModule',
    'readSignature',
    'relocationKind',
    'relocationTypeName',
    'sectionFlagNames',
    'sectionIndexName',
    'sectionTypeName',
    'symbolBindName',
    'symbolTypeName',
    'symbolVisibilityName',
    'zstdFrames',
  ]);
});
