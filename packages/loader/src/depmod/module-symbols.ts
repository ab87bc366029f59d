/**
 * What depmod reads from one module, read the way kmod 30 reads it (`libkmod/libkmod-elf.c`), since
 * the indexes depend on every detail:
 *
 * - exports (`kmod_elf_get_symbols`): the `__crc_<name>` symbols of `.symtab`, with the CRC each
 *   one's value points at; a module without any falls back to the names in `__ksymtab_strings`
 *   (CRC 0);
 * - imports (`kmod_elf_get_dependency_symbols`): every named undefined symbol, with its `__versions`
 *   CRC (0 when it has none) and whether it is weak, then the `__versions` entries no symbol used;
 * - the `.modinfo` strings (`kmod_elf_get_strings`) depmod writes: `alias`, `softdep`, `weakdep`.
 *
 * Names and values are byte strings held as latin1 JS strings, so they are written back unchanged.
 * CRCs are numbers (exact below 2^53; kmod's "unresolvable" CRC, 2^64 - 1, is kept as the nearest
 * double, which no real CRC is).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type Compression, decompress, detectCompression, readModule } from '@kmodkit/elf';

/** One exported or imported symbol. */
export interface ModuleSymbol {
  readonly name: string;
  readonly crc: number;
}

/** An import: a symbol the module needs, and whether it is weak (STB_WEAK: needed only if present). */
export interface ModuleImport extends ModuleSymbol {
  readonly weak: boolean;
}

/** What depmod takes from one module; plain data, so that a worker thread can hand it over. */
export interface DepmodModuleData {
  /** kmod's `kmod_module_get_symbols`; empty when the module exports nothing. */
  readonly exports: readonly ModuleSymbol[];
  /** kmod's `kmod_module_get_dependency_symbols`; undefined where kmod gets none (no `.symtab`). */
  readonly imports: readonly ModuleImport[] | undefined;
  /** The `alias`, `softdep` and `weakdep` entries of `.modinfo`, in section order: [key, value]. */
  readonly info: readonly (readonly [string, string])[];
}

/** A module kmod could not open: the errno name (`ENOEXEC` …) of `kmod_file_open`/`kmod_elf_new`. */
export interface DepmodModuleFailure {
  readonly errno: string;
}

/** Decompresses a `.ko.gz`/`.ko.xz`/`.ko.zst` image; @kmodkit/elf's `decompress` unless the caller has a faster one. */
export type ModuleDecoder = (bytes: Uint8Array, kind: Exclude<Compression, 'none'>) => Uint8Array;

const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;
const STB_WEAK = 2;
const STT_SPARC_REGISTER = 13;
const EM_SPARC = 2;
const EM_SPARCV9 = 43;
/** sizeof(struct modversion_info) on both classes: an unsigned long CRC and the rest of 64 bytes of name. */
const MODVERSION_SIZE = 64;
/** kmod reads this many bytes to recognise a compression magic; a shorter file is EINVAL. */
const MAGIC_SIZE = 6;
/** The sections depmod reads. */
const WANTED = new Set(['.symtab', '.strtab', '__versions', '.modinfo', '__ksymtab_strings']);
/** Bytes read before the section header table, for the section names. */
const NAMES_SLACK = 4096;
/** Sections this close together are read in one piece. */
const MERGE_GAP = 64 * 1024;
const CRC_PREFIX = [0x5f, 0x5f, 0x63, 0x72, 0x63, 0x5f]; // "__crc_"

/** The bytes of the module being read, in one buffer reused from module to module (no garbage). */
let scratch = Buffer.alloc(0);
/** The first read: the ELF header, and all of a small module. */
const HEAD_READ = 4096;

/**
 * Reads the module at `path` as depmod needs it: for an uncompressed module only the ELF header, the
 * section headers and the sections depmod looks at are read (as kmod's mmap touches only those
 * pages); a compressed one is read whole and decompressed. Never throws: a file kmod could not open
 * gives the errno kmod would report.
 */
