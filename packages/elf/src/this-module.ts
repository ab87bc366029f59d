import { cString } from './byte-reader.js';
import type { ElfFile } from './elf-file.js';

/** What the module's `struct module` (`.gnu.linkonce.this_module`, written by modpost) says. */
export interface ThisModule {
  /** struct module.name as stored. */
  readonly name: string;
  /** `.init = init_module` is set (the module has module_init). */
  readonly hasInit: boolean;
  /** `.exit = cleanup_module` is set (the module has module_exit). */
  readonly hasExit: boolean;
  /** sh_size: sizeof(struct module) of the kernel the module was built for. */
  readonly size: number;
}

export const THIS_MODULE_SECTION = '.gnu.linkonce.this_module';

/**
 * Reads `.gnu.linkonce.this_module`. struct module starts with `enum module_state state;
 * struct list_head list; char name[MODULE_NAME_LEN - sizeof(unsigned long)]` (include/linux/module.h),
 * so the name is at 3 words (24 on 64-bit, 12 on 32-bit), 64 - word bytes long. The offsets of
 * `.init`/`.exit` depend on the kernel config, but modpost's `.mod.c` initialises them with
 * `init_module`/`cleanup_module`, so their relocations say whether each is set.
 */
export function readThisModule(elf: ElfFile): ThisModule | undefined {
  const sec = elf.section(THIS_MODULE_SECTION);
  if (!sec) return undefined;
  const name = nameIn(sec.data, elf.wordSize);
  let hasInit = false;
  let hasExit = false;
  const symtab = elf.symbols;
  if (symtab) {
    for (const rel of elf.relocationsFor(sec.index)) {
      const target = symtab.nameOf(rel.symbolIndex);
      if (target === 'init_module') hasInit = true;
      else if (target === 'cleanup_module') hasExit = true;
    }
  }
  return { name, hasInit, hasExit, size: sec.size };
}

/** Only `struct module`'s name (no relocations read); undefined without the section. */
export function thisModuleName(elf: ElfFile): string | undefined {
  const sec = elf.section(THIS_MODULE_SECTION);
  return sec && nameIn(sec.data, elf.wordSize);
}

function nameIn(data: Uint8Array, wordSize: number): string {
  const nameAt = 3 * wordSize;
  return nameAt < data.length
    ? cString(data.subarray(nameAt, Math.min(data.length, nameAt + 64 - wordSize)), 0)
    : '';
}
