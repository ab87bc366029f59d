// Deliberately broken variants of the fixture modules, made at test time from fixtures/modules, each
// with the errno Linux 6.1 answers for it (confirmed by the qemu test, predict-qemu.test.ts, which
// loads every one into the real kernel). Shared by the unit tests and the qemu test.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KernelModule, readModule, SectionFlag, SectionType } from '@kmodkit/elf';

export const repo = fileURLToPath(new URL('../../..', import.meta.url));
export const fixtures = join(repo, 'fixtures/modules');
const TEST = readFileSync(join(fixtures, 'kmodkit_test.ko'));
const DEP = readFileSync(join(fixtures, 'kmodkit_dep.ko'));
const SIGNED = readFileSync(join(fixtures, 'kmodkit_test-signed.ko'));
/** The kernel release the fixtures were built for (their headers' ABI), from their vermagic. */
export const FIXTURE_RELEASE = readModule(new Uint8Array(TEST)).vermagic!.split(' ')[0]!;

/** The system state a case runs in, in the order the qemu guest goes through them. */
export type State = 'clean' | 'loaded' | 'disabled';

export interface Variant {
  readonly id: string;
  readonly state: State;
  /** The module's name, to unload it after a successful load. */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly params: string;
  /** What the real kernel answers: errno name, or null for a load. */
  readonly errno: string | null;
  /** Modules to unload after a successful load, besides `name`. */
  readonly unload?: readonly string[];
  /** finit_module(2) flags (MODULE_INIT_IGNORE_MODVERSIONS = 1, MODULE_INIT_IGNORE_VERMAGIC = 2). */
  readonly flags?: number;
}

const enc = new TextEncoder();

