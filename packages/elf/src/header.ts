import { ByteReader } from './byte-reader.js';
import {
  EI_ABIVERSION,
  EI_CLASS,
  EI_DATA,
  EI_NIDENT,
  EI_OSABI,
  EI_VERSION,
  ELFMAG,
  ElfClass,
  ElfData,
} from './constants.js';
import { ElfError } from './error.js';

/** The ELF file header (`Elf32_Ehdr`/`Elf64_Ehdr`), both layouts read into one shape. */
export interface ElfHeader {
  readonly class: 'ELF32' | 'ELF64';
  readonly endian: 'little' | 'big';
  /** e_ident[EI_VERSION] */
  readonly identVersion: number;
  readonly osabi: number;
  readonly abiVersion: number;
  readonly type: number;
  readonly machine: number;
  readonly version: number;
  readonly entry: number;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  /** e_shnum as stored: 0 with extended numbering (the count is then section 0's sh_size). */
  readonly shnum: number;
  /** e_shstrndx as stored: SHN_XINDEX with extended numbering (the index is section 0's sh_link). */
  readonly shstrndx: number;
}

export const ELF32_EHDR_SIZE = 52;
export const ELF64_EHDR_SIZE = 64;

/** True if `bytes` starts with the ELF magic. */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELFMAG.every((b, i) => bytes[i] === b);
}

/**
 * Reads the file header: enough to know the image is ELF, its class and byte order. Everything
 * else is checked when it is used (see `validate()` for the kernel's elf_validity_check view).
 */
export function readHeader(bytes: Uint8Array): { header: ElfHeader; reader: ByteReader } {
  // kmod's elf_identify answers ENOEXEC for both; everything after this point is "a broken ELF".
  if (!hasElfMagic(bytes)) {
    throw new ElfError('NOT_ELF', 'not an ELF file: the first four bytes are not "\\x7fELF"', { offset: 0 });
  }
  if (bytes.length <= EI_NIDENT) {
    throw new ElfError(
      'NOT_ELF',
      `not an ELF file: ${bytes.length} bytes is too short for the ELF identification`,
      {
        offset: 0,
      },
    );
  }
  const cls = bytes[EI_CLASS];
  const data = bytes[EI_DATA];
  if (cls !== ElfClass.ELFCLASS32 && cls !== ElfClass.ELFCLASS64) {
    throw new ElfError('BAD_CLASS', `unknown ELF class ${cls} (expected 1 for ELF32 or 2 for ELF64)`, {
      offset: EI_CLASS,
    });
  }
  if (data !== ElfData.ELFDATA2LSB && data !== ElfData.ELFDATA2MSB) {
    throw new ElfError('BAD_DATA_ENCODING', `unknown ELF data encoding ${data} (expected 1 or 2)`, {
      offset: EI_DATA,
    });
  }
  const is64 = cls === ElfClass.ELFCLASS64;
  const size = is64 ? ELF64_EHDR_SIZE : ELF32_EHDR_SIZE;
  if (bytes.length < size) {
    throw new ElfError(
      'TRUNCATED_HEADER',
      `the ${size}-byte ELF header is truncated to ${bytes.length} bytes`,
      {
        offset: 0,
      },
    );
  }
  const r = new ByteReader(bytes, data === ElfData.ELFDATA2LSB);
  const w = is64 ? 8 : 4;
  // Elf64_Ehdr/Elf32_Ehdr: the three address-sized fields after e_version shift everything after them.
  const header: ElfHeader = {
    class: is64 ? 'ELF64' : 'ELF32',
    endian: r.littleEndian ? 'little' : 'big',
    identVersion: bytes[EI_VERSION]!,
    osabi: bytes[EI_OSABI]!,
    abiVersion: bytes[EI_ABIVERSION]!,
    type: r.u16(16),
    machine: r.u16(18),
    version: r.u32(20),
    entry: r.word(24, w),
    phoff: r.word(24 + w, w),
    shoff: r.word(24 + 2 * w, w),
    flags: r.u32(24 + 3 * w),
    ehsize: r.u16(28 + 3 * w),
    phentsize: r.u16(30 + 3 * w),
    phnum: r.u16(32 + 3 * w),
    shentsize: r.u16(34 + 3 * w),
    shnum: r.u16(36 + 3 * w),
    shstrndx: r.u16(38 + 3 * w),
  };
  return { header, reader: r };
}
