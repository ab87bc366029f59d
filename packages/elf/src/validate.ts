import { ElfType, elfTypeName, machineName, SectionFlag, SectionIndex, SectionType } from './constants.js';
import type { ElfFile } from './elf-file.js';
import { ElfError, isElfError } from './error.js';
import { shentsizeProblem } from './layout.js';
import { Section } from './section.js';
import { StringTable } from './string-table.js';
import { THIS_MODULE_SECTION } from './this-module.js';

const THIS_MODULE_NAME = new TextEncoder().encode(THIS_MODULE_SECTION);

export interface ValidateOptions {
  /**
   * The e_machine of the kernel that would load the module (elf_check_arch); unchecked if absent.
   */
  machine?: number;
  /**
   * How many bytes the kernel sees: the image without an appended signature (module_sig_check
   * strips it before elf_validity_check). Defaults to the whole image.
   */
  length?: number;
  /**
   * sizeof(struct module) of the kernel that would load the module — e.g. the `thisModule.size` of any
   * module built for it. Linux 6.4+ refuses a `.gnu.linkonce.this_module` of another size
   * (elf_validity_cache_index_mod); 6.1 does not check. Unchecked if absent.
   */
  thisModuleSize?: number;
}

/**
 * The kernel's view of the image: the checks of kernel/module/main.c elf_validity_check (with
 * validate_section_offset), setup_load_info and check_modinfo's vermagic rule, in the order the
 * kernel makes them. The first problem is the one `init_module(2)` would fail with; checks that
 * depend on an earlier one are skipped once it fails, as the kernel stops there.
 */
