import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { detectCompression, ElfError, isCompressed, type ModuleParam, readModule } from '../src/index.js';
import { fixture, goldenModinfo } from './fixtures.js';

/**
 * The parameters of fixtures/src/kmodkit_test/kmodkit_test.c, written from the C source: type
 * from the module_param* macro, perm from its last argument, sizes from the declarations.
 */
const SOURCE_PARAMS: Record<string, Partial<ModuleParam>> = {
  p_byte: { type: 'byte', perm: 0o644 },
  p_short: { type: 'short', perm: 0o444 },
  p_ushort: { type: 'ushort', perm: 0 },
  p_int: { type: 'int', perm: 0o644 },
  p_uint: { type: 'uint', perm: 0o600 },
  p_long: { type: 'long', perm: 0o444 },
  p_ulong: { type: 'ulong', perm: 0 },
  p_ullong: { type: 'ullong', perm: 0o644 },
  p_hexint: { type: 'hexint', perm: 0o644 },
  p_charp: { type: 'charp', perm: 0o644 },
  p_bool: { type: 'bool', perm: 0o644 },
  p_invbool: { type: 'invbool', perm: 0o444 },
  p_bint: { type: 'bint', perm: 0o644 },
  p_bool_enable_only: { type: 'bool_enable_only', perm: 0o644 },
  // module_param_string(p_string, p_string, sizeof(p_string) /* char[16] */, 0644)
  p_string: { type: 'string', perm: 0o644, maxLength: 16, ops: 'param_ops_string' },
  // int p_int_array[4]; unsigned int elements of 4 bytes
  p_int_array: {
    type: 'array',
    elementType: 'int',
    elementOps: 'param_ops_int',
    elementSize: 4,
    maxLength: 4,
    perm: 0o644,
  },
  // char *p_charp_array[3]; pointers of 8 bytes on x86_64
  p_charp_array: { type: 'array', elementType: 'charp', elementSize: 8, maxLength: 3, perm: 0o444 },
  p_named: { type: 'int', perm: 0o644, ops: 'param_ops_int' },
  // module_param_cb(p_cb, &p_cb_ops, ...): ops defined in the module
  p_cb: { type: 'custom', perm: 0o644, ops: 'p_cb_ops' },
};

/** kmod's `parm:` lines: `name:description (parmtype)`, or just one of the two (tools/modinfo.c). */
function kmodParmLines(params: readonly ModuleParam[]): string[] {
  return params.flatMap((p) => {
    let text = `${p.name}:`;
    if (p.description !== undefined && p.parmtype !== undefined) text += `${p.description} (${p.parmtype})`;
    else text += p.description ?? p.parmtype ?? '';
    return `${'parm:'.padEnd(16)}${text}`.split('\n');
  });
}

