import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ElfError, type KernelModule, readModule, SectionType } from '../src/index.js';
import { corpusDir, modulesIn, SKIP_CORPUS } from './corpus.js';
import { fixture } from './fixtures.js';

/** A writable copy of kmodkit_test.ko (ELF64 little-endian) with helpers to corrupt its headers. */
function patched() {
  const bytes = fixture('kmodkit_test.ko').slice();
  const dv = new DataView(bytes.buffer);
  const shoff = Number(dv.getBigUint64(40, true));
  const mod = readModule(bytes);
  const index = (name: string) => mod.section(name)!.index;
  const shdr = (i: number) => shoff + i * 64;
  return {
    bytes,
    dv,
    index,
    mod,
    /** Writes field `field` (sh_name 0, sh_type 4, sh_flags 8, sh_addr 16, sh_offset 24, sh_size 32, sh_link 40, sh_info 44) of section i. */
    setShdr(i: number, field: number, value: number) {
      if (field >= 8 && field <= 32) dv.setBigUint64(shdr(i) + field, BigInt(value), true);
      else dv.setUint32(shdr(i) + field, value, true);
    },
    shdr,
  };
}

function thrown(f: () => unknown): ElfError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error('expected an ElfError');
}

describe('readModule checks only that the bytes are ELF', () => {
  test.each([
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('hello, world, this is not an ELF file')],
    ['magic only', Uint8Array.of(0x7f, 0x45, 0x4c, 0x46)],
    ['magic and 12 bytes', Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)],
  ])('%s: NOT_ELF, ENOEXEC', (_, bytes) => {
    const e = thrown(() => readModule(bytes));
    expect(e.code).toBe('NOT_ELF');
    expect(e.errno).toBe('ENOEXEC');
    expect(e.errnoNumber).toBe(8);
    expect(e.errnoMessage).toBe('Exec format error');
    expect(e.offset).toBe(0);
  });

  test('a bad class or data encoding is named', () => {
    const bytes = fixture('kmodkit_test.ko').slice(0, 64);
    bytes[4] = 3;
    expect(thrown(() => readModule(bytes))).toMatchObject({ code: 'BAD_CLASS', offset: 4 });
    bytes[4] = 2;
    bytes[5] = 0;
    expect(thrown(() => readModule(bytes))).toMatchObject({ code: 'BAD_DATA_ENCODING', offset: 5 });
  });

  test('a truncated header', () => {
    expect(thrown(() => readModule(fixture('kmodkit_test.ko').slice(0, 40)))).toMatchObject({
      code: 'TRUNCATED_HEADER',
    });
  });

  test('a truncated module reads lazily: the header yes, the sections no', () => {
    const mod = readModule(fixture('kmodkit_test.ko').slice(0, 1000));
    expect(mod.class).toBe('ELF64');
    expect(mod.machineName).toBe('EM_X86_64');
    expect(thrown(() => mod.sections).code).toBe('SECTION_HEADERS_OUT_OF_BOUNDS');
    expect(thrown(() => mod.modinfo).code).toBe('SECTION_HEADERS_OUT_OF_BOUNDS');
    expect(mod.validate()[0]).toMatchObject({ code: 'SECTION_HEADERS_OUT_OF_BOUNDS', errno: 'ENOEXEC' });
  });
});

