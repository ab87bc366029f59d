import { ElfError } from './error.js';

/**
 * Byte offsets of the `Elf32_Ehdr`/`Elf64_Ehdr` fields (include/uapi/linux/elf.h): the three
 * address-sized fields after e_version (e_entry, e_phoff, e_shoff) shift everything after them.
 */
export interface EhdrLayout {
  readonly size: number;
  readonly e_type: number;
  readonly e_machine: number;
  readonly e_version: number;
  readonly e_entry: number;
  readonly e_phoff: number;
  readonly e_shoff: number;
  readonly e_flags: number;
  readonly e_ehsize: number;
  readonly e_phentsize: number;
  readonly e_phnum: number;
  readonly e_shentsize: number;
  readonly e_shnum: number;
  readonly e_shstrndx: number;
}

/** Byte offsets of the `Elf32_Shdr`/`Elf64_Shdr` fields within one section header. */
export interface ShdrLayout {
  readonly size: number;
  readonly sh_name: number;
  readonly sh_type: number;
  readonly sh_flags: number;
  readonly sh_addr: number;
  readonly sh_offset: number;
  readonly sh_size: number;
  readonly sh_link: number;
  readonly sh_info: number;
  readonly sh_addralign: number;
  readonly sh_entsize: number;
}

/** The on-disk layout of one ELF class: its word size and where each header field sits. */
export interface ClassLayout {
  /** sizeof(Elf_Addr) = sizeof(void *) on the target. */
  readonly word: 4 | 8;
  readonly ehdr: EhdrLayout;
  readonly shdr: ShdrLayout;
}

// The one place these numbers are written: header.ts, section.ts, elf-file.ts and validate.ts read them here.
export const ELF32_LAYOUT: ClassLayout = {
  word: 4,
  ehdr: {
    size: 52,
    e_type: 16,
    e_machine: 18,
    e_version: 20,
    e_entry: 24,
    e_phoff: 28,
    e_shoff: 32,
    e_flags: 36,
    e_ehsize: 40,
    e_phentsize: 42,
    e_phnum: 44,
    e_shentsize: 46,
    e_shnum: 48,
    e_shstrndx: 50,
  },
  shdr: {
    size: 40,
    sh_name: 0,
    sh_type: 4,
    sh_flags: 8,
    sh_addr: 12,
    sh_offset: 16,
    sh_size: 20,
    sh_link: 24,
    sh_info: 28,
    sh_addralign: 32,
    sh_entsize: 36,
  },
};

export const ELF64_LAYOUT: ClassLayout = {
  word: 8,
  ehdr: {
    size: 64,
    e_type: 16,
    e_machine: 18,
    e_version: 20,
    e_entry: 24,
    e_phoff: 32,
    e_shoff: 40,
    e_flags: 48,
    e_ehsize: 52,
    e_phentsize: 54,
    e_phnum: 56,
    e_shentsize: 58,
    e_shnum: 60,
    e_shstrndx: 62,
  },
  shdr: {
    size: 64,
    sh_name: 0,
    sh_type: 4,
    sh_flags: 8,
    sh_addr: 16,
    sh_offset: 24,
    sh_size: 32,
    sh_link: 40,
    sh_info: 44,
    sh_addralign: 48,
    sh_entsize: 56,
  },
};

/** The layout of class ELF64 (`is64`) or ELF32. */
export function layoutOf(is64: boolean): ClassLayout {
  return is64 ? ELF64_LAYOUT : ELF32_LAYOUT;
}

/**
 * The one e_shentsize rule, the kernel's and kmod's: it must be exactly sizeof(Elf_Shdr)
 * (kernel/module/main.c elf_validity_check; libkmod-elf.c kmod_elf_new). BAD_SHENTSIZE otherwise.
 */
export function shentsizeProblem(shentsize: number, layout: ClassLayout): ElfError | undefined {
  if (shentsize === layout.shdr.size) return undefined;
  const bits = layout.word * 8;
  return new ElfError(
    'BAD_SHENTSIZE',
    `e_shentsize is ${shentsize}, not sizeof(Elf${bits}_Shdr) = ${layout.shdr.size}`,
    { offset: layout.ehdr.e_shentsize },
  );
}
