import { ElfFile } from './elf-file.js';
import type { ElfHeader } from './header.js';
import { type ModinfoEntry, parseModinfo, parseSoftdeps, type SoftDeps } from './modinfo.js';
import type { Section } from './section.js';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd';

export interface ReadModuleOptions {
  /**
   * Replaces the built-in decompressor (e.g. with `node:zlib` in Node). Called only for a
   * compressed input, with the detected kind; must return the ELF image.
   */
  decompress?: (bytes: Uint8Array, kind: Exclude<Compression, 'none'>) => Uint8Array;
  /**
   * Declares `bytes` as already decompressed from this kind (so `.compression` reports it); the
   * bytes are then read as ELF as they are.
   */
  compression?: Compression;
}

/**
 * A kernel module read lazily: `readModule` checks only the ELF identification; every property is
 * computed on first access and cached. Problems deeper in the file surface as `ElfError` from the
 * property that needs the broken part; `validate()` lists them the way the kernel would see them.
 */
export class KernelModule {
  /** The (decompressed) ELF image, signature included. */
  readonly bytes: Uint8Array;
  readonly compression: Compression;
  /** The ELF reader under this module: sections, symbols, relocations. */
  readonly elf: ElfFile;
  #modinfo: readonly ModinfoEntry[] | undefined;

  constructor(bytes: Uint8Array, compression: Compression) {
    this.bytes = bytes;
    this.compression = compression;
    this.elf = new ElfFile(bytes);
  }

  get header(): ElfHeader {
    return this.elf.header;
  }
  get class(): 'ELF32' | 'ELF64' {
    return this.elf.header.class;
  }
  get endian(): 'little' | 'big' {
    return this.elf.header.endian;
  }
  /** e_machine, e.g. 62 */
  get machine(): number {
    return this.elf.header.machine;
  }
  /** e_machine's name, e.g. 'EM_X86_64' */
  get machineName(): string {
    return this.elf.machineName;
  }

  get sections(): readonly Section[] {
    return this.elf.sections;
  }
  section(name: string): Section | undefined {
    return this.elf.section(name);
  }

  /** `.modinfo` entries in section order, duplicates kept; [] when the module has no `.modinfo`. */
  get modinfo(): readonly ModinfoEntry[] {
    if (this.#modinfo) return this.#modinfo;
    const sec = this.elf.section('.modinfo');
    this.#modinfo = sec ? parseModinfo(sec.data) : [];
    return this.#modinfo;
  }
  /** The first value of `key` (kernel/module/main.c get_modinfo), or undefined. */
  info(key: string): string | undefined {
    for (const e of this.modinfo) if (e.key === key) return e.value;
    return undefined;
  }
  /** Every value of `key`, in order. */
  infoAll(key: string): string[] {
    const out: string[] = [];
    for (const e of this.modinfo) if (e.key === key) out.push(e.value);
    return out;
  }

  /** `.modinfo` `name` (modpost writes it for every module). */
  get name(): string | undefined {
    return this.info('name');
  }
  get vermagic(): string | undefined {
    return this.info('vermagic');
  }
  get license(): string | undefined {
    return this.info('license');
  }
  get srcversion(): string | undefined {
    return this.info('srcversion');
  }
  get version(): string | undefined {
    return this.info('version');
  }
  get description(): string | undefined {
    return this.info('description');
  }
  /** `depends=` split at commas, empty names dropped (modpost writes `depends=` even when empty). */
  get depends(): string[] {
    return this.infoAll('depends').flatMap((v) => v.split(',').filter((d) => d !== ''));
  }
  get aliases(): string[] {
    return this.infoAll('alias');
  }
  get softdeps(): SoftDeps {
    return parseSoftdeps(this.infoAll('softdep'));
  }
  get importNs(): string[] {
    return this.infoAll('import_ns');
  }
  get firmware(): string[] {
    return this.infoAll('firmware');
  }
}