describe('extended section numbering (SHN_XINDEX)', () => {
  test('e_shnum 0 and e_shstrndx SHN_XINDEX read through section 0', () => {
    const p = patched();
    const want = p.mod.sections.map((s) => [s.name, s.type, s.offset, s.size]);
    const shstrndx = p.dv.getUint16(62, true);
    p.setShdr(0, 32, want.length); // section 0 sh_size = the count
    p.setShdr(0, 40, shstrndx); // section 0 sh_link = the name table
    p.dv.setUint16(60, 0, true);
    p.dv.setUint16(62, 0xffff, true);
    const mod = readModule(p.bytes);
    expect(mod.sections.slice(1).map((s) => [s.name, s.type, s.offset, s.size])).toEqual(want.slice(1));
    expect(mod.params).toHaveLength(19);
    // The kernel reads e_shnum as stored (kernel/module/main.c elf_validity_check): it refuses.
    expect(mod.validate()[0]).toMatchObject({ code: 'BAD_SHSTRNDX', errno: 'ENOEXEC' });
  });

  test('a symbol with st_shndx SHN_XINDEX takes its section from SHT_SYMTAB_SHNDX', () => {
    const p = patched();
    const symtab = p.mod.elf.symbols!;
    const target = symtab.find('kmodkit_test_add')!;
    // Turn .comment into an SHT_SYMTAB_SHNDX table appended to the file.
    const table = new Uint8Array(symtab.count * 4);
    new DataView(table.buffer).setUint32(target.index * 4, target.sectionIndex, true);
    const bytes = new Uint8Array(p.bytes.length + table.length);
    bytes.set(p.bytes);
    bytes.set(table, p.bytes.length);
    const dv = new DataView(bytes.buffer);
    const comment = p.index('.comment');
    const at = p.shdr(comment);
    dv.setUint32(at + 4, SectionType.SHT_SYMTAB_SHNDX, true);
    dv.setBigUint64(at + 24, BigInt(p.bytes.length), true);
    dv.setBigUint64(at + 32, BigInt(table.length), true);
    dv.setUint32(at + 40, symtab.section.index, true);
    dv.setUint16(symtab.section.offset + target.index * 24 + 6, 0xffff, true);
    const sym = readModule(bytes).elf.symbols!.get(target.index);
    expect(sym.shndx).toBe(0xffff);
    expect(sym.sectionIndex).toBe(target.sectionIndex);
    expect(sym.name).toBe('kmodkit_test_add');
  });
});

/**
 * Each corruption against the check in kernel/module/main.c that refuses it; all are -ENOEXEC.
 * The first problem validate() reports is the one the kernel would fail with.
 */
