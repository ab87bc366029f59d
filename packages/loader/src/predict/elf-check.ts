import type { ElfError, KernelModule } from '@kmodkit/elf';

/** ElfError codes of elf_validity_check and setup_load_info, with what the kernel logs for each. */
const KERNEL_MESSAGES: Record<string, (m: KernelModule, name: () => string) => string> = {
  NOT_RELOCATABLE: (m) => `Invalid ELF header type: ${m.header.type} != 1`,
  WRONG_MACHINE: (m) => `Invalid architecture in ELF header: ${m.machine}`,
  BAD_SHENTSIZE: () => 'Invalid ELF section header size',
  SECTION_HEADERS_OUT_OF_BOUNDS: () => 'Invalid ELF section header overflow',
  BAD_SHSTRNDX: (m) =>
    `Invalid ELF section name index: ${m.header.shstrndx} || e_shstrndx (${m.header.shstrndx}) >= e_shnum (${m.header.shnum})`,
  EMPTY_SHSTRTAB: () => 'empty section name table',
  SHSTRTAB_NOT_TERMINATED: () => "ELF Spec violation: section name table isn't null terminated",
  NO_SYMBOL_TABLE: (_m, name) => `${name()}: module has no symbols (stripped?)`,
  NO_THIS_MODULE: (_m, name) => `${name()}: No module found in object`,
};

/** The codes of `validate()` that are elf_validity_check's and setup_load_info's refusals. */
const ELF_CHECKS = new Set([
  ...Object.keys(KERNEL_MESSAGES),
  'SECTION_OUT_OF_BOUNDS',
  'BAD_SECTION_ZERO',
  'BAD_SYMTAB_LINK',
  'BAD_SECTION_NAME',
  'BAD_THIS_MODULE_SIZE',
]);

/**
 * The first problem elf_validity_check or setup_load_info stops at, from @kmodkit/elf's `validate()`
 * (which follows them in order), as the kernel logs it where the message is known.
 */
export function elfFailure(
  module: KernelModule,
  problems: readonly ElfError[],
  name: () => string,
): { errno: string; message: string; detail: string } | undefined {
  const first = problems.find((e) => ELF_CHECKS.has(e.code));
  if (!first) return undefined;
  const kernel = KERNEL_MESSAGES[first.code];
  return {
    errno: first.errno,
    message: kernel ? kernel(module, name) : first.message,
    detail: first.message,
  };
}
