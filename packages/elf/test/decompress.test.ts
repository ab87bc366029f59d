import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decompress, detectCompression, MAX_DECOMPRESSED_SIZE } from '../src/decompress.js';
import { ElfError } from '../src/error.js';
import { xxh64Low32 } from '../src/xxh64.js';
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
    expect(sameBytes(decompress(crc, { verifyChecksums: false }), module)).toBe(true);
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

  test('with a content checksum, damage gives an ElfError or the original bytes', () => {
    const checked = run('zstd', ['-c', '-q', '-19', '--check'], module);
    expect(checked[4]! & 0x04).toBe(0x04); // Content_Checksum_flag
    expect(
      expectDamageCaught(checked, module, { start: 4, step: 23, mask: 0x21, maxSize: 1 << 20 }),
    ).toBeGreaterThan(500);
    const sum = checked.slice();
    sum[sum.length - 1]! ^= 1;
    expect(expectElfError(() => decompress(sum), 'DECOMPRESS_CHECK').offset).toBe(sum.length - 4);
    expect(sameBytes(decompress(sum, { verifyChecksums: false }), module)).toBe(true);
  });

  test('without one, damage gives an ElfError or some output, never another error', () => {
    const unchecked = run('zstd', ['-c', '-q', '-19', '--no-check'], module);
    expectDamageCaught(unchecked, module, {
      start: 4,
      step: 29,
      mask: 0x21,
      expect: 'anything',
      maxSize: 1 << 20,
    });
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

describe('zstd: a Huffman table whose FSE states read zero bits', () => {
  // Found by the fuzzer (seed 1017369 on kmodkit_test.ko.zst): fzstd 0.1.1, the decoder before ours,
  // looped forever here. Ours stops after 255 weights as libzstd's FSE_decompress does.
  test('is refused as corrupt instead of spinning', () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('./data/zstd-huffman-zero-bit-states.zst', import.meta.url)),
    );
    expect(() => decompress(bytes)).toThrowError(expect.objectContaining({ code: 'DECOMPRESS_CORRUPT' }));
  });
});

describe('xxh64Low32 (the zstd content checksum)', () => {
  // The definition (xxhash_spec.md) in BigInt: slow and obviously right.
  const M = (1n << 64n) - 1n;
  const [P1, P2, P3, P4, P5] = [
    0x9e3779b185ebca87n,
    0xc2b2ae3d27d4eb4fn,
    0x165667b19e3779f9n,
    0x85ebca77c2b2ae63n,
    0x27d4eb2f165667c5n,
  ];
  const rotl = (x: bigint, r: number) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M;
  const round = (acc: bigint, lane: bigint) => (rotl((acc + lane * P2) & M, 31) * P1) & M;
  const merge = (acc: bigint, v: bigint) => ((acc ^ round(0n, v)) * P1 + P4) & M;
  function xxh64(d: Uint8Array): bigint {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    let p = 0;
    let h: bigint;
    if (d.length >= 32) {
      const v = [(P1 + P2) & M, P2, 0n, -P1 & M];
      for (; p + 32 <= d.length; p += 32) {
        for (let k = 0; k < 4; k++) v[k] = round(v[k]!, dv.getBigUint64(p + 8 * k, true));
      }
      h = (rotl(v[0]!, 1) + rotl(v[1]!, 7) + rotl(v[2]!, 12) + rotl(v[3]!, 18)) & M;
      for (const x of v) h = merge(h, x);
    } else {
      h = P5;
    }
    h = (h + BigInt(d.length)) & M;
    for (; p + 8 <= d.length; p += 8) h = (rotl(h ^ round(0n, dv.getBigUint64(p, true)), 27) * P1 + P4) & M;
    if (p + 4 <= d.length) {
      h = (rotl(h ^ ((BigInt(dv.getUint32(p, true)) * P1) & M), 23) * P2 + P3) & M;
      p += 4;
    }
    for (; p < d.length; p++) h = (rotl(h ^ ((BigInt(d[p]!) * P5) & M), 11) * P1) & M;
    h ^= h >> 33n;
    h = (h * P2) & M;
    h ^= h >> 29n;
    h = (h * P3) & M;
    return h ^ (h >> 32n);
  }

  test('the reference gives the published value for empty input', () => {
    expect(xxh64(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
  });

  test('agrees with the reference at every length to 300 and on random data (property)', () => {
    for (let n = 0; n <= 300; n++) {
      const d = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(xxh64Low32(d)).toBe(Number(xxh64(d) & 0xffffffffn));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => {
        expect(xxh64Low32(d)).toBe(Number(xxh64(d) & 0xffffffffn));
      }),
      { numRuns: 300 },
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