function indexOf(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** `from` replaced by `to` (same length), where it occurs exactly once. */
export function replace(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const a = enc.encode(from);
  const b = enc.encode(to);
  if (a.length !== b.length) throw new Error(`replace: ${from} and ${to} differ in length`);
  const at = indexOf(bytes, a);
  if (at < 0 || indexOf(bytes, a, at + 1) >= 0) throw new Error(`replace: ${from} is not there exactly once`);
  const out = bytes.slice();
  out.set(b, at);
  return out;
}

/** The `__versions` entry of `symbol` (struct modversion_info: unsigned long crc; char name[56]) edited. */
function editVersion(
  bytes: Uint8Array,
  symbol: string,
  edit: (out: Uint8Array, entry: number) => void,
): Uint8Array {
  const m = readModule(bytes);
  const sec = m.section('__versions')!;
  const i = m.versions.findIndex((v) => v.name === symbol);
  if (i < 0) throw new Error(`no __versions entry for ${symbol}`);
  const out = bytes.slice();
  edit(out, sec.offset + i * 64);
  return out;
}

const wrongCrc = (bytes: Uint8Array, symbol: string) =>
  editVersion(bytes, symbol, (out, at) => {
    out[at] = out[at]! ^ 0x01;
  });

/**
 * A section gone from the kernel's view. `objcopy --remove-section` refuses a section that a section
 * symbol names (every one here), so it is renamed instead (`objcopy --rename-section`): find_sec looks
 * sections up by name. A pattern ending in `*` renames each match.
 */
function removeSection(bytes: Uint8Array, section: string, dir: string): Uint8Array {
  const input = join(dir, 'in.ko');
  const output = join(dir, 'out.ko');
  writeFileSync(input, bytes);
  const names = section.endsWith('*')
    ? readModule(bytes)
        .sections.map((s) => s.name)
        .filter((n) => n.startsWith(section.slice(0, -1)))
    : [section];
  if (names.length === 0) throw new Error(`no section ${section}`);
  execFileSync('objcopy', [
    ...names.flatMap((n) => ['--rename-section', `${n}=${n.slice(0, -1)}~`]),
    input,
    output,
  ]);
  return new Uint8Array(readFileSync(output));
}

/** The symbol table made SHT_PROGBITS (Elf64_Shdr: sh_type at +4): setup_load_info finds no SHT_SYMTAB. */
function noSymtab(bytes: Uint8Array): Uint8Array {
  const m = readModule(bytes);
  return patch(bytes, m.elf.symbols!.section.headerOffset + 4, [1, 0, 0, 0]);
}

function patch(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

function u16le(n: number): number[] {
  return [n & 0xff, n >> 8];
}

/** A section header's sh_flags with SHF_WRITE added (Elf64_Shdr: flags at +8). */
function writableText(bytes: Uint8Array): Uint8Array {
  const m = readModule(bytes);
  const text = m.section('.text')!;
  const out = bytes.slice();
  out[text.headerOffset + 8] = out[text.headerOffset + 8]! | SectionFlag.SHF_WRITE;
  return out;
}

/** A defined global symbol's st_shndx (Elf64_Sym: +6) set past e_shnum. */
function badSymbolSection(bytes: Uint8Array): { bytes: Uint8Array; symbol: string } {
  const m = readModule(bytes);
  const symtab = m.elf.symbols!;
  for (let i = 1; i < symtab.count; i++) {
    const shndx = symtab.sectionIndexOf(i);
    if (shndx > 0 && shndx < m.header.shnum && symtab.infoOf(i) >> 4 === 1) {
      return {
        bytes: patch(bytes, symtab.section.offset + i * 24 + 6, u16le(m.header.shnum + 3)),
        symbol: symtab.nameOf(i),
      };
    }
  }
  throw new Error('no defined global symbol');
}

/**
 * `__param` entry `from`'s `arg` pointed where entry `to`'s points (its RELA entry's r_info and
 * r_addend copied; Elf64_Rela is 24 bytes, the arg is the fifth word of struct kernel_param).
 */
function retargetParamArg(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const m = readModule(bytes);
  const param = m.section('__param')!;
  const rela = m.sections.find((s) => s.type === SectionType.SHT_RELA && s.info === param.index)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const entryFor = (name: string) => {
    const want = BigInt(m.params.findIndex((p) => p.name === name) * 40 + 32);
    for (let at = rela.offset; at < rela.offset + rela.size; at += 24) {
      if (view.getBigUint64(at, true) === want) return at;
    }
    throw new Error(`no relocation for ${name}'s arg`);
  };
  const out = bytes.slice();
  const src = entryFor(to);
  out.set(bytes.subarray(src + 8, src + 24), entryFor(from) + 8);
  return out;
}

/** The signed fixture's struct module_signature (12 bytes before the 28-byte marker) edited. */
function editSigInfo(edit: (out: Uint8Array, ms: number) => void): Uint8Array {
  const out = new Uint8Array(SIGNED).slice();
  edit(out, out.length - 28 - 12);
  return out;
}

/** A module whose exports are the given module's, in Module.symvers form (KBUILD_EXTRA_SYMBOLS). */
export function symversOf(module: KernelModule, path: string): string {
  return module.exports
    .map(
      (e) =>
        `0x${(e.crc ?? 0n).toString(16).padStart(8, '0')}\t${e.name}\t${path}\tEXPORT_SYMBOL${e.gpl ? '_GPL' : ''}\t${e.namespace ?? ''}\n`,
    )
    .join('');
}

/** Every variant, built in `dir` (scratch space for objcopy). */
export function variants(dir: string): Variant[] {
  mkdirSync(dir, { recursive: true });
  const test = new Uint8Array(TEST);
  const dep = new Uint8Array(DEP);
  const v = (
    id: string,
    bytes: Uint8Array,
    errno: string | null,
    more: Partial<Omit<Variant, 'id' | 'bytes' | 'errno'>> = {},
  ): Variant => ({ id, bytes, errno, state: 'clean', name: 'kmodkit_test', params: '', ...more });
  const bad = badSymbolSection(test);
  const signedLength = SIGNED.length;
  const contentLength = readModule(new Uint8Array(SIGNED)).contentLength;
  return [
    v('fixture loads', test, null),
    // vermagic (check_modinfo / same_magic)
    v(
      'another kernel release: ignored with modversions',
      replace(test, `vermagic=${FIXTURE_RELEASE}`, 'vermagic=6.1.0-99-amd64'),
      null,
    ),
    v(
      'a vermagic flag differs',
      replace(test, 'SMP preempt mod_unload', 'SMP preempX mod_unload'),
      'ENOEXEC',
    ),
    v(
      'no __versions: the release is compared too',
      removeSection(
        replace(test, `vermagic=${FIXTURE_RELEASE}`, 'vermagic=6.1.0-99-amd64'),
        '__versions',
        dir,
      ),
      'ENOEXEC',
    ),
    v('no __versions: loads forced (CONFIG_MODULE_FORCE_LOAD)', removeSection(test, '__versions', dir), null),
    // No license is 'unspecified': proprietary, so the GPL-only param_ops_bool_enable_only is not found.
    v(
      'no .modinfo: forced past the vermagic, then no GPL-only symbols',
      removeSection(test, '.modinfo', dir),
      'ENOENT',
    ),
    // modversions
    v('wrong CRC of module_layout', wrongCrc(test, 'module_layout'), 'ENOEXEC'),
    v('wrong CRC of _printk', wrongCrc(test, '_printk'), 'EINVAL'),
    v('wrong CRCs of two symbols', wrongCrc(wrongCrc(test, 'param_ops_int'), '_printk'), 'EINVAL'),
    v('no version entry for module_layout', replace(test, 'module_layout', 'module_layouX'), 'ENOEXEC'),
    // symbols
    v('missing dependency: kmodkit_dep without kmodkit_test', dep, 'ENOENT', { name: 'kmodkit_dep' }),
    v(
      'non-GPL license: GPL-only param_ops_bool_enable_only is unknown',
      replace(test, 'license=GPL', 'license=BSD'),
      'ENOENT',
    ),
    v(`symbol ${bad.symbol} with a section index past e_shnum`, bad.bytes, 'ENOEXEC'),
    v('a writable and executable .text', writableText(test), 'ENOEXEC'),
    // ELF
    v('empty file', new Uint8Array(0), 'EINVAL'),
    v('truncated to 100 bytes', test.slice(0, 100), 'ENOEXEC'),
    v('truncated to 40 bytes', test.slice(0, 40), 'ENOEXEC'),
    v('not ELF', enc.encode('#!/bin/sh\necho this is not a module\n'.repeat(4)), 'ENOEXEC'),
    v('e_type ET_EXEC', patch(test, 16, u16le(2)), 'ENOEXEC'),
    v('e_machine EM_AARCH64', patch(test, 18, u16le(183)), 'ENOEXEC'),
    v('e_shentsize 32', patch(test, 58, u16le(32)), 'ENOEXEC'),
    v('no .gnu.linkonce.this_module', removeSection(test, '.gnu.linkonce.this_module', dir), 'ENOEXEC'),
    v('no symbol table', noSymtab(test), 'ENOEXEC'),
    v('exports without CRCs (__kcrctab removed): loads forced', removeSection(test, '__kcrctab*', dir), null),
    // signatures (the fixture's key is not the kernel's: ENOKEY, which only taints)
    v('signed by a key the kernel lacks', new Uint8Array(SIGNED), null),
    v('signature stripped', new Uint8Array(SIGNED).slice(0, contentLength), null),
    v(
      'signed, a byte of the module edited',
      replace(new Uint8Array(SIGNED), 'description=kmodkit', 'description=kmodkiT'),
      null,
    ),
    v(
      'signature with sig_len past the module',
      editSigInfo((o, ms) => o.set([0x7f, 0xff, 0xff, 0xff], ms + 8)),
      'EBADMSG',
    ),
    v(
      'signature info with a non-zero hash field',
      editSigInfo((o, ms) => (o[ms + 1] = 4)),
      'EBADMSG',
    ),
    v(
      'signature of id_type PGP: unsupported, only taints',
      editSigInfo((o, ms) => (o[ms + 2] = 0)),
      null,
    ),
    v(
      'signature whose PKCS#7 is garbage',
      (() => {
        const o = new Uint8Array(SIGNED).slice();
        o.fill(0x55, contentLength + 2, contentLength + 40);
        return o;
      })(),
      'EBADMSG',
    ),
    v(
      'truncated signed module (the marker kept)',
      (() => {
        const o = new Uint8Array(SIGNED);
        return Uint8Array.from([...o.subarray(0, 64), ...o.subarray(signedLength - 40)]);
      })(),
      'EBADMSG',
    ),
    // finit_module flags (modprobe --force): no signature check, and what they ignore is forced (F)
    v('wrong CRC of module_layout, IGNORE_MODVERSIONS', wrongCrc(test, 'module_layout'), null, { flags: 1 }),
    v(
      'a vermagic flag differs, IGNORE_VERMAGIC',
      replace(test, 'SMP preempt mod_unload', 'SMP preempX mod_unload'),
      null,
      {
        flags: 2,
      },
    ),
    v(
      'signature info garbage, both IGNORE flags: not checked',
      editSigInfo((o, ms) => (o[ms + 1] = 4)),
      null,
      { flags: 3 },
    ),
    v('unknown finit_module flag 8', test, 'EINVAL', { flags: 8 }),
    // parameters (parse_args)
    v('p_int=abc', test, 'EINVAL', { params: 'p_int=abc' }),
    v('p_int without a value', test, 'EINVAL', { params: 'p_int' }),
    v('p_byte=256', test, 'ERANGE', { params: 'p_byte=256' }),
    v('p_short=32768', test, 'ERANGE', { params: 'p_short=32768' }),
    v('p_ushort=-1', test, 'EINVAL', { params: 'p_ushort=-1' }),
    v('p_uint=4294967296', test, 'ERANGE', { params: 'p_uint=4294967296' }),
    v('p_long=9223372036854775808', test, 'ERANGE', { params: 'p_long=9223372036854775808' }),
    v('p_ulong=-1', test, 'EINVAL', { params: 'p_ulong=-1' }),
    v('p_ullong=0x', test, 'EINVAL', { params: 'p_ullong=0x' }),
    v('p_hexint=0x1g', test, 'EINVAL', { params: 'p_hexint=0x1g' }),
    v('p_bool=maybe', test, 'EINVAL', { params: 'p_bool=maybe' }),
    v('p_invbool without a value', test, 'EINVAL', { params: 'p_invbool' }),
    v('p_bint=', test, 'EINVAL', { params: 'p_bint=' }),
    v('p_charp of 1025 bytes', test, 'ENOSPC', { params: `p_charp=${'x'.repeat(1025)}` }),
    v('p_string of 16 bytes', test, 'ENOSPC', { params: `p_string=${'x'.repeat(16)}` }),
    v('p_int_array of 5', test, 'EINVAL', { params: 'p_int_array=1,2,3,4,5' }),
    v('p_bool_enable_only set then cleared', test, 'EROFS', {
      params: 'p_bool_enable_only p_bool_enable_only=0',
    }),
    v('p_bool_enable_only=0 (default N)', test, null, { params: 'p_bool_enable_only=0' }),
    v(
      "p_bool_enable_only=0 when its variable is already true (p_bool's, default Y)",
      retargetParamArg(test, 'p_bool_enable_only', 'p_bool'),
      'EROFS',
      { params: 'p_bool_enable_only=0' },
    ),
    v('two bad values: the last one decides', test, 'ERANGE', { params: 'p_int=abc p_byte=256' }),
    v('an unknown parameter only warns', test, null, { params: 'nosuch=1 p_int=7' }),
    v('what follows -- is ignored', test, null, { params: 'p_int=1 -- p_int=abc' }),
    // with kmodkit_test loaded
    v('already loaded', test, 'EEXIST', { state: 'loaded' }),
    v('kmodkit_dep with kmodkit_test loaded', dep, null, { state: 'loaded', name: 'kmodkit_dep' }),
    v(
      'kmodkit_dep not importing namespace KMODKIT',
      replace(dep, 'import_ns=KMODKIT', 'import_ns=KMODKIX'),
      'EINVAL',
      { state: 'loaded', name: 'kmodkit_dep' },
    ),
    v('kmodkit_dep with a wrong CRC for kmodkit_test_add', wrongCrc(dep, 'kmodkit_test_add'), 'EINVAL', {
      state: 'loaded',
      name: 'kmodkit_dep',
    }),
    v('kmodkit_dep=abc parameter', dep, 'EINVAL', {
      state: 'loaded',
      name: 'kmodkit_dep',
      params: 'dep_count=abc',
    }),
    // modules_disabled=1 (last: it cannot be undone)
    v('modules_disabled', dep, 'EPERM', { state: 'disabled', name: 'kmodkit_dep' }),
  ];
}
