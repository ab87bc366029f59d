import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type KernelModule, readModule, SectionIndex } from '../src/index.js';
import { corpusDir, corpusDirs, modulesIn, SKIP_CORPUS } from './corpus.js';
import { HAVE_READELF } from './readelf.js';
import { expectSameAsReadelf } from './readelf-compare.js';
import { haveTool } from './tools.js';

/**
 * Debian 6.1 modules of every architecture Debian 12 builds: x86_64/arm64/s390x/ppc64le/mips64el
 * (RELA, 64-bit; s390x big-endian; mips64el with its three-type r_info), i386 and armhf (REL,
 * 32-bit); Debian 13's riscv64 (RELA, a 6.12 kernel) and Debian 14's loong64 (RELA, a 7.x kernel), both
 * shipped as `.ko.xz`. amd64 is read whole; the others every `step`-th module.
 */
const ARCHES: { arch: string; machine: string; cls: string; endian: string; step: number }[] = [
  { arch: 'amd64', machine: 'EM_X86_64', cls: 'ELF64', endian: 'little', step: 1 },
  { arch: 'arm64', machine: 'EM_AARCH64', cls: 'ELF64', endian: 'little', step: 10 },
  { arch: 'armhf', machine: 'EM_ARM', cls: 'ELF32', endian: 'little', step: 10 },
  { arch: 'i386', machine: 'EM_386', cls: 'ELF32', endian: 'little', step: 10 },
  { arch: 's390x', machine: 'EM_S390', cls: 'ELF64', endian: 'big', step: 10 },
  { arch: 'ppc64el', machine: 'EM_PPC64', cls: 'ELF64', endian: 'little', step: 10 },
  { arch: 'mips64el', machine: 'EM_MIPS', cls: 'ELF64', endian: 'little', step: 10 },
  { arch: 'riscv64', machine: 'EM_RISCV', cls: 'ELF64', endian: 'little', step: 10 },
  { arch: 'loong64', machine: 'EM_LOONGARCH', cls: 'ELF64', endian: 'little', step: 10 },
];

/** A module file's name without `.ko` and its compression suffix. */
const stem = (file: string) => basename(file).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '');

/** The file itself, or for a compressed module a decompressed copy (readelf reads only ELF). */
function plain(file: string, dir: string): string {
  if (file.endsWith('.ko')) return file;
  const out = join(dir, `${stem(file)}.ko`);
  const tool = file.endsWith('.xz') ? 'xz' : file.endsWith('.zst') ? 'zstd' : 'gzip';
  writeFileSync(out, execFileSync(tool, ['-dc', file], { maxBuffer: 1 << 28 }));
  return out;
}

/** kmod's view of a module's exports (libkmod-elf.c kmod_elf_get_symbols): the `__crc_*` symbols. */
function crcSymbols(mod: KernelModule): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const symtab = mod.elf.symbols;
  if (!symtab) return out;
  for (let i = 1; i < symtab.count; i++) {
    const name = symtab.nameOf(i);
    if (!name.startsWith('__crc_')) continue;
    const s = symtab.get(i);
    const crc =
      s.sectionIndex === SectionIndex.SHN_ABS
        ? BigInt(s.value)
        : BigInt(mod.elf.reader.u32(mod.elf.sectionAt(s.sectionIndex).offset + s.value));
    out.set(name.slice('__crc_'.length), crc);
  }
  return out;
}

