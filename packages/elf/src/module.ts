import { SectionFlag, SectionIndex } from './constants.js';
import { ElfFile } from './elf-file.js';
import { ElfError } from './error.js';
import { type ExportedSymbol, readExports } from './exports.js';
import type { ElfHeader } from './header.js';
import { type ImportedSymbol, readImports } from './imports.js';
import { type ModinfoEntry, parseModinfo, parseSoftdeps, type SoftDeps } from './modinfo.js';
import { type ModuleParam, readParams } from './params.js';
import type { Section } from './section.js';
import { type ModuleSignature, readSignature } from './signature.js';
import { readThisModule, type ThisModule, thisModuleName } from './this-module.js';
import { elfErrorOrRethrow, kernelProblems, type ValidateOptions } from './validate.js';
import { readVersions, type SymbolVersion } from './versions.js';

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
  #derived: Map<string, unknown> | undefined;
  #params: readonly ModuleParam[] | undefined;
  #exports: readonly ExportedSymbol[] | undefined;
  #imports: readonly ImportedSymbol[] | undefined;
  #versions: readonly SymbolVersion[] | undefined;
  #thisModule: { value: ThisModule | undefined } | undefined;
  #signature: ReturnType<typeof readSignature> | undefined;

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

  /** A value derived from `.modinfo`, computed on first access and cached. */
  #once<T>(key: string, compute: () => T): T {
    this.#derived ??= new Map();
    const derived = this.#derived;
    if (derived.has(key)) return derived.get(key) as T;
    const value = compute();
    derived.set(key, value);
    return value;
  }

  /**
   * The module's name as the kernel takes it (kernel/module/main.c setup_load_info): `.modinfo`
   * `name` (modpost writes it for every module), else `struct module`'s name field in
   * `.gnu.linkonce.this_module`; undefined when neither gives one.
   */
  get name(): string | undefined {
    return this.#once('name', () => this.info('name') ?? (thisModuleName(this.elf) || undefined));
  }
  get vermagic(): string | undefined {
    return this.#once('vermagic', () => this.info('vermagic'));
  }
  get license(): string | undefined {
    return this.#once('license', () => this.info('license'));
  }
  get srcversion(): string | undefined {
    return this.#once('srcversion', () => this.info('srcversion'));
  }
  get version(): string | undefined {
    return this.#once('version', () => this.info('version'));
  }
  get description(): string | undefined {
    return this.#once('description', () => this.info('description'));
  }
  /** `depends=` split at commas, empty names dropped (modpost writes `depends=` even when empty). */
  get depends(): readonly string[] {
    return this.#once('depends', () =>
      this.infoAll('depends').flatMap((v) => v.split(',').filter((d) => d !== '')),
    );
  }
  get aliases(): readonly string[] {
    return this.#once('aliases', () => this.infoAll('alias'));
  }
  get softdeps(): SoftDeps {
    return this.#once('softdeps', () => parseSoftdeps(this.infoAll('softdep')));
  }
  get importNs(): readonly string[] {
    return this.#once('importNs', () => this.infoAll('import_ns'));
  }
  get firmware(): readonly string[] {
    return this.#once('firmware', () => this.infoAll('firmware'));
  }

  /**
   * The signature appended by `scripts/sign-file` (`~Module signature appended~` trailer), or null
   * for an unsigned module. Reads only the trailer and the signature block. Throws ElfError
   * (`SIGNATURE_*`) for a trailer that is there but malformed.
   */
  get signature(): ModuleSignature | null {
    this.#signature ??= readSignature(this.bytes);
    return this.#signature.signature;
  }

  /** The image length without the appended signature: what the signature covers and the kernel parses. */
  get contentLength(): number {
    try {
      this.#signature ??= readSignature(this.bytes);
      return this.#signature.contentLength;
    } catch (e) {
      elfErrorOrRethrow(e); // a malformed trailer: the kernel parses the whole image
      return this.bytes.length;
    }
  }

  /** Parameters decoded from `__param` and its relocations, joined with `parm`/`parmtype`. */
  get params(): readonly ModuleParam[] {
    this.#params ??= readParams(this.elf, this.modinfo);
    return this.#params;
  }

  /** Exported symbols from `__ksymtab*` (+ `__kcrctab*` CRCs), in section order. */
  get exports(): readonly ExportedSymbol[] {
    this.#exports ??= readExports(this.elf);
    return this.#exports;
  }

  /** Undefined symbols: what the module needs from the kernel and other modules. */
  get imports(): readonly ImportedSymbol[] {
    this.#imports ??= readImports(this.elf, this.versions);
    return this.#imports;
  }

  /**
   * The CRC of every symbol the module was built against (modversions), as the kernel checks them:
   * `__version_ext_crcs`/`__version_ext_names` when present (Linux 6.15+), else `__versions`.
   */
  get versions(): readonly SymbolVersion[] {
    this.#versions ??= readVersions(this.elf);
    return this.#versions;
  }

  /** `.gnu.linkonce.this_module`: struct module's name and whether init/exit are set. */
  get thisModule(): ThisModule | undefined {
    this.#thisModule ??= { value: readThisModule(this.elf) };
    return this.#thisModule.value;
  }

  /**
   * Every problem found, each a typed `ElfError`; never throws one (anything else thrown is a bug
   * of this package and is passed on). First the kernel's view
   * (module_sig_check, elf_validity_check, setup_load_info, check_modinfo, STRICT_MODULE_RWX,
   * simplify_symbols' SHN_COMMON rule: the
   * first entry is what init_module(2) would fail with), then anything that stops one of this
   * object's properties from being read.
   */
  validate(options: ValidateOptions = {}): ElfError[] {
    // module_sig_check runs first and strips the signature before elf_validity_check sees the image.
    const out = safe(() => this.signature).filter((e): e is ElfError => e instanceof ElfError);
    const length = options.length ?? this.contentLength;
    out.push(...safe(() => kernelProblems(this.elf, (key) => this.info(key), { ...options, length })).flat());
    // The later load steps, each only if everything before it passed.
    const passed = () => out.every((e) => e.code.startsWith('SIGNATURE_'));
    if (passed()) out.push(...safe(() => this.#writableExecutable()).flat());
    if (passed()) out.push(...safe(() => this.#commonSymbols()).flat());
    const key = (e: ElfError) => `${e.code}@${e.offset ?? e.message}`;
    const seen = new Set(out.map(key));
    const probes: (() => unknown)[] = [
      () => this.sections.map((s) => s.data),
      () => this.modinfo,
      () => this.elf.symbols?.all(),
      () => this.versions,
      () => this.imports,
      () => this.exports,
      () => this.params,
      () => this.thisModule,
    ];
    for (const probe of probes) {
      for (const e of safe(probe)) {
        if (e instanceof ElfError && !seen.has(key(e))) {
          seen.add(key(e));
          out.push(e);
        }
      }
    }
    return out;
  }

  /**
   * kernel/module/strict_rwx.c module_enforce_rwx_sections (layout_and_allocate, before symbols are
   * resolved): with CONFIG_STRICT_MODULE_RWX, which Debian enables, no section may be both
   * SHF_WRITE and SHF_EXECINSTR.
   */
  #writableExecutable(): ElfError[] {
    const wx = SectionFlag.SHF_WRITE | SectionFlag.SHF_EXECINSTR;
    for (const s of this.elf.sections) {
      if ((s.flags & wx) === wx) {
        return [
          new ElfError(
            'WRITABLE_EXEC_SECTION',
            `section ${s.index} (${s.name}) is both writable and executable`,
            {
              offset: s.headerOffset,
            },
          ),
        ];
      }
    }
    return [];
  }

  /** kernel/module/main.c simplify_symbols: a SHN_COMMON symbol fails the load ("-fno-common"). */
  #commonSymbols(): ElfError[] {
    const symtab = this.elf.symbols;
    if (!symtab) return [];
    for (let i = 1; i < symtab.count; i++) {
      if (symtab.sectionIndexOf(i) === SectionIndex.SHN_COMMON) {
        return [
          new ElfError(
            'COMMON_SYMBOL',
            `symbol ${symtab.nameOf(i)} is a common symbol: build with -fno-common`,
            {
              offset: symtab.section.offset + i * symtab.entrySize,
            },
          ),
        ];
      }
    }
    return [];
  }
}

/** Runs `f`; returns [] or its result on success and [error] on an ElfError (others are thrown on). */
function safe<T>(f: () => T): (T | ElfError)[] {
  try {
    const v = f();
    return v === undefined ? [] : [v];
  } catch (e) {
    return [elfErrorOrRethrow(e)];
  }
}
