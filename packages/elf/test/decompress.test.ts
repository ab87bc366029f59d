import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decompress, detectCompression, MAX_DECOMPRESSED_SIZE } from '../src/decompress.js';
import { ElfError } from '../src/error.js';
import { corpusDir, modulesIn, SKIP_CORPUS } from './corpus.js';
import {
  expectDamageCaught,
  expectDecompressError as expectElfError,
  compressWith as run,
  sameBytes,
} from './decompress-oracle.js';
import { fixture } from './fixtures.js';

const module = fixture('kmodkit_test.ko');

describe('detectCompression', () => {
  test.each([
    ['kmodkit_test.ko', 'none'],
    ['kmodkit_test.ko.gz', 'gzip'],
    ['kmodkit_test.ko.xz', 'xz'],
    ['kmodkit_test.ko.zst', 'zstd'],
    ['kmodkit_test-signed.ko', 'none'],
  ] as const)('%s is %s', (name, kind) => {
    expect(detectCompression(fixture(name))).toBe(kind);
  });

  test.each([
    [[], 'none'],
    [[0x1f], 'none'],
    [[0x1f, 0x8b], 'gzip'],
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'none'], // one byte short of the xz magic
    [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
    [[0x28, 0xb5, 0x2f], 'none'],
    [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    [[0x5d, 0x00, 0x00, 0x80, 0x00], 'none'], // .lzma (LZMA_Alone): not a module compression
    [[0x7f, 0x45, 0x4c, 0x46], 'none'],
  ])('%j is %s', (bytes, kind) => {
    expect(detectCompression(Uint8Array.from(bytes))).toBe(kind);
  });
});

describe('the compressed fixtures decompress to kmodkit_test.ko', () => {
  test.each(['kmodkit_test.ko.gz', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst'])('%s', (name) => {
    expect(sameBytes(decompress(fixture(name)), module)).toBe(true);
  });

  test('uncompressed input is returned as it is, not copied', () => {
    expect(decompress(module)).toBe(module);
  });

  test('the default limit is 256 MiB', () => {
    expect(MAX_DECOMPRESSED_SIZE).toBe(256 * 1024 * 1024);
  });
});

describe('gzip', () => {
  const gz = fixture('kmodkit_test.ko.gz');

  test('output of gzip -1 … -9 and with a file name in the header', () => {
    for (const level of ['-1', '-6', '-9']) {
      expect(sameBytes(decompress(run('gzip', ['-c', level], module)), module)).toBe(true);
    }
    const named = run('gzip', ['-c', '-N'], new Uint8Array(0));
    expect(decompress(named).length).toBe(0);
  });

  test('a changed byte never gives wrong output (fflate does not check the CRC: we do)', () => {
    // A few bits of deflate data do not matter (e.g. code lengths of unused symbols); any change
    // that does must be refused.
    expect(expectDamageCaught(gz, module, { start: 10, step: 97, mask: 0x10 })).toBeGreaterThan(150);
    const crc = gz.slice();
    crc[gz.length - 8]! ^= 1;
    expectElfError(() => decompress(crc), 'DECOMPRESS_CHECK');
  });

  test('truncation is caught', () => {
    for (const n of [2, 10, 17, 100, gz.length - 9, gz.length - 1]) {
      expectElfError(() => decompress(gz.subarray(0, n)));
    }
  });

  test('the limit applies to the size in the trailer, before inflating', () => {
    expect(decompress(gz, { maxSize: module.length }).length).toBe(module.length);
    expectElfError(() => decompress(gz, { maxSize: module.length - 1 }), 'DECOMPRESS_TOO_LARGE');
    // A trailer that claims 4 GiB: refused without allocating it.
    const liar = gz.slice();
    liar.set([0xff, 0xff, 0xff, 0xff], gz.length - 4);
    expectElfError(() => decompress(liar), 'DECOMPRESS_TOO_LARGE');
    // One that claims less than there is: the data does not fit, so the CRC or size check fails.
    const short = gz.slice();
    short.set([0x10, 0, 0, 0], gz.length - 4);
    expectElfError(() => decompress(short));
    // Even with a CRC32 and size that match an empty output.
    const empty = gz.slice();
    empty.set([0, 0, 0, 0, 0, 0, 0, 0], gz.length - 8);
    expectElfError(() => decompress(empty), 'DECOMPRESS_CORRUPT');
  });
});

describe('zstd', () => {
  const zst = fixture('kmodkit_test.ko.zst');

  test('zstd levels, without a content size, with a checksum, and concatenated frames', () => {
    for (const levels of [['-1'], ['-3'], ['-19'], ['--ultra', '-22']]) {
      expect(sameBytes(decompress(run('zstd', ['-c', '-q', ...levels], module)), module)).toBe(true);
    }
    const noSize = run('zstd', ['-c', '-q', '--no-content-size'], module);
    expect(sameBytes(decompress(noSize), module)).toBe(true);
    const checked = run('zstd', ['-c', '-q', '--check'], module);
    expect(sameBytes(decompress(checked), module)).toBe(true);
    const two = Uint8Array.from([...zst, ...run('zstd', ['-c', '-q'], new TextEncoder().encode('tail'))]);
    expect(new TextDecoder().decode(decompress(two).subarray(module.length))).toBe('tail');
  });

  test('a skippable frame is skipped', () => {
    const skippable = Uint8Array.of(0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3);
    expect(sameBytes(decompress(Uint8Array.from([...zst, ...skippable])), module)).toBe(true);
  });

  test('truncation is caught from the frame structure', () => {
    for (const n of [4, 5, 8, 20, zst.length - 1]) {
      expectElfError(() => decompress(zst.subarray(0, n)));
    }
  });

  test('the limit applies to the declared content size, or the block bound without one', () => {
    expect(decompress(zst, { maxSize: module.length }).length).toBe(module.length);
    expectElfError(() => decompress(zst, { maxSize: module.length - 1 }), 'DECOMPRESS_TOO_LARGE');
    const bomb = run('zstd', ['-c', '-q', '--no-content-size'], new Uint8Array(20 << 20));
    expect(decompress(bomb).length).toBe(20 << 20);
    expectElfError(() => decompress(bomb, { maxSize: 10 << 20 }), 'DECOMPRESS_TOO_LARGE');
  });

  test('damage gives an ElfError or output of the declared size, never another error', () => {
    // fzstd does not verify the XXH64 checksum, so a change can go unnoticed; it must not crash.
    expectDamageCaught(zst, module, { start: 4, step: 13, mask: 0x21, sizeOnly: true });
  });

  test('random bytes behind the magic give an ElfError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const bytes = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...tail]);
        try {
          decompress(bytes, { maxSize: 1 << 20 });
        } catch (e) {
          expect(e).toBeInstanceOf(ElfError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('gzip: random bytes behind the magic give an ElfError (property)', () => {
  test('property', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        expectElfError(() => decompress(Uint8Array.from([0x1f, 0x8b, ...tail]), { maxSize: 1 << 20 }));
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(SKIP_CORPUS)('Debian 6.1 corpus: every 100th module through xz, zstd and gzip', () => {
  test('round trips', { timeout: 300_000 }, () => {
    const files = modulesIn(corpusDir('amd64'), 100);
    for (const file of files) {
      const raw = new Uint8Array(readFileSync(file));
      for (const [cmd, args] of [
        ['xz', ['-c', '--check=crc32', '--lzma2=dict=1MiB']],
        ['zstd', ['-c', '-q', '-19']],
        ['gzip', ['-c', '-9']],
      ] as const) {
        const packed = run(cmd, [...args], raw);
        expect(sameBytes(decompress(packed), raw), `${cmd} ${file}`).toBe(true);
      }
    }
  });
});
