/**
 * The ELF vocabulary kmodkit needs, named as the ELF spec and the kernel's `include/uapi/linux/elf.h`
 * name it. Each family is a frozen map from name to number plus a `…Name()` function that turns a
 * number back into its name (or a hex fallback), so values print as `SHT_RELA`, never `4`.
 */

/** Builds the reverse lookup of a constant family; the first name wins for duplicate values. */
function reverse(map: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, value] of Object.entries(map)) if (!out.has(value)) out.set(value, name);
  return out;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------------
// e_ident

export const ELFMAG = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46); // "\x7fELF"
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_NIDENT = 16;

export const ElfClass = { ELFCLASSNONE: 0, ELFCLASS32: 1, ELFCLASS64: 2 } as const;
export const ElfData = { ELFDATANONE: 0, ELFDATA2LSB: 1, ELFDATA2MSB: 2 } as const;
export const EV_CURRENT = 1;

// ---------------------------------------------------------------------------------------------------
// e_type

export const ElfType = { ET_NONE: 0, ET_REL: 1, ET_EXEC: 2, ET_DYN: 3, ET_CORE: 4 } as const;
const elfTypeNames = reverse(ElfType);
export function elfTypeName(type: number): string {
  return elfTypeNames.get(type) ?? hex(type);
}

// ---------------------------------------------------------------------------------------------------
// e_machine (include/uapi/linux/elf-em.h)

export const Machine = {
  EM_NONE: 0,
  EM_SPARC: 2,
  EM_386: 3,
  EM_68K: 4,
  EM_MIPS: 8,
  EM_PARISC: 15,
  EM_SPARC32PLUS: 18,
  EM_PPC: 20,
  EM_PPC64: 21,
  EM_S390: 22,
  EM_ARM: 40,
  EM_SH: 42,
  EM_SPARCV9: 43,
  EM_IA_64: 50,
  EM_X86_64: 62,
  EM_CRIS: 76,
  EM_XTENSA: 94,
  EM_MICROBLAZE: 189,
  EM_ARCV2: 195,
  EM_AARCH64: 183,
  EM_TILEGX: 191,
  EM_RISCV: 243,
  EM_BPF: 247,
  EM_CSKY: 252,
  EM_LOONGARCH: 258,
  EM_ALPHA: 0x9026,
} as const;
const machineNames = reverse(Machine);
/** `machineName(62) === 'EM_X86_64'`; unknown values print as hex. */
export function machineName(machine: number): string {
  return machineNames.get(machine) ?? hex(machine);
}

// ---------------------------------------------------------------------------------------------------
// Section header: sh_type, sh_flags, special section indexes

export const SectionType = {
  SHT_NULL: 0,
  SHT_PROGBITS: 1,
  SHT_SYMTAB: 2,
  SHT_STRTAB: 3,
  SHT_RELA: 4,
  SHT_HASH: 5,
  SHT_DYNAMIC: 6,
  SHT_NOTE: 7,
  SHT_NOBITS: 8,
  SHT_REL: 9,
  SHT_SHLIB: 10,
  SHT_DYNSYM: 11,
  SHT_INIT_ARRAY: 14,
  SHT_FINI_ARRAY: 15,
  SHT_PREINIT_ARRAY: 16,
  SHT_GROUP: 17,
  SHT_SYMTAB_SHNDX: 18,
  SHT_RELR: 19,
  SHT_LLVM_ADDRSIG: 0x6fff4c03,
  SHT_GNU_ATTRIBUTES: 0x6ffffff5,
  SHT_GNU_HASH: 0x6ffffff6,
  SHT_GNU_verdef: 0x6ffffffd,
  SHT_GNU_verneed: 0x6ffffffe,
  SHT_GNU_versym: 0x6fffffff,
} as const;

/** Processor-specific section types (SHT_LOPROC..SHT_HIPROC) mean different things per machine. */
const processorSectionTypes: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  [Machine.EM_ARM]: {
    SHT_ARM_EXIDX: 0x70000001,
    SHT_ARM_PREEMPTMAP: 0x70000002,
    SHT_ARM_ATTRIBUTES: 0x70000003,
  },
  [Machine.EM_AARCH64]: { SHT_AARCH64_ATTRIBUTES: 0x70000003 },
  [Machine.EM_X86_64]: { SHT_X86_64_UNWIND: 0x70000001 },
  [Machine.EM_MIPS]: {
    SHT_MIPS_REGINFO: 0x70000006,
    SHT_MIPS_OPTIONS: 0x7000000d,
    SHT_MIPS_ABIFLAGS: 0x7000002a,
  },
  [Machine.EM_RISCV]: { SHT_RISCV_ATTRIBUTES: 0x70000003 },
  [Machine.EM_PARISC]: { SHT_PARISC_EXT: 0x70000000, SHT_PARISC_UNWIND: 0x70000001 },
};
const sectionTypeNames = reverse(SectionType);
const processorSectionTypeNames = new Map(
  Object.entries(processorSectionTypes).map(([m, map]) => [Number(m), reverse(map)]),
);
/** `sectionTypeName(4) === 'SHT_RELA'`; pass the machine to name processor-specific types. */
export function sectionTypeName(type: number, machine?: number): string {
  const generic = sectionTypeNames.get(type);
  if (generic !== undefined) return generic;
  if (machine !== undefined) {
    const specific = processorSectionTypeNames.get(machine)?.get(type);
    if (specific !== undefined) return specific;
  }
  return hex(type);
}

