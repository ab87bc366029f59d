import { SymbolBind, SymbolType } from './constants.js';
import type { ElfFile } from './elf-file.js';
import type { SymbolVersion } from './versions.js';

/** A symbol the module needs from the kernel or another module (an undefined symbol). */
export interface ImportedSymbol {
  readonly name: string;
  /** STB_WEAK: the module loads without it. */
  readonly weak: boolean;
  /** The CRC from `__versions`, when the module has one for this symbol. */
  readonly crc: bigint | undefined;
}

/** STT_SPARC_REGISTER: sparc's "undefined" global registers are not imports (kmod libkmod-elf.c). */
const STT_SPARC_REGISTER = 13;

/**
 * Every named undefined symbol of the symbol table, in table order, with its `__versions` CRC:
 * kmod's kmod_elf_get_dependency_symbols, which depmod turns into modules.dep.
 */
export function readImports(elf: ElfFile, versions: readonly SymbolVersion[]): ImportedSymbol[] {
  const symtab = elf.symbols;
  if (!symtab) return [];
  const crcs = new Map<string, bigint>();
  for (const v of versions) if (!crcs.has(v.name)) crcs.set(v.name, v.crc);
  const sparc = elf.machineName.startsWith('EM_SPARC');
  const out: ImportedSymbol[] = [];
  for (let i = 1; i < symtab.count; i++) {
    if (symtab.sectionIndexOf(i) !== 0) continue;
    const info = symtab.infoOf(i);
    const type = info & 0xf;
    if (type === SymbolType.STT_SECTION || (sparc && type === STT_SPARC_REGISTER)) continue;
    const name = symtab.nameOf(i);
    if (name === '') continue;
    out.push({ name, weak: info >> 4 === SymbolBind.STB_WEAK, crc: crcs.get(name) });
  }
  return out;
}
