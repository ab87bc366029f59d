import { cString } from './byte-reader.js';
import type { ElfFile } from './elf-file.js';
import { ElfError } from './error.js';

/** One `__versions` entry: a symbol this module uses and the CRC it was built against. */
export interface SymbolVersion {
  readonly name: string;
  readonly crc: bigint;
}

/**
 * The symbol versions the kernel checks the module's imports against (kernel/module/version.c
 * check_version): the extended tables when the module has them (CONFIG_EXTENDED_MODVERSIONS, Linux
 * 6.15 and later), else `__versions`.
 *
 * @throws ElfError `BAD_VERSIONS` (errno ENOEXEC) where the kernel's
 *   elf_validity_cache_index_versions refuses the extended tables: one of the two sections without
 *   the other, or more CRCs than names.
 */
export function readVersions(elf: ElfFile): SymbolVersion[] {
  return readExtendedVersions(elf) ?? readBasicVersions(elf);
}

/**
 * `__version_ext_crcs` (one 32-bit CRC per symbol, in the target's byte order) and
 * `__version_ext_names` (the names, NUL-terminated, back to back, in the same order), as modpost
 * writes them for CONFIG_EXTENDED_MODVERSIONS; undefined when the module has neither.
 */
function readExtendedVersions(elf: ElfFile): SymbolVersion[] | undefined {
  const crcs = elf.section('__version_ext_crcs');
  const names = elf.section('__version_ext_names');
  if (!crcs && !names) return undefined;
  const bad = (message: string, at: number): never => {
    throw new ElfError('BAD_VERSIONS', message, { offset: at, errno: 'ENOEXEC' });
  };
  if (!crcs || !names) {
    return bad('extended version crc+name presence does not match', (crcs ?? names)!.headerOffset);
  }
  const text = names.data;
  const out: SymbolVersion[] = [];
  let at = 0;
  for (let i = 0; i < Math.floor(crcs.size / 4); i++) {
    const end = text.indexOf(0, at);
    if (end < 0) bad('more extended version crcs than names', names.headerOffset);
    out.push({ name: cString(text, at), crc: BigInt(elf.reader.u32(crcs.offset + 4 * i)) });
    at = end + 1;
  }
  return out;
}

/**
 * `__versions` as modpost writes it: an array of `struct modversion_info { unsigned long crc;
 * char name[64 - sizeof(unsigned long)]; }` (include/linux/module.h), so 64 bytes per entry with a
 * 4- or 8-byte CRC in the target's byte order. A leading '.' (ppc64 ELFv1 function descriptors)
 * is dropped, as kmod's kmod_elf_get_modversions does. A trailing partial entry is ignored.
 */
function readBasicVersions(elf: ElfFile): SymbolVersion[] {
  const sec = elf.section('__versions');
  if (!sec) return [];
  const data = sec.data;
  const w = elf.wordSize;
  const out: SymbolVersion[] = [];
  const r = elf.reader;
  for (let o = 0; o + 64 <= data.length; o += 64) {
    const at = sec.offset + o;
    const crc = w === 8 ? r.u64(at) : BigInt(r.u32(at));
    let name = cString(data.subarray(o + w, o + 64), 0);
    if (name.startsWith('.')) name = name.slice(1);
    out.push({ name, crc });
  }
  return out;
}
