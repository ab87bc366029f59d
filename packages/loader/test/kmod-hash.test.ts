/**
 * superFastHash against kmod's own `hash_superfast` (shared/hash.c, kmod 30), compiled with the
 * system's C compiler and fed the same keys: random byte strings of every length class, bytes ≥
 * 0x80 included (signed `char` on x86).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { inHashOrder, superFastHash } from '../src/depmod/kmod-hash.js';

/** hash_superfast as kmod 30 has it, with get_unaligned spelled out as memcpy. */
const KMOD_HASH_C = String.raw`
#include <stdio.h>
#include <stdint.h>
#include <string.h>
static uint16_t get16(const char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static unsigned int hash_superfast(const char *key, unsigned int len) {
	unsigned int tmp, hash = len, rem = len & 3;
	len /= 4;
	for (; len > 0; len--) {
		hash += get16(key);
		tmp = (get16(key + 2) << 11) ^ hash;
		hash = (hash << 16) ^ tmp;
		key += 4;
		hash += hash >> 11;
	}
	switch (rem) {
	case 3:
		hash += get16(key);
		hash ^= hash << 16;
		hash ^= key[2] << 18;
		hash += hash >> 11;
		break;
	case 2:
		hash += get16(key);
		hash ^= hash << 11;
		hash += hash >> 17;
		break;
	case 1:
		hash += *key;
		hash ^= hash << 10;
		hash += hash >> 1;
	}
	hash ^= hash << 3;
	hash += hash >> 5;
	hash ^= hash << 4;
	hash += hash >> 17;
	hash ^= hash << 25;
	hash += hash >> 6;
	return hash;
}
int main(void) {
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n') line[--n] = 0;
		/* hex-encoded key */
		char key[2048]; size_t k = 0;
		for (size_t i = 0; i + 1 < n; i += 2) { unsigned v; sscanf(line + i, "%2x", &v); key[k++] = (char)v; }
		printf("%u\n", hash_superfast(key, (unsigned)k));
	}
	return 0;
}
`;

const HAVE_CC = spawnSync('cc', ['--version']).status === 0;
if (process.env.CI === 'true' && !HAVE_CC)
  throw new Error('a C compiler is needed in CI for the kmod hash oracle');
const dir = mkdtempSync(join(tmpdir(), 'kmodkit-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kmodHashes(keys: readonly string[]): number[] {
  const exe = join(dir, 'hash');
  writeFileSync(join(dir, 'hash.c'), KMOD_HASH_C);
  execFileSync('cc', ['-O2', '-o', exe, join(dir, 'hash.c')]);
  const input = keys.map((k) => Buffer.from(k, 'latin1').toString('hex')).join('\n');
  return execFileSync(exe, { input: `${input}\n`, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number);
}

describe.skipIf(!HAVE_CC)("superFastHash = kmod's hash_superfast", () => {
  test('module names, symbols and random byte strings (bytes ≥ 0x80 too)', () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'kmodkit_test',
      'drm_dp_link_train_channel_eq_delay',
      '__this_module',
      ...fc.sample(
        fc.string({
          unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)),
          maxLength: 70,
        }),
        2000,
      ),
    ];
    const expected = kmodHashes(keys);
    expect(keys.map(superFastHash)).toEqual(expected);
  });
});

describe('inHashOrder', () => {
  test('bucket order, then strcmp order within a bucket', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 200 }), (keys) => {
        const ordered = inHashOrder(keys, (k) => k, 8);
        expect([...ordered].sort()).toEqual([...keys].sort());
        for (let i = 1; i < ordered.length; i++) {
          const [a, b] = [ordered[i - 1]!, ordered[i]!];
          const [ba, bb] = [superFastHash(a) & 7, superFastHash(b) & 7];
          expect(ba < bb || (ba === bb && a < b)).toBe(true);
        }
      }),
    );
  });
});
