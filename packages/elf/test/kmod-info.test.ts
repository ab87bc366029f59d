import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { kmodHex, kmodInfoList } from '../src/index.js';

// Expected strings are kmod 30's (libkmod-module.c: kmod_module_hex_to_str, kmod_module_get_info); the
// CLI's conformance test checks the same rules against the real modinfo on real modules.
describe('kmodHex', () => {
  test.each([
    [[], ''],
    [[0x0a], '0A'],
    [[0xde, 0xad, 0xbe, 0xef], 'DE:AD:BE:EF'],
  ])('%j → %s', (bytes, text) => expect(kmodHex(Uint8Array.from(bytes))).toBe(text));

  test('a line break and two tabs after every 20th byte, none after the last', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i);
    expect(kmodHex(Uint8Array.from(twenty))).toBe(
      twenty.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':'),
    );
    const text = kmodHex(new Uint8Array(41).fill(0xff));
    expect(text.split(':\n\t\t').map((l) => l.split(':').length)).toEqual([20, 20, 1]);
  });

  test('any bytes: every byte as two digits, lines of 20 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const lines = kmodHex(bytes).split(':\n\t\t');
        const digits = Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0'));
        const expected: string[] = [];
        for (let i = 0; i < digits.length; i += 20) expected.push(digits.slice(i, i + 20).join(':'));
        expect(lines).toEqual(expected.length === 0 ? [''] : expected);
      }),
    );
  });
});

test('kmodInfoList appends the signature fields after .modinfo, in kmod order', () => {
  const list = kmodInfoList([{ key: 'name', value: 'm' }], {
    idType: 'PKCS#7',
    signer: 'key',
    keyId: Uint8Array.of(1, 2),
    hashAlgorithm: 'sha256',
    signature: Uint8Array.of(0xab),
  });
  expect(list).toEqual([
    { key: 'name', value: 'm' },
    { key: 'sig_id', value: 'PKCS#7' },
    { key: 'signer', value: 'key' },
    { key: 'sig_key', value: '01:02' },
    { key: 'sig_hashalgo', value: 'sha256' },
    { key: 'signature', value: 'AB' },
  ]);
});
