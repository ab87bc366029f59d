import { cString } from './byte-reader.js';
import type { ElfFile } from './elf-file.js';

/** One `__versions` entry: a symbol this module uses and the CRC it was built against. */
export interface SymbolVersion {
  readonly name: string;
  readonly crc: bigint;
}

/**
 * `__versions` as modpost writes it: an array of `struct modversion_info { unsigned long crc;
 * char name[64 - sizeof(unsigned long)]; }` (include/linux/module.h), so 64 bytes per entry with a
 * 4- or 8-byte CRC in the target's byte order. A leading '.' (ppc64 ELFv1 function descriptors)
 * is dropped, as kmod's kmod_elf_get_modversions does. A trailing partial entry is ignored.
 */
export function readVersions(elf: ElfFile): SymbolVersion[] {
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