/** `alias symbol:<sym> <module>` lines of depmod's modules.symbols, as "<module> <sym>". */
function depmodSymbols(dir: string): Set<string> {
  const version = basename(dir);
  const root = mkdtempSync(join(tmpdir(), 'kmodkit-depmod-'));
  try {
    // A hard-linked copy: depmod writes its indexes into the tree, the cache stays untouched.
    execFileSync('cp', ['-al', dirname(dirname(dir)), join(root, 'lib')]);
    execFileSync('depmod', ['-b', root, version]);
    const text = readFileSync(join(root, 'lib/modules', version, 'modules.symbols'), 'utf8');
    const out = new Set<string>();
    for (const line of text.split('\n')) {
      const m = /^alias symbol:(\S+) (\S+)$/.exec(line);
      if (m) out.add(`${m[2]} ${m[1]}`);
    }
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** `modprobe --dump-modversions`: kmod's reading of `__versions`. */
function kmodVersions(file: string): { name: string; crc: bigint }[] {
  const out = execFileSync('modprobe', ['--dump-modversions', file], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [crc, name] = l.split('\t');
      return { name: name!, crc: BigInt(crc!) };
    });
}

/** Whether the module was built with CONFIG_MODVERSIONS (its vermagic says so, as the kernel's does). */
const modversions = (mod: KernelModule) => / modversions /.test(`${mod.vermagic} `);

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const HAVE_KMOD = haveTool('depmod');

describe.skipIf(SKIP_CORPUS).each(ARCHES)('Debian $arch', ({ arch, machine, cls, endian, step }) => {
  let dir = '';
  let files: string[] = [];
  const mods = new Map<string, KernelModule>();

  beforeAll(() => {
    corpusDirs(ARCHES.map((a) => a.arch)); // one fetch-corpus.sh run for all of them
    dir = corpusDir(arch);
    files = modulesIn(dir, step);
    for (const f of files) mods.set(f, readModule(new Uint8Array(readFileSync(f))));
  }, 600_000);
  afterAll(() => mods.clear());

  test('every module reads and validates without a problem', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const [f, mod] of mods) {
      expect(mod.validate(), f).toEqual([]);
      expect([mod.machineName, mod.class, mod.endian], f).toEqual([machine, cls, endian]);
      expect(mod.name, f).toBe(stem(f).replaceAll('-', '_'));
      expect(mod.thisModule?.name, f).toBe(mod.name);
    }
  });

  test('params decoded from __param agree with parm/parmtype in .modinfo', () => {
    let checked = 0;
    for (const [f, mod] of mods) {
      const described = new Set(mod.infoAll('parm').map((v) => v.slice(0, v.indexOf(':'))));
      const typed = new Set(mod.infoAll('parmtype').map((v) => v.slice(0, v.indexOf(':'))));
      const names = new Set(mod.params.map((p) => p.name.slice(p.name.lastIndexOf('.') + 1)));
      // every parmtype names a real parameter (parm alone may describe a core_param etc.)
      for (const n of typed) expect(names.has(n), `${f}: parmtype ${n} has a __param entry`).toBe(true);
      for (const p of mod.params) {
        const bare = p.name.slice(p.name.lastIndexOf('.') + 1);
        expect(p.description !== undefined, `${f}: ${p.name} description`).toBe(described.has(bare));
        if (p.parmtype === undefined || p.type === 'custom' || p.elementType === 'custom') continue;
        const want = p.type === 'array' ? `array of ${p.elementType}` : p.type;
        expect(want, `${f}: ${p.name}`).toBe(p.parmtype);
        if (p.type === 'array' || p.type === 'string')
          expect(p.maxLength, `${f}: ${p.name}`).toBeGreaterThan(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(arch === 'amd64' ? 4000 : 100);
  });

  test('exports agree with the __crc_ symbols (kmod) and CRCs with __kcrctab', () => {
    let checked = 0;
    for (const [f, mod] of mods) {
      if (!modversions(mod)) {
        // A kernel built without CONFIG_MODVERSIONS (Debian's loong64): no CRCs anywhere.
        expect(
          mod.exports.filter((e) => e.crc !== undefined),
          f,
        ).toEqual([]);
        checked += mod.exports.length;
        continue;
      }
      const crcs = crcSymbols(mod);
      const exports = new Map(mod.exports.map((e) => [e.name, e.crc]));
      expect([...exports.keys()].sort(), f).toEqual([...crcs.keys()].sort());
      for (const [name, crc] of crcs) expect(exports.get(name), `${f}: ${name}`).toBe(crc);
      checked += exports.size;
    }
    expect(checked).toBeGreaterThan(arch === 'amd64' ? 10000 : 500);
  });

  test.skipIf(!HAVE_KMOD)(
    'exports agree with depmod modules.symbols',
    () => {
      const depmod = depmodSymbols(dir);
      const ours = new Set<string>();
      // kmod reads exports from the __crc_ symbols; a module without them (no modversions) gets every
      // string of __ksymtab_strings, where since Linux 6.x the namespaces are too.
      const namespaces = new Set<string>();
      const sampled = new Set<string>();
      for (const mod of mods.values()) {
        sampled.add(mod.name!);
        for (const e of mod.exports) {
          ours.add(`${mod.name} ${e.name}`);
          if (e.namespace && !modversions(mod)) namespaces.add(`${mod.name} ${e.namespace}`);
        }
      }
      const theirs = [...depmod].filter((l) => sampled.has(l.slice(0, l.indexOf(' '))));
      expect([...ours].filter((l) => !depmod.has(l))).toEqual([]);
      expect(theirs.filter((l) => !ours.has(l) && !namespaces.has(l)).sort()).toEqual([]);
    },
    120_000,
  );

  test.skipIf(!HAVE_KMOD)(
    '__versions agree with modprobe --dump-modversions (sample)',
    () => {
      const sample = files.filter((f, i) => i % 40 === 0 && modversions(mods.get(f)!));
      // Empty only for a kernel without modversions (loong64), where there is nothing to dump.
      if (sample.length === 0) expect([...mods.values()].some(modversions)).toBe(false);
      for (const f of sample) expect(mods.get(f)!.versions, f).toEqual(kmodVersions(f));
    },
    120_000,
  );

  test.skipIf(!HAVE_READELF)(
    'sections, symbols and relocations agree with readelf (sample)',
    () => {
      const sample = files.filter((_, i) => i % (arch === 'amd64' ? 200 : 20) === 0);
      const scratch = mkdtempSync(join(tmpdir(), 'kmodkit-readelf-'));
      try {
        for (const f of sample) expectSameAsReadelf(plain(f, scratch));
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    300_000,
  );

  test('imports are what modpost versioned: __versions less module_layout, same CRCs', () => {
    let checked = 0;
    for (const [f, mod] of mods) {
      if (!modversions(mod)) {
        // No modversions: the imports are the undefined symbols, unversioned.
        expect(mod.versions, f).toEqual([]);
        expect(
          mod.imports.filter((i) => i.crc !== undefined),
          f,
        ).toEqual([]);
        checked += mod.imports.length;
        continue;
      }
      const versions = mod.versions.filter((v) => v.name !== 'module_layout');
      // modpost versions no `.TOC.`: the ppc64 loader resolves it itself (scripts/mod/modpost.c ignore_undef_symbol)
      // and a weak reference to a symbol nobody exports gets no version.
      const versioned = new Set(versions.map((v) => v.name));
      const imports = mod.imports
        .filter((i) => i.name !== '.TOC.' && !(i.weak && !versioned.has(i.name)))
        .map((i) => ({ name: i.name, crc: i.crc }));
      expect(imports.sort(byName), f).toEqual(versions.sort(byName));
      for (const i of mod.imports)
        expect(mod.elf.symbols!.find(i.name)?.sectionIndex, f).toBe(SectionIndex.SHN_UNDEF);
      checked += versions.length;
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
