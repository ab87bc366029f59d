import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { kmodCheck, kmodOpen, readModule } from '../src/index.js';
import { fixture } from './fixtures.js';

// The errnos are kmod 30's (libkmod-file.c, libkmod-elf.c); the CLI's conformance test checks each
// case against the real modinfo's `could not get modinfo` message.
const elf = fixture('kmodkit_test.ko');
const edited = (write: (b: DataView) => void) => {
  const c = Uint8Array.from(elf);
  write(new DataView(c.buffer));
  return c;
};

describe('kmodOpen: what kmod opens, and the errno of what it refuses', () => {
  test.each(['kmodkit_test.ko', 'kmodkit_test.ko.gz', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst'])(
    '%s opens',
    (name) => {
      const opened = kmodOpen(fixture(name));
      expect('module' in opened && opened.module.modinfo.find((e) => e.key === 'name')?.value).toBe(
        'kmodkit_test',
      );
    },
  );

  test.each([
    ['5 bytes', elf.subarray(0, 5), 'EINVAL', 'TRUNCATED'],
    ['text', new TextEncoder().encode('hello world\n'), 'ENOEXEC', 'NOT_ELF'],
    ['e_ident only', elf.subarray(0, 16), 'ENOEXEC', undefined],
    ['the ELF header only', elf.subarray(0, 64), 'EINVAL', undefined],
    ['e_shentsize 65', edited((v) => v.setUint16(0x3a, 65, true)), 'EINVAL', undefined],
    ['no .modinfo (/bin/true)', new Uint8Array(readFileSync('/bin/true')), 'ENOENT', 'NO_MODINFO'],
    ['xz cut in half', fixture('kmodkit_test.ko.xz').subarray(0, 2000), 'EINVAL', undefined],
  ])('%s → %s', (_, bytes, errno, code) => {
    const opened = kmodOpen(bytes);
    expect('errno' in opened && opened.errno).toBe(errno);
    if (code !== undefined) expect('code' in opened && opened.code).toBe(code);
  });

  test('a caller-given decoder is used, and what it throws is EINVAL', () => {
    const xz = fixture('kmodkit_test.ko.xz');
    let called = '';
    const opened = kmodOpen(xz, {
      decode: (_, kind) => {
        called = kind;
        return elf;
      },
    });
    expect(called).toBe('xz');
    expect('module' in opened && opened.compression).toBe('xz');
    const failed = kmodOpen(xz, {
      decode: () => {
        throw new Error('corrupt');
      },
    });
    expect(failed).toMatchObject({ errno: 'EINVAL', code: 'DECOMPRESS', message: 'corrupt' });
  });

  test('kmodCheck on a module already read gives the same answer', () => {
    expect('module' in kmodCheck(readModule(elf))).toBe(true);
  });

  test('browser-safe: no Node imports, no Buffer', () => {
    for (const file of ['kmod-open.ts', 'kmod-info.ts']) {
      const text = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
      expect(text).not.toMatch(/from 'node:|\bBuffer\b|\bprocess\./);
    }
  });
});