export function readDepmodModule(
  path: string,
  decoder?: ModuleDecoder,
): DepmodModuleData | DepmodModuleFailure {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return { errno: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  try {
    const size = fstatSync(fd).size;
    if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 2 * scratch.length));
    const bytes = scratch.subarray(0, size);
    const loaded: [number, number][] = [];
    const fill = (offset: number, length: number): void => {
      const start = Math.max(0, Math.min(offset, size));
      const end = Math.max(start, Math.min(offset + length, size));
      for (const [a, b] of loaded) if (a <= start && end <= b) return;
      let at = start;
      while (at < end) {
        const n = readSync(fd, bytes, at, end - at, at);
        if (n === 0) break;
        at += n;
      }
      loaded.push([start, at]);
    };
    fill(0, HEAD_READ);
    if (size < MAGIC_SIZE || detectCompression(bytes) === 'none')
      return depmodModuleData(bytes, decoder, fill);
    fill(0, size);
    return depmodModuleData(bytes, decoder);
  } catch (e) {
    return { errno: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link readDepmodModule} of bytes already read; `fill` (for an uncompressed image read in part)
 * reads a range of them on demand.
 */
export function depmodModuleData(
  file: Uint8Array,
  decoder?: ModuleDecoder,
  fill?: (offset: number, length: number) => void,
): DepmodModuleData | DepmodModuleFailure {
  if (file.length < MAGIC_SIZE) return { errno: 'EINVAL' };
  let image = file;
  const kind = detectCompression(file);
  if (kind !== 'none') {
    try {
      image = decoder ? decoder(file, kind) : decompress(file);
    } catch {
      return { errno: 'EINVAL' };
    }
    // Nothing decoded is a failed decompression to kmod's loaders too.
    if (image.length === 0) return { errno: 'EINVAL' };
  }
  // elf_identify: ELF magic and more than e_ident's 16 bytes, else ENOEXEC.
  if (
    image.length <= 16 ||
    image[0] !== 0x7f ||
    image[1] !== 0x45 ||
    image[2] !== 0x4c ||
    image[3] !== 0x46
  ) {
    return { errno: 'ENOEXEC' };
  }
  let elf: KmodElf;
  try {
    const module = readModule(image, { compression: kind });
    elf = new KmodElf(image, module.endian === 'little', module.class === 'ELF64', module.header, fill);
  } catch {
    return { errno: 'EINVAL' };
  }
  if (!elf.valid) return { errno: 'EINVAL' };
  return { exports: elf.exports(), imports: elf.imports(), info: elf.info() };
}

interface SectionSpan {
  readonly offset: number;
  readonly size: number;
}

/** The part of kmod's `struct kmod_elf` depmod uses: sections by name and raw reads, bounds as kmod checks them. */
class KmodElf {
  readonly #bytes: Buffer;
  readonly #view: DataView;
  readonly #le: boolean;
  readonly #is64: boolean;
  readonly #machine: number;
  readonly #shoff: number;
  readonly #shnum: number;
  /** Name → first valid section of that name (`kmod_elf_get_section` takes the first). */
  readonly #byName = new Map<string, SectionSpan>();
  readonly #fill: (offset: number, length: number) => void;
  readonly valid: boolean;

  constructor(
    image: Uint8Array,
    littleEndian: boolean,
    is64: boolean,
    header: { shoff: number; shnum: number; shentsize: number; shstrndx: number; machine: number },
    fill: ((offset: number, length: number) => void) | undefined,
  ) {
    this.#fill = fill ?? (() => {});
    this.#bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
    this.#view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    this.#le = littleEndian;
    this.#is64 = is64;
    this.#machine = header.machine;
    this.#shoff = header.shoff;
    this.#shnum = header.shnum;
    this.valid = this.#load(header.shentsize, header.shstrndx);
  }

  /** `kmod_elf_new`'s checks, then the name map. */
  #load(shentsize: number, shstrndx: number): boolean {
    const len = this.#bytes.length;
    // elf_identify: the file must be larger than the ELF header.
    if (len <= (this.#is64 ? 64 : 52)) return false;
    if (shentsize !== (this.#is64 ? 64 : 40)) return false;
    if (this.#shoff + shentsize * this.#shnum > len) return false;
    // ld puts the section names just before the header table: one read usually gets both.
    this.#fill(this.#shoff - NAMES_SLACK, shentsize * this.#shnum + NAMES_SLACK);
    const names = this.sectionAt(shstrndx);
    if (names !== undefined) this.#fill(names.offset, names.size);
    if (names === undefined || names.size === 0 || this.#bytes[names.offset + names.size - 1] !== 0)
      return false;
    // One decoding of the name table; the names are slices of it.
    const table = this.#bytes.toString('latin1', names.offset, names.offset + names.size);
    for (let i = 1; i < this.#shnum; i++) {
      const sec = this.sectionAt(i);
      if (sec === undefined) continue;
      const nameOff = this.#u32(this.#shoff + i * shentsize);
      if (nameOff >= names.size) continue;
      const name = table.slice(nameOff, table.indexOf('\0', nameOff));
      if (WANTED.has(name) && !this.#byName.has(name)) this.#byName.set(name, sec);
    }
    this.#prefetch();
    return true;
  }

  /** Reads the sections depmod needs in few reads: those close together (.symtab, .strtab) in one. */
  #prefetch(): void {
    const spans = [...this.#byName.values()].sort((a, b) => a.offset - b.offset);
    let start = -1;
    let end = -1;
    for (const s of spans) {
      if (start >= 0 && s.offset - end <= MERGE_GAP) {
        end = Math.max(end, s.offset + s.size);
        continue;
      }
      if (start >= 0) this.#fill(start, end - start);
      start = s.offset;
      end = s.offset + s.size;
    }
    if (start >= 0) this.#fill(start, end - start);
  }

  #u16(at: number): number {
    return this.#view.getUint16(at, this.#le);
  }

  #u32(at: number): number {
    return this.#view.getUint32(at, this.#le);
  }

  /** `elf_get_uint` of a word: 4 or 8 bytes, as a number (see the module comment on CRCs). */
  #word(at: number, size: number): number {
    if (at + size > this.#bytes.length) return 2 ** 64 - 1;
    if (size === 4) return this.#u32(at);
    const lo = this.#u32(at + (this.#le ? 0 : 4));
    const hi = this.#u32(at + (this.#le ? 4 : 0));
    return hi * 2 ** 32 + lo;
  }

  /** `elf_get_section_info`: undefined for index 0, past the table, or bytes past the file. */
  sectionAt(index: number): SectionSpan | undefined {
    if (index === 0 || index >= this.#shnum) return undefined;
    const at = this.#shoff + index * (this.#is64 ? 64 : 40);
    const offset = this.#is64 ? this.#word(at + 24, 8) : this.#u32(at + 16);
    const size = this.#is64 ? this.#word(at + 32, 8) : this.#u32(at + 20);
    if (offset + size > this.#bytes.length) return undefined;
    return { offset, size };
  }

  /** The first valid section called `name`, its bytes read. */
  #section(name: string): SectionSpan | undefined {
    const sec = this.#byName.get(name);
    if (sec !== undefined) this.#fill(sec.offset, sec.size);
    return sec;
  }

  #strtabText: string | undefined;

  /** A name in .strtab: a slice of the table decoded once (kmod reads on past the table's end). */
  #symbolName(strtab: SectionSpan, nameOff: number): string {
    this.#strtabText ??= this.#bytes.toString('latin1', strtab.offset, strtab.offset + strtab.size);
    const end = this.#strtabText.indexOf('\0', nameOff);
    return end < 0 ? this.#string(strtab.offset + nameOff) : this.#strtabText.slice(nameOff, end);
  }

  #string(at: number): string {
    const end = this.#bytes.indexOf(0, at);
    return this.#bytes.toString('latin1', at, end < 0 ? this.#bytes.length : end);
  }

  /** .symtab and .strtab, or undefined where kmod gives up on them. */
  #symbolTable(): { symtab: SectionSpan; strtab: SectionSpan; entry: number } | undefined {
    const strtab = this.#section('.strtab');
    const symtab = this.#section('.symtab');
    if (strtab === undefined || symtab === undefined) return undefined;
    const entry = this.#is64 ? 24 : 16;
    if (symtab.size % entry !== 0) return undefined;
    return { symtab, strtab, entry };
  }

  /** `kmod_elf_get_symbols`. */
  exports(): ModuleSymbol[] {
    const table = this.#symbolTable();
    if (table === undefined) return this.#ksymtabStrings();
    const { symtab, strtab, entry } = table;
    const bytes = this.#bytes;
    const count = symtab.size / entry;
    const found: number[] = [];
    for (let i = 1; i < count; i++) {
      const at = symtab.offset + i * entry;
      const nameOff = this.#u32(at);
      if (nameOff >= strtab.size) return this.#ksymtabStrings();
      const name = strtab.offset + nameOff;
      let k = 0;
      while (k < 6 && bytes[name + k] === CRC_PREFIX[k]) k++;
      if (k === 6) found.push(i);
    }
    if (found.length === 0) return this.#ksymtabStrings();
    const out: ModuleSymbol[] = [];
    for (const i of found) {
      const at = symtab.offset + i * entry;
      const name = this.#symbolName(strtab, this.#u32(at) + 6);
      const value = this.#is64 ? this.#word(at + 8, 8) : this.#u32(at + 4);
      const shndx = this.#u16(at + (this.#is64 ? 6 : 14));
      out.push({ name, crc: this.#resolveCrc(value, shndx) });
    }
    return out;
  }

  /** `kmod_elf_resolve_crc`: an absolute `__crc_` symbol is the CRC; otherwise it locates it (a u32). */
  #resolveCrc(value: number, shndx: number): number {
    if (shndx === SHN_ABS || shndx === SHN_UNDEF) return value;
    const sec = this.sectionAt(shndx);
    if (sec === undefined) return 2 ** 64 - 1;
    // kmod computes size - 4 in u64, so a section smaller than 4 bytes passes this check.
    if (sec.size >= 4 && value > sec.size - 4) return 2 ** 64 - 1;
    this.#fill(sec.offset + value, 4);
    return this.#word(sec.offset + value, 4);
  }

  /** `kmod_elf_get_symbols_symtab`: the names in `__ksymtab_strings`, CRC 0. */
  #ksymtabStrings(): ModuleSymbol[] {
    const sec = this.#section('__ksymtab_strings');
    if (sec === undefined) return [];
    return splitStrings(this.#bytes, sec.offset, sec.size).map((name) => ({ name, crc: 0 }));
  }

  /** `kmod_elf_get_dependency_symbols`. */
  imports(): ModuleImport[] | undefined {
    const crcSize = this.#is64 ? 8 : 4;
    let versions = this.#section('__versions');
    if (versions !== undefined && versions.size % MODVERSION_SIZE !== 0) versions = undefined;
    const table = this.#symbolTable();
    if (table === undefined) return undefined;
    const { symtab, strtab, entry } = table;
    // kmod_elf_crc_find takes the first entry of a name.
    const versionIndex = new Map<string, number>();
    const versionCount = versions === undefined ? 0 : versions.size / MODVERSION_SIZE;
    const versionNames: string[] = [];
    for (let v = 0; v < versionCount; v++) {
      const name = this.#string(versions!.offset + v * MODVERSION_SIZE + crcSize);
      versionNames.push(name);
      if (!versionIndex.has(name)) versionIndex.set(name, v);
    }
    const visited = new Uint8Array(versionCount);
    const crcAt = (v: number) => this.#word(versions!.offset + v * MODVERSION_SIZE, crcSize);
    const sparc = this.#machine === EM_SPARC || this.#machine === EM_SPARCV9;
    const count = symtab.size / entry;
    const out: ModuleImport[] = [];
    for (let i = 1; i < count; i++) {
      const at = symtab.offset + i * entry;
      const shndx = this.#u16(at + (this.#is64 ? 6 : 14));
      if (shndx !== SHN_UNDEF) continue;
      const info = this.#bytes[at + (this.#is64 ? 4 : 12)]!;
      if (sparc && (info & 0xf) === STT_SPARC_REGISTER) continue;
      const nameOff = this.#u32(at);
      if (nameOff >= strtab.size) return undefined;
      if (this.#bytes[strtab.offset + nameOff] === 0) continue;
      const name = this.#symbolName(strtab, nameOff);
      const v = versionIndex.get(name);
      if (v !== undefined) visited[v] = 1;
      out.push({ name, crc: v === undefined ? 0 : crcAt(v), weak: info >> 4 === STB_WEAK });
    }
    // module_layout and the like: in __versions, used by no symbol, still needed.
    for (let v = 0; v < versionCount; v++) {
      if (visited[v] === 0) out.push({ name: versionNames[v]!, crc: crcAt(v), weak: false });
    }
    return out;
  }

  /** `kmod_module_get_info`'s `.modinfo` strings, only the keys depmod writes. */
  info(): [string, string][] {
    const sec = this.#section('.modinfo');
    if (sec === undefined) return [];
    const out: [string, string][] = [];
    for (const entry of splitStrings(this.#bytes, sec.offset, sec.size)) {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (key === 'alias' || key === 'softdep' || key === 'weakdep')
        out.push([key, eq < 0 ? '' : entry.slice(eq + 1)]);
    }
    return out;
  }
}

/**
 * `kmod_elf_get_strings`: NUL-separated strings, empty ones (padding) skipped; a last string
 * without its NUL counts.
 */
function splitStrings(bytes: Buffer, offset: number, size: number): string[] {
  const out: string[] = [];
  const end = offset + size;
  let at = offset;
  // Leading padding is skipped first; what is left must be more than one byte.
  while (at < end - 1 && bytes[at] === 0) at++;
  if (end - at <= 1) return out;
  while (at < end) {
    if (bytes[at] === 0) {
      at++;
      continue;
    }
    let stop = bytes.indexOf(0, at);
    if (stop < 0 || stop > end) stop = end;
    out.push(bytes.toString('latin1', at, stop));
    at = stop + 1;
  }
  return out;
}