export function kernelProblems(
  elf: ElfFile,
  info: (key: string) => string | undefined,
  options: ValidateOptions = {},
): ElfError[] {
  const out: ElfError[] = [];
  const h = elf.header;
  const r = elf.reader;
  const len = Math.min(options.length ?? elf.bytes.length, elf.bytes.length);
  const layout = elf.layout;
  const shdrSize = layout.shdr.size;

  if (h.type !== ElfType.ET_REL) {
    out.push(
      new ElfError('NOT_RELOCATABLE', `e_type is ${elfTypeName(h.type)}, a module must be ET_REL`, {
        offset: layout.ehdr.e_type,
      }),
    );
    return out;
  }
  if (options.machine !== undefined && h.machine !== options.machine) {
    out.push(
      new ElfError(
        'WRONG_MACHINE',
        `the module is for ${machineName(h.machine)}, the kernel is ${machineName(options.machine)}`,
        { offset: layout.ehdr.e_machine },
      ),
    );
    return out;
  }
  const badShentsize = shentsizeProblem(h.shentsize, layout);
  if (badShentsize) {
    out.push(badShentsize);
    return out;
  }
  // The kernel reads e_shnum as stored: extended numbering (e_shnum 0) is not supported for modules.
  if (h.shoff >= len || h.shnum * shdrSize > len - h.shoff) {
    out.push(
      new ElfError(
        'SECTION_HEADERS_OUT_OF_BOUNDS',
        `the section header table at ${h.shoff} (${h.shnum} entries) is outside the ${len}-byte image`,
        { offset: layout.ehdr.e_shoff },
      ),
    );
    return out;
  }
  if (h.shstrndx === SectionIndex.SHN_UNDEF || h.shstrndx >= h.shnum) {
    out.push(
      new ElfError('BAD_SHSTRNDX', `e_shstrndx ${h.shstrndx} is not a section (e_shnum is ${h.shnum})`, {
        offset: layout.ehdr.e_shstrndx,
      }),
    );
    return out;
  }
  // The kernel indexes headers by sizeof(Elf_Shdr), checked equal to e_shentsize above.
  const shdr = (i: number) => new Section(r, h.machine, layout, i, h.shoff + i * shdrSize, '');
  // validate_section_offset: offset + size must neither wrap nor pass the end.
  const fits = (s: { offset: number; size: number }) => s.offset + s.size <= len;
  const str = shdr(h.shstrndx);
  if (!fits(str)) {
    out.push(
      new ElfError(
        'SECTION_OUT_OF_BOUNDS',
        `the section name table (offset ${str.offset}, size ${str.size}) runs past the ${len}-byte image`,
        {
          offset: str.headerOffset,
        },
      ),
    );
    return out;
  }
  if (str.size === 0) {
    out.push(new ElfError('EMPTY_SHSTRTAB', 'the section name table is empty', { offset: str.headerOffset }));
    return out;
  }
  if (elf.bytes[str.offset + str.size - 1] !== 0) {
    out.push(
      new ElfError('SHSTRTAB_NOT_TERMINATED', 'the section name table does not end with a NUL byte', {
        offset: str.offset + str.size - 1,
      }),
    );
    return out;
  }
  const names = new StringTable(elf.bytes.subarray(str.offset, str.offset + str.size), str.headerOffset);
  const s0 = shdr(0);
  if (s0.type !== SectionType.SHT_NULL || s0.size !== 0 || s0.addr !== 0) {
    out.push(
      new ElfError('BAD_SECTION_ZERO', 'section 0 must be SHT_NULL with zero size and address', {
        offset: s0.headerOffset,
      }),
    );
    return out;
  }
  let symtab = 0;
  let thisModule: Section | undefined;
  for (let i = 1; i < h.shnum; i++) {
    const s = shdr(i);
    if (s.type === SectionType.SHT_NULL || s.type === SectionType.SHT_NOBITS) continue;
    if (s.type === SectionType.SHT_SYMTAB) {
      if (s.link === SectionIndex.SHN_UNDEF || s.link >= h.shnum) {
        out.push(
          new ElfError(
            'BAD_SYMTAB_LINK',
            `symbol table ${i} links to string table ${s.link}, which is not a section`,
            {
              offset: s.headerOffset,
            },
          ),
        );
        return out;
      }
      if (symtab === 0) symtab = i;
    }
    if (!fits(s)) {
      out.push(
        new ElfError(
          'SECTION_OUT_OF_BOUNDS',
          `section ${i} (offset ${s.offset}, size ${s.size}) runs past the ${len}-byte image`,
          {
            offset: s.headerOffset,
          },
        ),
      );
      return out;
    }
    if (s.flags % 4 >= SectionFlag.SHF_ALLOC) {
      if (s.nameOffset >= str.size) {
        out.push(
          new ElfError(
            'BAD_SECTION_NAME',
            `section ${i} has name offset ${s.nameOffset}, past the ${str.size}-byte name table`,
            {
              offset: s.headerOffset,
            },
          ),
        );
        return out;
      }
      // find_sec only sees SHF_ALLOC sections.
      if (!thisModule && names.matches(s.nameOffset, THIS_MODULE_NAME)) thisModule = s;
    }
  }
  // setup_load_info
  if (symtab === 0) {
    out.push(new ElfError('NO_SYMBOL_TABLE', 'the module has no symbol table (stripped?)'));
    return out;
  }
  if (!thisModule) {
    // Before 2.6 there was no struct module in the object; modutils' insmod built it, and
    // MODULE_* macros wrote `kernel_version=` into .modinfo (include/linux/module.h of 2.4).
    const kernelVersion = safeInfo(info, 'kernel_version');
    const logged = `"${safeInfo(info, 'name') ?? '(missing .modinfo section or name field)'}: No module found in object"`;
    out.push(
      kernelVersion === undefined
        ? new ElfError('NO_THIS_MODULE', `the module has no ${THIS_MODULE_SECTION} section (${logged})`)
        : new ElfError(
            'LINUX_2_4_MODULE',
            `a Linux ${kernelVersion} module object (kernel_version= in .modinfo, no ${THIS_MODULE_SECTION}): ` +
              `the 2.6+ module loader refuses it (${logged})`,
            { offset: elf.section('.modinfo')?.offset },
          ),
    );
    return out;
  }
  if (options.thisModuleSize !== undefined && thisModule.size !== options.thisModuleSize) {
    out.push(
      new ElfError(
        'BAD_THIS_MODULE_SIZE',
        `${THIS_MODULE_SECTION} is ${thisModule.size} bytes, the kernel's struct module is ${options.thisModuleSize}`,
        { offset: thisModule.headerOffset },
      ),
    );
    return out;
  }
  // check_modinfo: no vermagic is only allowed with a forced load.
  try {
    if (info('vermagic') === undefined) {
      out.push(
        new ElfError('NO_VERMAGIC', 'the module has no vermagic (the kernel loads it only when forced)'),
      );
    }
  } catch (e) {
    out.push(elfErrorOrRethrow(e));
  }
  return out;
}

/** `info(key)`, or undefined when `.modinfo` cannot be read (that is reported on its own). */
function safeInfo(info: (key: string) => string | undefined, key: string): string | undefined {
  try {
    return info(key);
  } catch (e) {
    elfErrorOrRethrow(e);
    return undefined;
  }
}

/**
 * `e` if it is an ElfError (a problem of the input); anything else is a bug of this package and is
 * thrown on, so that it fails the caller's tests and the fuzz instead of passing as a finding.
 */
export function elfErrorOrRethrow(e: unknown): ElfError {
  if (isElfError(e)) return e;
  throw e;
}
