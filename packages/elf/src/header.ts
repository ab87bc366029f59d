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
import { layoutOf } from './layout.js';

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
  const { ehdr: e, word: w } = layoutOf(is64);
  const size = e.size;
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
  const header: ElfHeader = {
    class: is64 ? 'ELF64' : 'ELF32',
    endian: r.littleEndian ? 'little' : 'big',
    identVersion: bytes[EI_VERSION]!,
    osabi: bytes[EI_OSABI]!,
    abiVersion: bytes[EI_ABIVERSION]!,
    type: r.u16(e.e_type),
    machine: r.u16(e.e_machine),
    version: r.u32(e.e_version),
    entry: r.word(e.e_entry, w),
    phoff: r.word(e.e_phoff, w),
    shoff: r.word(e.e_shoff, w),
    flags: r.u32(e.e_flags),
    ehsize: r.u16(e.e_ehsize),
    phentsize: r.u16(e.e_phentsize),
    phnum: r.u16(e.e_phnum),
    shentsize: r.u16(e.e_shentsize),
    shnum: r.u16(e.e_shnum),
    shstrndx: r.u16(e.e_shstrndx),
  };
  return { header, reader: r };
}