describe('validate(): the kernel view', () => {
  const cases: [string, string, (p: ReturnType<typeof patched>) => void][] = [
    ['NOT_RELOCATABLE', 'e_type ET_DYN', (p) => p.dv.setUint16(16, 3, true)],
    ['BAD_SHENTSIZE', 'e_shentsize 40', (p) => p.dv.setUint16(58, 40, true)],
    ['BAD_SHSTRNDX', 'e_shstrndx 0', (p) => p.dv.setUint16(62, 0, true)],
    ['BAD_SHSTRNDX', 'e_shstrndx past e_shnum', (p) => p.dv.setUint16(62, 200, true)],
    ['SECTION_OUT_OF_BOUNDS', '.shstrtab past the end', (p) => p.setShdr(p.index('.shstrtab'), 24, 1 << 30)],
    ['EMPTY_SHSTRTAB', '.shstrtab empty', (p) => p.setShdr(p.index('.shstrtab'), 32, 0)],
    [
      'SHSTRTAB_NOT_TERMINATED',
      '.shstrtab without its final NUL',
      (p) => p.setShdr(p.index('.shstrtab'), 32, p.mod.section('.shstrtab')!.size - 1),
    ],
    ['BAD_SECTION_ZERO', 'section 0 with a size', (p) => p.setShdr(0, 32, 8)],
    ['BAD_SYMTAB_LINK', 'symtab sh_link 0', (p) => p.setShdr(p.index('.symtab'), 40, 0)],
    ['SECTION_OUT_OF_BOUNDS', '.modinfo past the end', (p) => p.setShdr(p.index('.modinfo'), 32, 1 << 20)],
    ['SECTION_OUT_OF_BOUNDS', 'size wraps around', (p) => p.setShdr(p.index('.data'), 32, 2 ** 53 - 1)],
    [
      'BAD_SECTION_NAME',
      'an ALLOC section named past .shstrtab',
      (p) => p.setShdr(p.index('.data'), 0, 100000),
    ],
    ['NO_SYMBOL_TABLE', 'no SHT_SYMTAB', (p) => p.setShdr(p.index('.symtab'), 4, SectionType.SHT_PROGBITS)],
    [
      'NO_THIS_MODULE',
      '.gnu.linkonce.this_module not SHF_ALLOC',
      (p) => p.setShdr(p.index('.gnu.linkonce.this_module'), 8, 0),
    ],
    [
      'NO_VERMAGIC',
      'vermagic renamed',
      (p) => {
        const sec = p.mod.section('.modinfo')!;
        const at = sec.offset + Buffer.from(sec.data).indexOf('vermagic=');
        p.bytes[at + 7] = 'x'.charCodeAt(0);
      },
    ],
  ];
  test.each(cases)('%s: %s', (code, _, corrupt) => {
    const p = patched();
    corrupt(p);
    const problems = readModule(p.bytes).validate();
    expect(problems[0], JSON.stringify(problems.map((e) => e.message))).toMatchObject({
      code,
      errno: 'ENOEXEC',
    });
    for (const e of problems) expect(e).toBeInstanceOf(ElfError);
  });

  test('WRONG_MACHINE when the kernel is another architecture', () => {
    const mod = readModule(fixture('kmodkit_test.ko'));
    expect(mod.validate({ machine: 62 })).toEqual([]);
    expect(mod.validate({ machine: 183 })[0]).toMatchObject({ code: 'WRONG_MACHINE', offset: 18 });
  });

  test('WRITABLE_EXEC_SECTION: STRICT_MODULE_RWX refuses a W+X section', () => {
    const p = patched();
    p.setShdr(p.index('.data'), 8, 0x1 | 0x2 | 0x4); // SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR
    expect(readModule(p.bytes).validate()[0]).toMatchObject({
      code: 'WRITABLE_EXEC_SECTION',
      errno: 'ENOEXEC',
    });
  });

  test('COMMON_SYMBOL: simplify_symbols refuses SHN_COMMON', () => {
    const p = patched();
    const sym = p.mod.elf.symbols!.find('kmodkit_test_add')!;
    p.dv.setUint16(p.mod.elf.symbols!.section.offset + sym.index * 24 + 6, 0xfff2, true);
    expect(readModule(p.bytes).validate()[0]).toMatchObject({ code: 'COMMON_SYMBOL' });
  });

  test('the properties that need a broken part throw ElfError; the others still work', () => {
    const p = patched();
    p.setShdr(p.index('.rela__param'), 24, 1 << 30);
    const mod: KernelModule = readModule(p.bytes);
    expect(mod.name).toBe('kmodkit_test');
    expect(mod.exports).toHaveLength(3);
    expect(thrown(() => mod.params)).toMatchObject({ code: 'SECTION_OUT_OF_BOUNDS' });
    expect(mod.validate().map((e) => e.code)).toEqual(['SECTION_OUT_OF_BOUNDS']);
  });
});

test('a malformed signature trailer: module_sig_check fails first, the ELF checks still run', () => {
  const bytes = fixture('kmodkit_test-signed.ko').slice();
  // struct module_signature (12 bytes) sits before the 28-byte magic; sig_len is its big-endian u32 at +8.
  new DataView(bytes.buffer).setUint32(bytes.length - 28 - 12 + 8, 0x7fffffff, false);
  const mod = readModule(bytes);
  expect(thrown(() => mod.signature).code).toMatch(/^SIGNATURE_/);
  expect(mod.name).toBe('kmodkit_test');
  const problems = mod.validate();
  expect(problems).toHaveLength(1);
  expect(problems[0]!.code).toMatch(/^SIGNATURE_/);
});

test('BAD_THIS_MODULE_SIZE: the 6.4+ check against the kernel struct module size', () => {
  const mod = readModule(fixture('kmodkit_test.ko'));
  // kmodkit_dep was built for the same kernel: its struct module is the kernel's size.
  const size = readModule(fixture('kmodkit_dep.ko')).thisModule!.size;
  expect(mod.validate({ thisModuleSize: size })).toEqual([]);
  expect(mod.validate({ thisModuleSize: size + 64 })[0]).toMatchObject({
    code: 'BAD_THIS_MODULE_SIZE',
    errno: 'ENOEXEC',
  });
});