describe.each(['kmodkit_test.ko', 'kmodkit_test-stripped.ko', 'kmodkit_test-signed.ko'])('%s', (name) => {
  const mod = readModule(fixture(name));

  test('every parameter of the C source, decoded from __param', () => {
    const got = Object.fromEntries(mod.params.map((p) => [p.name, p]));
    expect(Object.keys(got).sort()).toEqual(Object.keys(SOURCE_PARAMS).sort());
    for (const [pname, want] of Object.entries(SOURCE_PARAMS)) {
      expect(got[pname], pname).toMatchObject({ ...want, level: -1, flags: 0 });
      if (want.type !== 'array') expect(got[pname]!.elementType, pname).toBeUndefined();
      if (want.type !== 'array' && want.type !== 'string')
        expect(got[pname]!.maxLength, pname).toBeUndefined();
    }
  });

  test('descriptions and parmtypes joined as kmod modinfo prints them', () => {
    // parm lines come last, after any signature lines (kmod 30 tools/modinfo.c)
    const lines = goldenModinfo(name);
    const golden = lines.slice(lines.findIndex((l) => l.startsWith('parm:'))).filter((l) => l !== '');
    // kmod orders parm lines by .modinfo; __param is in link order: compare as sets of lines.
    expect(kmodParmLines(mod.params).sort()).toEqual(golden.sort());
  });

  test('exports: plain, GPL, GPL in namespace KMODKIT, with CRCs', () => {
    expect(
      mod.exports.map(({ name, gpl, namespace, section }) => ({ name, gpl, namespace, section })),
    ).toEqual([
      { name: 'kmodkit_test_add', gpl: false, namespace: undefined, section: '__ksymtab' },
      { name: 'kmodkit_test_gpl_value', gpl: true, namespace: undefined, section: '__ksymtab_gpl' },
      { name: 'kmodkit_test_ns_name', gpl: true, namespace: 'KMODKIT', section: '__ksymtab_gpl' },
    ]);
    // The oracle for the CRCs: kmodkit_dep was built against them (modpost copied them to its __versions).
    const dep = readModule(fixture('kmodkit_dep.ko'));
    for (const e of mod.exports) {
      expect(e.crc, e.name).toBeDefined();
      expect(dep.versions.find((v) => v.name === e.name)?.crc, e.name).toBe(e.crc);
    }
  });

  test('struct module: name, init and exit', () => {
    expect(mod.thisModule).toMatchObject({ name: 'kmodkit_test', hasInit: true, hasExit: true });
    expect(mod.validate()).toEqual([]);
  });
});

test('kmodkit_dep: imports kmodkit_test exports, with the CRCs it was built against', () => {
  const dep = readModule(fixture('kmodkit_dep.ko'));
  const test = readModule(fixture('kmodkit_test.ko'));
  const imports = new Map(dep.imports.map((i) => [i.name, i]));
  for (const e of test.exports)
    expect(imports.get(e.name)).toEqual({ name: e.name, weak: false, crc: e.crc });
  expect(dep.params.map((p) => [p.name, p.type, p.perm])).toEqual(
    expect.arrayContaining([
      ['dep_count', 'int', 0o644],
      ['dep_name', 'charp', 0o444],
    ]),
  );
  expect(dep.versions.map((v) => v.name)).toContain('module_layout');
  expect(dep.exports).toEqual([]);
});