export const SectionFlag = {
  SHF_WRITE: 0x1,
  SHF_ALLOC: 0x2,
  SHF_EXECINSTR: 0x4,
  SHF_MERGE: 0x10,
  SHF_STRINGS: 0x20,
  SHF_INFO_LINK: 0x40,
  SHF_LINK_ORDER: 0x80,
  SHF_OS_NONCONFORMING: 0x100,
  SHF_GROUP: 0x200,
  SHF_TLS: 0x400,
  SHF_COMPRESSED: 0x800,
  SHF_EXCLUDE: 0x80000000,
} as const;
/** The set flag names of `flags`, e.g. `['SHF_WRITE', 'SHF_ALLOC']`; unknown bits as one hex entry. */
export function sectionFlagNames(flags: number): string[] {
  const out: string[] = [];
  let rest = flags;
  for (const [name, bit] of Object.entries(SectionFlag)) {
    if (Math.floor(flags / bit) % 2 === 1) {
      out.push(name);
      rest -= bit;
    }
  }
  if (rest !== 0) out.push(hex(rest));
  return out;
}

export const SectionIndex = {
  SHN_UNDEF: 0,
  SHN_LORESERVE: 0xff00,
  SHN_LIVEPATCH: 0xff20,
  SHN_ABS: 0xfff1,
  SHN_COMMON: 0xfff2,
  SHN_XINDEX: 0xffff,
} as const;
const sectionIndexNames = reverse(SectionIndex);
/** Names the reserved section indexes (`SHN_ABS` …); ordinary indexes print as decimal. */
export function sectionIndexName(index: number): string {
  return sectionIndexNames.get(index) ?? String(index);
}

// ---------------------------------------------------------------------------------------------------
// Symbols

export const SymbolType = {
  STT_NOTYPE: 0,
  STT_OBJECT: 1,
  STT_FUNC: 2,
  STT_SECTION: 3,
  STT_FILE: 4,
  STT_COMMON: 5,
  STT_TLS: 6,
  STT_GNU_IFUNC: 10,
} as const;
const symbolTypeNames = reverse(SymbolType);
export function symbolTypeName(type: number): string {
  return symbolTypeNames.get(type) ?? hex(type);
}

export const SymbolBind = { STB_LOCAL: 0, STB_GLOBAL: 1, STB_WEAK: 2, STB_GNU_UNIQUE: 10 } as const;
const symbolBindNames = reverse(SymbolBind);
export function symbolBindName(bind: number): string {
  return symbolBindNames.get(bind) ?? hex(bind);
}

export const SymbolVisibility = { STV_DEFAULT: 0, STV_INTERNAL: 1, STV_HIDDEN: 2, STV_PROTECTED: 3 } as const;
const symbolVisibilityNames = reverse(SymbolVisibility);
export function symbolVisibilityName(visibility: number): string {
  return symbolVisibilityNames.get(visibility) ?? hex(visibility);
}

// ---------------------------------------------------------------------------------------------------
// Relocations
//
// Only what kmodkit resolves: for each supported machine the type numbers and, for the types that
// store a pointer-sized or 32-bit reference (absolute or PC-relative), the width of the field they
// patch. For REL sections the addend is read from that field (arch/*/kernel/module.c apply_relocate).

/** What a relocation type writes: how many bytes, whether PC-relative, and any special encoding. */
export interface RelocationKind {
  readonly name: string;
  /** Bytes patched when the type stores a data reference; 0 for code/other types kmodkit does not read. */
  readonly size: 0 | 4 | 8;
  readonly pcrel: boolean;
  /** ARM's R_ARM_PREL31 keeps a 31-bit signed addend in the field (arch/arm/kernel/module.c). */
  readonly prel31?: boolean;
}

type KindTable = Readonly<Record<number, RelocationKind>>;

function kinds(entries: ReadonlyArray<readonly [number, string, (0 | 4 | 8)?, boolean?]>): KindTable {
  const out: Record<number, RelocationKind> = {};
  for (const [type, name, size = 0, pcrel = false] of entries) out[type] = { name, size, pcrel };
  return out;
}

