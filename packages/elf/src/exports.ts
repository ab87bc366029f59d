import { relocationKind, SectionIndex } from './constants.js';
import type { ElfFile, RelocationTarget } from './elf-file.js';
import { ElfError } from './error.js';
import type { Section } from './section.js';

/** A symbol the module exports (EXPORT_SYMBOL*), read from `__ksymtab*` and its relocations. */
export interface ExportedSymbol {
  readonly name: string;
  /** True for EXPORT_SYMBOL_GPL* (`__ksymtab_gpl`). */
  readonly gpl: boolean;
  /** EXPORT_SYMBOL_NS*'s namespace; undefined for none. */
  readonly namespace: string | undefined;
  /** The modversions CRC from `__kcrctab*` (the entry parallel to this one), if the module has one. */
  readonly crc: bigint | undefined;
  /** The `__ksymtab*` section the entry is in. */
  readonly section: string;
}

/** `__ksymtab` → `__kcrctab`, `__ksymtab_gpl` → `__kcrctab_gpl` (kernel/module/main.c find_module_sections). */
function crcSectionOf(ksymtab: string): string {
  return `__kcrctab${ksymtab.slice('__ksymtab'.length)}`;
}

/**
 * Reads every `__ksymtab*` section. Each entry is a `struct kernel_symbol` of three references
 * (value, name, namespace: include/linux/export.h) — 32-bit PC-relative offsets with
 * CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86_64, arm64), pointers elsewhere. In a `.ko` the fields
 * are still zero and their meaning is in the relocations, so the width of the first relocation's
 * field gives the layout and each name is resolved as symbol + addend → string in
 * `__ksymtab_strings`. The CRC is the entry with the same index in `__kcrctab*`, which is how the
 * kernel pairs them (kernel/module/main.c find_exported_symbol_in_section + symversion).
 */
export function readExports(elf: ElfFile): ExportedSymbol[] {
  const out: ExportedSymbol[] = [];
  for (const sec of elf.sectionsWithPrefix('__ksymtab')) {
    if (sec.name === '__ksymtab_strings' || sec.size === 0) continue;
    const relocs = elf.relocationsFor(sec.index);
    if (relocs.length === 0) continue;
    let first = relocs[0]!;
    for (const r of relocs) if (r.offset < first.offset) first = r;
    const stride = relocationKind(elf.header.machine, first.type)?.size || elf.wordSize;
    const size = sec.data.length;
    const fields = size % (3 * stride) === 0 && thirdFieldIsNamespace(elf, sec.index, stride) ? 3 : 2;
    const entrySize = fields * stride;
    const count = Math.floor(size / entrySize);
    const crcSec = elf.section(crcSectionOf(sec.name));
    for (let k = 0; k < count; k++) {
      const base = k * entrySize;
      const name = stringField(elf, sec.index, base + stride, 'name');
      if (name === undefined) continue;
      const ns = fields === 3 ? stringField(elf, sec.index, base + 2 * stride, 'namespace') : undefined;
      const crc = crcSec ? crcAt(elf, crcSec, k) : undefined;
      out.push({ name, gpl: sec.name.includes('_gpl'), namespace: ns || undefined, crc, section: sec.name });
    }
  }
  return out;
}

/**
 * The CRC of entry `k` of a `__kcrctab*` section. Since 5.19 the entry is the CRC itself
 * (include/linux/export-internal.h SYMBOL_CRC), with no relocation. Before, it referred to the
 * absolute symbol `__crc_<name>` whose value is the CRC — a 32-bit `__crc_sym - .` with
 * CONFIG_MODULE_REL_CRCS, a pointer-sized reference before that — as kmod's kmod_elf_resolve_crc reads it.
 */
function crcAt(elf: ElfFile, crcSec: Section, k: number): bigint | undefined {
  const relocs = elf.relocationsFor(crcSec.index);
  if (relocs.length === 0) {
    return (k + 1) * 4 <= crcSec.data.length ? BigInt(elf.reader.u32(crcSec.offset + k * 4)) : undefined;
  }
  const width = relocationKind(elf.header.machine, relocs[0]!.type)?.size || 4;
  const rel = elf.relocationAt(crcSec.index, k * width);
  if (!rel) return undefined;
  const symtab = elf.symbols;
  if (!symtab) return undefined;
  const sym = symtab.get(rel.symbolIndex);
  if (sym.sectionIndex !== SectionIndex.SHN_ABS) return undefined;
  return BigInt.asUintN(32, BigInt(sym.value + rel.addend));
}

/**
 * Kernels before 5.4 had no namespace field: entries were { value, name }. With three fields the
 * third of the first entry is a namespace string (5.4-5.10 leave it 0, with no relocation, for no
 * namespace); with two, the same place is the second entry's value, which is not in
 * `__ksymtab_strings`.
 */
function thirdFieldIsNamespace(elf: ElfFile, index: number, stride: number): boolean {
  const rel = elf.relocationAt(index, 2 * stride);
  if (!rel) return true;
  const target = elf.relocationTarget(rel);
  return target.kind === 'section' && elf.sectionAt(target.sectionIndex).name === '__ksymtab_strings';
}

/** The string a pointer field of section `index` at `offset` refers to, via its relocation. */
function stringField(elf: ElfFile, index: number, offset: number, what: string): string | undefined {
  const rel = elf.relocationAt(index, offset);
  if (!rel) return undefined;
  const target: RelocationTarget = elf.relocationTarget(rel);
  if (target.kind !== 'section') {
    throw new ElfError(
      'BAD_KSYMTAB',
      `the ${what} of the __ksymtab entry at ${offset} refers to undefined symbol ${target.name}`,
      { offset: elf.sectionAt(index).offset + offset },
    );
  }
  return elf.stringAt(target.sectionIndex, target.offset, `export ${what}`);
}
