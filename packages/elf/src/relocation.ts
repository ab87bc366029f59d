import type { ByteReader } from './byte-reader.js';
import { Machine, relocationKind, relocationTypeName, SectionType } from './constants.js';
import { ElfError } from './error.js';
import type { Section } from './section.js';

/** One relocation entry (`Elf{32,64}_Rel` or `Elf{32,64}_Rela`). */
export interface Relocation {
  /** r_offset: where in the target section (the REL/RELA section's sh_info) the fix-up applies. */
  readonly offset: number;
  /** The relocation type (for MIPS64, the first of its three types). */
  readonly type: number;
  readonly typeName: string;
  /** Index into the symbol table (sh_link of the relocation section). */
  readonly symbolIndex: number;
  /**
   * r_addend for RELA; for REL the implicit addend read from the patched field (when the type is
   * one kmodkit knows the width of; else 0).
   */
  readonly addend: number;
}

/** Bytes per entry: Elf32_Rel 8, Elf32_Rela 12, Elf64_Rel 16, Elf64_Rela 24. */
export function relocationEntrySize(is64: boolean, rela: boolean): number {
  return (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);
}

/**
 * Reads every entry of relocation section `rel` (SHT_REL or SHT_RELA). `target` is the section the
 * relocations patch; REL addends are read from it.
 */
export function readRelocations(
  reader: ByteReader,
  is64: boolean,
  machine: number,
  rel: Section,
  target: Section | undefined,
): Relocation[] {
  const rela = rel.type === SectionType.SHT_RELA;
  const entsize = relocationEntrySize(is64, rela);
  rel.data; // one bounds check for the whole table
  const count = Math.floor(rel.size / entsize);
  const out: Relocation[] = new Array(count);
  // mips64 stores r_info as { u32 r_sym; u8 r_ssym, r_type3, r_type2, r_type } in either byte order
  // (binutils include/elf/mips.h Elf64_Mips_External_Rel), not as one 64-bit word.
  const mips64 = is64 && machine === Machine.EM_MIPS;
  const targetData = rela ? undefined : target?.data;
  for (let i = 0; i < count; i++) {
    const o = rel.offset + i * entsize;
    let offset: number;
    let symbolIndex: number;
    let type: number;
    let addend = 0;
    if (is64) {
      offset = reader.u64n(o);
      if (mips64) {
        symbolIndex = reader.u32(o + 8);
        type = reader.u8(o + 15);
      } else if (reader.littleEndian) {
        type = reader.u32(o + 8);
        symbolIndex = reader.u32(o + 12);
      } else {
        symbolIndex = reader.u32(o + 8);
        type = reader.u32(o + 12);
      }
      if (rela) addend = reader.i64n(o + 16);
    } else {
      offset = reader.u32(o);
      const info = reader.u32(o + 4);
      symbolIndex = info >>> 8;
      type = info & 0xff;
      if (rela) addend = reader.i32(o + 8);
    }
    if (targetData) addend = implicitAddend(reader, machine, type, targetData, offset, o);
    out[i] = { offset, type, typeName: relocationTypeName(machine, type), symbolIndex, addend };
  }
  return out;
}

/** The addend a REL entry keeps in the field it patches (arch/arm/kernel/module.c apply_relocate). */
function implicitAddend(
  reader: ByteReader,
  machine: number,
  type: number,
  data: Uint8Array,
  offset: number,
  entryOffset: number,
): number {
  const kind = relocationKind(machine, type);
  if (!kind || kind.size === 0) return 0;
  if (!(offset >= 0 && offset + kind.size <= data.length)) {
    throw new ElfError(
      'BAD_RELOCATION_OFFSET',
      `relocation at ${offset} (${kind.name}) is outside its ${data.length}-byte target section`,
      { offset: entryOffset },
    );
  }
  const at = data.byteOffset - reader.bytes.byteOffset + offset;
  if (kind.size === 8) return reader.i64n(at);
  const v = reader.i32(at);
  // PREL31: bits 0..30 hold a signed offset, bit 31 belongs to the instruction.
  return kind.prel31 ? (v << 1) >> 1 : v;
}