const X86_64 = kinds([
  [0, 'R_X86_64_NONE'],
  [1, 'R_X86_64_64', 8],
  [2, 'R_X86_64_PC32', 4, true],
  [3, 'R_X86_64_GOT32'],
  [4, 'R_X86_64_PLT32', 4, true],
  [8, 'R_X86_64_RELATIVE'],
  [9, 'R_X86_64_GOTPCREL', 4, true],
  [10, 'R_X86_64_32', 4],
  [11, 'R_X86_64_32S', 4],
  [12, 'R_X86_64_16'],
  [13, 'R_X86_64_PC16'],
  [14, 'R_X86_64_8'],
  [15, 'R_X86_64_PC8'],
  [24, 'R_X86_64_PC64', 8, true],
  [41, 'R_X86_64_GOTPCRELX', 4, true],
  [42, 'R_X86_64_REX_GOTPCRELX', 4, true],
]);

const I386 = kinds([
  [0, 'R_386_NONE'],
  [1, 'R_386_32', 4],
  [2, 'R_386_PC32', 4, true],
  [3, 'R_386_GOT32'],
  [4, 'R_386_PLT32', 4, true],
  [9, 'R_386_GOTOFF'],
  [10, 'R_386_GOTPC'],
  [20, 'R_386_16'],
  [21, 'R_386_PC16'],
  [22, 'R_386_8'],
  [23, 'R_386_PC8'],
]);

const ARM: KindTable = {
  ...kinds([
    [0, 'R_ARM_NONE'],
    [1, 'R_ARM_PC24'],
    [2, 'R_ARM_ABS32', 4],
    [3, 'R_ARM_REL32', 4, true],
    [10, 'R_ARM_THM_CALL'],
    [28, 'R_ARM_CALL'],
    [29, 'R_ARM_JUMP24'],
    [30, 'R_ARM_THM_JUMP24'],
    [38, 'R_ARM_TARGET1', 4],
    [40, 'R_ARM_V4BX'],
    [43, 'R_ARM_MOVW_ABS_NC'],
    [44, 'R_ARM_MOVT_ABS'],
    [45, 'R_ARM_MOVW_PREL_NC'],
    [46, 'R_ARM_MOVT_PREL'],
    [47, 'R_ARM_THM_MOVW_ABS_NC'],
    [48, 'R_ARM_THM_MOVT_ABS'],
    [55, 'R_ARM_ABS32_NOI', 4],
    [56, 'R_ARM_REL32_NOI', 4, true],
  ]),
  42: { name: 'R_ARM_PREL31', size: 4, pcrel: true, prel31: true },
};

const AARCH64 = kinds([
  [0, 'R_AARCH64_NONE'],
  [257, 'R_AARCH64_ABS64', 8],
  [258, 'R_AARCH64_ABS32', 4],
  [259, 'R_AARCH64_ABS16'],
  [260, 'R_AARCH64_PREL64', 8, true],
  [261, 'R_AARCH64_PREL32', 4, true],
  [262, 'R_AARCH64_PREL16'],
  [263, 'R_AARCH64_MOVW_UABS_G0'],
  [275, 'R_AARCH64_ADR_PREL_PG_HI21'],
  [277, 'R_AARCH64_ADD_ABS_LO12_NC'],
  [278, 'R_AARCH64_LDST8_ABS_LO12_NC'],
  [282, 'R_AARCH64_JUMP26'],
  [283, 'R_AARCH64_CALL26'],
  [284, 'R_AARCH64_LDST16_ABS_LO12_NC'],
  [285, 'R_AARCH64_LDST32_ABS_LO12_NC'],
  [286, 'R_AARCH64_LDST64_ABS_LO12_NC'],
  [299, 'R_AARCH64_LDST128_ABS_LO12_NC'],
]);

const S390 = kinds([
  [0, 'R_390_NONE'],
  [1, 'R_390_8'],
  [2, 'R_390_12'],
  [3, 'R_390_16'],
  [4, 'R_390_32', 4],
  [5, 'R_390_PC32', 4, true],
  [8, 'R_390_PLT32', 4, true],
  [16, 'R_390_PC16DBL'],
  [19, 'R_390_PC32DBL'],
  [20, 'R_390_PLT32DBL'],
  [22, 'R_390_64', 8],
  [23, 'R_390_PC64', 8, true],
  [24, 'R_390_GOT64'],
  [26, 'R_390_GOTENT'],
]);