describe('every byte error says where: the offset of the field or bytes at fault', () => {
  // [code, offset the error must carry, mutation of kmodkit_test.ko (ELF64 LE)]
  const cases: [
    string,
    (p: ReturnType<typeof patched>) => number,
    (p: ReturnType<typeof patched>) => void,
  ][] = [
    ['BAD_SHENTSIZE', () => 58, (p) => p.dv.setUint16(58, 72, true)],
    ['SECTION_HEADERS_OUT_OF_BOUNDS', () => 40, (p) => p.dv.setBigUint64(40, 1n << 40n, true)],
    ['BAD_SHSTRNDX', () => 62, (p) => p.dv.setUint16(62, 0, true)],
    [
      'SHSTRTAB_NOT_TERMINATED',
      (p) => p.mod.section('.shstrtab')!.offset + p.mod.section('.shstrtab')!.size - 2,
      (p) => p.setShdr(p.index('.shstrtab'), 32, p.mod.section('.shstrtab')!.size - 1),
    ],
    [
      'BAD_SECTION_INDEX',
      (p) => p.shdr(p.index('.symtab')) + 40,
      (p) => p.setShdr(p.index('.symtab'), 40, 0xfff0),
    ],
    [
      'SECTION_OUT_OF_BOUNDS',
      (p) => p.shdr(p.index('.modinfo')),
      (p) => p.setShdr(p.index('.modinfo'), 32, 1 << 24),
    ],
  ];
  test.each(cases)('%s', (code, where, mutate) => {
    const p = patched();
    const want = where(p);
    mutate(p);
    // A fresh read of the mutated bytes, its every part asked for: the first failure must be `code` at `want`.
    const e = thrown(() => {
      const mod = readModule(p.bytes);
      void mod.sections;
      void mod.modinfo;
      void mod.elf.symbols;
    });
    expect(e).toMatchObject({ code, offset: want });
    expect(e.message).toContain(`(at byte 0x${want.toString(16)})`);
  });

  test('e_shentsize has one rule in readModule, validate() and kmodCheck: sizeof(Elf64_Shdr) exactly', () => {
    for (const size of [0, 40, 63, 65, 128]) {
      const p = patched();
      p.dv.setUint16(58, size, true);
      const mod = readModule(p.bytes);
      expect(thrown(() => mod.sections)).toMatchObject({ code: 'BAD_SHENTSIZE', offset: 58 });
      expect(mod.validate()[0]).toMatchObject({ code: 'BAD_SHENTSIZE', offset: 58 });
    }
  });
});

// The other class and byte order: the header fields at their Elf32_Ehdr / big-endian Elf64_Ehdr offsets.
describe.skipIf(SKIP_CORPUS).each([
  ['i386', 'ELF32', 46, 50, true],
  ['s390x', 'ELF64', 58, 62, false],
] as const)('header offsets on a real %s module (%s)', (arch, cls, shentsizeAt, shstrndxAt, little) => {
  const original = readFileSync(modulesIn(corpusDir(arch), 500)[0]!);
  const mutated = (at: number, value: number) => {
    const bytes = new Uint8Array(original);
    new DataView(bytes.buffer).setUint16(at, value, little);
    return readModule(bytes);
  };
  test('BAD_SHENTSIZE and BAD_SHSTRNDX at their fields', () => {
    expect(readModule(new Uint8Array(original)).header.class).toBe(cls);
    expect(mutated(shentsizeAt, 0).validate()[0]).toMatchObject({
      code: 'BAD_SHENTSIZE',
      offset: shentsizeAt,
    });
    expect(thrown(() => mutated(shentsizeAt, 0).sections)).toMatchObject({ code: 'BAD_SHENTSIZE' });
    expect(mutated(shstrndxAt, 0).validate()[0]).toMatchObject({ code: 'BAD_SHSTRNDX', offset: shstrndxAt });
    expect(thrown(() => mutated(shstrndxAt, 0).sections)).toMatchObject({
      code: 'BAD_SHSTRNDX',
      offset: shstrndxAt,
    });
  });
});