describe('compressed modules', () => {
  const plain = readModule(fixture('kmodkit_test.ko'));
  const facts = (m: ReturnType<typeof readModule>) => ({
    modinfo: m.modinfo.map(({ key, value }) => ({ key, value })),
    params: m.params,
    exports: m.exports,
    imports: m.imports,
    sections: m.sections.length,
  });

  test.each([
    ['kmodkit_test.ko.gz', 'gzip'],
    ['kmodkit_test.ko.xz', 'xz'],
    ['kmodkit_test.ko.zst', 'zstd'],
  ] as const)('%s is detected by magic and reads as the .ko', (name, kind) => {
    const bytes = fixture(name);
    expect(detectCompression(bytes)).toBe(kind);
    expect(isCompressed(bytes)).toBe(true);
    const mod = readModule(bytes);
    expect(mod.compression).toBe(kind);
    expect(mod.bytes).toEqual(plain.bytes);
    expect(facts(mod)).toEqual(facts(plain));
  });

  test('a pluggable decompressor (node:zlib) and already-decompressed input', () => {
    const calls: string[] = [];
    const mod = readModule(fixture('kmodkit_test.ko.gz'), {
      decompress: (bytes, kind) => {
        calls.push(kind);
        return new Uint8Array(gunzipSync(bytes));
      },
    });
    expect(calls).toEqual(['gzip']);
    expect(mod.compression).toBe('gzip');
    expect(facts(mod)).toEqual(facts(plain));
    const declared = readModule(fixture('kmodkit_test.ko'), { compression: 'xz' });
    expect(declared.compression).toBe('xz');
    expect(declared.name).toBe('kmodkit_test');
    expect(isCompressed(fixture('kmodkit_test.ko'))).toBe(false);
  });

  test('a failing decompressor is an ElfError', () => {
    const e = (() => {
      try {
        readModule(fixture('kmodkit_test.ko.xz'), {
          decompress: () => {
            throw new TypeError('boom');
          },
        });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ElfError);
    expect(e).toMatchObject({ code: 'DECOMPRESS_FAILED', errno: 'ENOEXEC' });
  });
});

test('signature: the signed module has one, and the kernel parses only what it covers', () => {
  const signed = readModule(fixture('kmodkit_test-signed.ko'));
  const plain = readModule(fixture('kmodkit_test.ko'));
  expect(signed.signature).toMatchObject({
    idType: 'PKCS#7',
    signer: 'kmodkit test signing key',
    hashAlgorithm: 'sha256',
  });
  expect(signed.contentLength).toBe(plain.bytes.length);
  expect(signed.bytes.subarray(0, signed.contentLength)).toEqual(plain.bytes);
  expect(plain.signature).toBeNull();
  expect(plain.contentLength).toBe(plain.bytes.length);
  expect(signed.validate()).toEqual([]);
});

describe('older __ksymtab layouts', () => {
  /** kmodkit_test.ko with the r_offset of some .rela__ksymtab_gpl entries rewritten (undefined: moved out of the way). */
  function withKsymtabGpl(remap: (offset: number) => number | undefined, size?: number): Uint8Array {
    const bytes = fixture('kmodkit_test.ko').slice();
    const mod = readModule(bytes);
    const dv = new DataView(bytes.buffer);
    const rela = mod.section('.rela__ksymtab_gpl')!;
    for (let o = rela.offset; o < rela.offset + rela.size; o += 24) {
      const to = remap(Number(dv.getBigUint64(o, true)));
      dv.setBigUint64(o, BigInt(to ?? 0x10000), true);
    }
    if (size !== undefined) {
      const sec = mod.section('__ksymtab_gpl')!;
      dv.setBigUint64(sec.headerOffset + 32, BigInt(size), true);
    }
    return bytes;
  }

  test('5.4-5.10: no namespace is a zero field without a relocation', () => {
    const bytes = withKsymtabGpl((o) => (o % 12 === 8 ? undefined : o));
    const gpl = readModule(bytes).exports.filter((e) => e.gpl);
    expect(gpl.map((e) => [e.name, e.namespace])).toEqual([
      ['kmodkit_test_gpl_value', undefined],
      ['kmodkit_test_ns_name', undefined],
    ]);
  });

  test('before 5.4: { value, name } entries', () => {
    // [v0 n0 ns0 v1 n1 ns1] → [v0 n0 v1 n1]
    const bytes = withKsymtabGpl((o) => ({ 0: 0, 4: 4, 12: 8, 16: 12 })[o], 16);
    const mod = readModule(bytes);
    expect(mod.exports.map((e) => [e.name, e.gpl, e.namespace])).toEqual([
      ['kmodkit_test_add', false, undefined],
      ['kmodkit_test_gpl_value', true, undefined],
      ['kmodkit_test_ns_name', true, undefined],
    ]);
  });

  test('before 5.4 with a multiple of three entries: the third field is the next value, not a namespace', () => {
    // [v0 n0 ns0 v1 n1 ns1] → [v0 n0 v1 n1 x2 n2]: 24 bytes either way; n2 is ns1's string 'KMODKIT'
    const bytes = withKsymtabGpl((o) => ({ 0: 0, 4: 4, 8: 16, 12: 8, 16: 12, 20: 20 })[o]);
    const gpl = readModule(bytes).exports.filter((e) => e.gpl);
    expect(gpl.map((e) => [e.name, e.namespace])).toEqual([
      ['kmodkit_test_gpl_value', undefined],
      ['kmodkit_test_ns_name', undefined],
      ['KMODKIT', undefined],
    ]);
  });
});

test('before 5.19: the __kcrctab entry refers to the absolute symbol __crc_<name>', () => {
  // Rebuild kmodkit_test.ko's __kcrctab as 4.10-5.18 wrote it: `.long __crc_kmodkit_test_add - .`
  // (R_X86_64_PC32 against an SHN_ABS symbol whose value is the CRC). .rela.exit.data, one entry,
  // is borrowed as its relocation section.
  const bytes = fixture('kmodkit_test.ko').slice();
  const mod = readModule(bytes);
  const dv = new DataView(bytes.buffer);
  const symtab = mod.elf.symbols!;
  const crcSym = symtab.find('__crc_kmodkit_test_add')!;
  const kcrctab = mod.section('__kcrctab')!;
  const rela = mod.section('.rela.exit.data')!;
  dv.setUint32(kcrctab.offset, 0, true); // the place holds no CRC any more
  dv.setUint32(rela.headerOffset + 44, kcrctab.index, true); // sh_info → __kcrctab
  dv.setBigUint64(rela.offset, 0n, true); // r_offset
  dv.setBigUint64(rela.offset + 8, (BigInt(crcSym.index) << 32n) | 2n, true); // r_info: sym, R_X86_64_PC32
  dv.setBigInt64(rela.offset + 16, 0n, true); // r_addend
  const symAt = symtab.section.offset + crcSym.index * 24;
  dv.setUint16(symAt + 6, 0xfff1, true); // st_shndx = SHN_ABS
  dv.setBigUint64(symAt + 8, 0x12345678n, true); // st_value = the CRC
  const add = readModule(bytes).exports.find((e) => e.name === 'kmodkit_test_add')!;
  expect(add.crc).toBe(0x12345678n);
});

test('a module in a view at an odd offset of a larger buffer reads the same', () => {
  for (const name of ['kmodkit_test.ko', 'kmodkit_test-signed.ko']) {
    const plain = fixture(name);
    const big = new Uint8Array(plain.length + 100).fill(0xa5);
    big.set(plain, 13);
    const view = big.subarray(13, 13 + plain.length);
    const a = readModule(plain);
    const b = readModule(view);
    expect(b.modinfo.map(({ key, value }) => [key, value])).toEqual(
      a.modinfo.map(({ key, value }) => [key, value]),
    );
    expect(b.params).toEqual(a.params);
    expect(b.exports).toEqual(a.exports);
    expect(b.imports).toEqual(a.imports);
    expect(b.versions).toEqual(a.versions);
    expect(b.elf.symbols!.all()).toEqual(a.elf.symbols!.all());
    expect(b.signature?.signer).toEqual(a.signature?.signer);
    expect(b.validate()).toEqual([]);
  }
});

describe('name, as the kernel takes it (setup_load_info)', () => {
  /** The fixture with one `.modinfo` string's key renamed in place (same length, so nothing moves). */
  function withoutModinfoName(): Uint8Array {
    const bytes = fixture('kmodkit_test.ko').slice();
    const modinfo = readModule(bytes).section('.modinfo')!;
    const text = Buffer.from(bytes.buffer, modinfo.offset, modinfo.size);
    const at = text.indexOf('\0name=') + 1;
    expect(at).toBeGreaterThan(0);
    bytes[modinfo.offset + at] = 'x'.charCodeAt(0);
    return bytes;
  }

  test('.modinfo name, when there is one', () => {
    expect(readModule(fixture('kmodkit_test.ko')).name).toBe('kmodkit_test');
  });

  test("else struct module's name in .gnu.linkonce.this_module", () => {
    const mod = readModule(withoutModinfoName());
    expect(mod.info('name')).toBeUndefined();
    expect(mod.name).toBe('kmodkit_test');
    expect(mod.name).toBe(mod.thisModule!.name);
  });

  test('else undefined', () => {
    const bytes = withoutModinfoName();
    const mod = readModule(bytes);
    // Rename the section too: no .gnu.linkonce.this_module.
    const names = mod.elf.sectionNameTable!;
    const text = Buffer.from(bytes.buffer, names.offset, names.size);
    bytes[names.offset + text.indexOf('.gnu.linkonce.this_module') + 1] = 'G'.charCodeAt(0);
    const renamed = readModule(bytes);
    expect(renamed.thisModule).toBeUndefined();
    expect(renamed.name).toBeUndefined();
  });
});