const PPC64 = kinds([
  [0, 'R_PPC64_NONE'],
  [1, 'R_PPC64_ADDR32', 4],
  [2, 'R_PPC64_ADDR24'],
  [3, 'R_PPC64_ADDR16'],
  [4, 'R_PPC64_ADDR16_LO'],
  [5, 'R_PPC64_ADDR16_HI'],
  [6, 'R_PPC64_ADDR16_HA'],
  [10, 'R_PPC64_REL24'],
  [11, 'R_PPC64_REL14'],
  [24, 'R_PPC64_UADDR32', 4],
  [26, 'R_PPC64_REL32', 4, true],
  [38, 'R_PPC64_ADDR64', 8],
  [43, 'R_PPC64_UADDR64', 8],
  [44, 'R_PPC64_REL64', 8, true],
  [47, 'R_PPC64_TOC16'],
  [48, 'R_PPC64_TOC16_LO'],
  [50, 'R_PPC64_TOC16_HA'],
  [51, 'R_PPC64_TOC'],
  [57, 'R_PPC64_ADDR16_LO_DS'],
  [63, 'R_PPC64_TOC16_DS'],
  [64, 'R_PPC64_TOC16_LO_DS'],
  [109, 'R_PPC64_ENTRY'],
  [116, 'R_PPC64_REL24_NOTOC'],
  [249, 'R_PPC64_REL16'],
  [250, 'R_PPC64_REL16_LO'],
  [251, 'R_PPC64_REL16_HI'],
  [252, 'R_PPC64_REL16_HA'],
]);

const PPC = kinds([
  [0, 'R_PPC_NONE'],
  [1, 'R_PPC_ADDR32', 4],
  [10, 'R_PPC_REL24'],
  [26, 'R_PPC_REL32', 4, true],
]);

const MIPS = kinds([
  [0, 'R_MIPS_NONE'],
  [1, 'R_MIPS_16'],
  [2, 'R_MIPS_32', 4],
  [3, 'R_MIPS_REL32', 4, true],
  [4, 'R_MIPS_26'],
  [5, 'R_MIPS_HI16'],
  [6, 'R_MIPS_LO16'],
  [7, 'R_MIPS_GPREL16'],
  [18, 'R_MIPS_64', 8],
  [248, 'R_MIPS_PC32', 4, true],
]);

const RISCV = kinds([
  [0, 'R_RISCV_NONE'],
  [1, 'R_RISCV_32', 4],
  [2, 'R_RISCV_64', 8],
  [16, 'R_RISCV_BRANCH'],
  [17, 'R_RISCV_JAL'],
  [18, 'R_RISCV_CALL'],
  [19, 'R_RISCV_CALL_PLT'],
  [23, 'R_RISCV_PCREL_HI20'],
  [24, 'R_RISCV_PCREL_LO12_I'],
  [26, 'R_RISCV_HI20'],
  [27, 'R_RISCV_LO12_I'],
  [35, 'R_RISCV_ADD32'],
  [36, 'R_RISCV_ADD64'],
  [39, 'R_RISCV_SUB32'],
  [40, 'R_RISCV_SUB64'],
  [43, 'R_RISCV_ALIGN'],
  [51, 'R_RISCV_RELAX'],
  [57, 'R_RISCV_32_PCREL', 4, true],
]);

const LOONGARCH = kinds([
  [0, 'R_LARCH_NONE'],
  [1, 'R_LARCH_32', 4],
  [2, 'R_LARCH_64', 8],
  [50, 'R_LARCH_ADD32'],
  [51, 'R_LARCH_ADD64'],
  [55, 'R_LARCH_SUB32'],
  [56, 'R_LARCH_SUB64'],
  [66, 'R_LARCH_B26'],
  [71, 'R_LARCH_PCALA_HI20'],
  [72, 'R_LARCH_PCALA_LO12'],
  [99, 'R_LARCH_32_PCREL', 4, true],
  [109, 'R_LARCH_64_PCREL', 8, true],
]);

const relocationKinds: Readonly<Record<number, KindTable>> = {
  [Machine.EM_X86_64]: X86_64,
  [Machine.EM_386]: I386,
  [Machine.EM_ARM]: ARM,
  [Machine.EM_AARCH64]: AARCH64,
  [Machine.EM_S390]: S390,
  [Machine.EM_PPC64]: PPC64,
  [Machine.EM_PPC]: PPC,
  [Machine.EM_MIPS]: MIPS,
  [Machine.EM_RISCV]: RISCV,
  [Machine.EM_LOONGARCH]: LOONGARCH,
};

/** The relocation kind of `type` on `machine`, or undefined if kmodkit does not know it. */
export function relocationKind(machine: number, type: number): RelocationKind | undefined {
  return relocationKinds[machine]?.[type];
}

/** `relocationTypeName(62, 2) === 'R_X86_64_PC32'`; unknown types print as hex. */
export function relocationTypeName(machine: number, type: number): string {
  return relocationKind(machine, type)?.name ?? hex(type);
}

/** True for the machines whose relocation vocabulary is in this file. */
export function isRelocationMachineKnown(machine: number): boolean {
  return relocationKinds[machine] !== undefined;
}
