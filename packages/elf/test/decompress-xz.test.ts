import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { crc32 } from '../src/crc32.js';
import { decompress } from '../src/decompress.js';
import { ElfError } from '../src/error.js';
import {
  compressWith,
  expectDamageCaught,
  expectDecompressError as expectElfError,
  sameBytes,
} from './decompress-oracle.js';
import { fixture } from './fixtures.js';

/** The oracle: the real `xz` (XZ Utils 5.4 on Debian 12), compressing with the given options. */
function xz(input: Uint8Array, ...options: string[]): Uint8Array {
  return compressWith('xz', ['-c', ...options], input);
}

/** A deterministic pseudo-random generator (xorshift32), so inputs are the same on every run. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

const module = fixture('kmodkit_test.ko');
const text = new TextEncoder().encode(
  Array.from({ length: 3000 }, (_, i) => `line ${i}: ${'abc'.repeat(i % 17)} ${i * 7919}\n`).join(''),
);
/** Inputs that exercise each LZMA2 path: literals and matches, long runs, uncompressed chunks. */
const INPUTS: Record<string, Uint8Array> = {
  module,
  text,
  zeros: new Uint8Array(300_000),
  random: randomBytes(200_000, 12345),
  // Incompressible and compressible parts alternate, so LZMA chunks follow uncompressed ones.
  mixed: Uint8Array.from([
    ...randomBytes(70_000, 99),
    ...module.subarray(0, 40_000),
    ...randomBytes(70_000, 7),
  ]),
  empty: new Uint8Array(0),
  one: Uint8Array.of(0x42),
};

/** Every preset level, on the module only (each run of `xz -9` sets up a 64 MiB dictionary). */
const LEVELS = ['-0', '-1', '-2', '-3', '-4', '-5', '-6', '-7', '-8', '-9', '-0e', '-6e', '-9e'];

const OPTION_SETS: string[][] = [
  ['--check=crc32', '--lzma2=dict=1MiB'], // what the kernel's modules_install uses
  ['--check=crc64'],
  ['--check=none'],
  ['--check=sha256'],
  ['-0'],
  ['-6e'],
  ['--lzma2=dict=4KiB'],
  ['--lzma2=dict=1MiB,lc=4,lp=0,pb=0'],
  ['--lzma2=lc=0,lp=4,pb=4'],
  ['--lzma2=lc=1,lp=2,pb=1,mf=hc4,mode=fast,nice=273'],
  ['--lzma2=mf=bt2,nice=8'],
  ['--block-size=8KiB'],
  ['--block-size=100000', '--check=crc64'],
  ['-T2', '--block-size=16KiB'], // threaded mode writes both sizes into each block header
  ['--block-list=5,1000,20000,0'],
];

describe('xz: decompresses what xz writes, for every option set', () => {
  for (const [name, input] of Object.entries(INPUTS)) {
    test.each(OPTION_SETS.map((o) => [o.join(' ')]))(`${name} with %s`, (opts) => {
      const compressed = xz(input, ...opts.split(' '));
      expect(sameBytes(decompress(compressed), input)).toBe(true);
    });
  }
  test.each(LEVELS.map((l) => [l]))('module with %s', (level) => {
    expect(sameBytes(decompress(xz(module, level)), module)).toBe(true);
  });
});

describe('xz: container features', () => {
  test('concatenated streams with stream padding between and after them', () => {
    const a = xz(module, '--check=crc32');
    const b = xz(text, '--check=sha256');
    const c = xz(new Uint8Array(0), '--check=none');
    const joined = Uint8Array.from([...a, 0, 0, 0, 0, ...b, ...c, 0, 0, 0, 0, 0, 0, 0, 0]);
    // The oracle agrees that this is one valid file.
    expect(
      sameBytes(execFileSync('xz', ['-dc'], { input: joined }), Uint8Array.from([...module, ...text])),
    ).toBe(true);
    expect(sameBytes(decompress(joined), Uint8Array.from([...module, ...text]))).toBe(true);
  });

  test('stream padding that is not a multiple of four is refused, as xz does', () => {
    const a = xz(text);
    expectElfError(() => decompress(Uint8Array.from([...a, 0, 0])), 'DECOMPRESS_CORRUPT');
  });

  test('trailing garbage is refused', () => {
    const a = xz(text);
    expectElfError(() => decompress(Uint8Array.from([...a, 1, 2, 3, 4])), 'DECOMPRESS_TRUNCATED');
  });

  test('filters other than LZMA2 are named and refused', () => {
    const bcj = xz(module, '--x86', '--lzma2');
    const err = expectElfError(() => decompress(bcj), 'DECOMPRESS_UNSUPPORTED');
    expect(err.message).toContain('BCJ x86');
    expect(err.errno).toBe('ENOEXEC');
    const delta = xz(text, '--delta=dist=4', '--lzma2');
    expect(expectElfError(() => decompress(delta), 'DECOMPRESS_UNSUPPORTED').message).toContain('delta');
  });

  test('the .lzma (LZMA_Alone) format is not xz and is passed through as not compressed', () => {
    const alone = xz(text, '--format=lzma');
    expect(decompress(alone)).toBe(alone);
  });

  test('the output limit is enforced from the index, before allocating', () => {
    const big = xz(new Uint8Array(1 << 20));
    expect(decompress(big, { maxSize: 1 << 20 }).length).toBe(1 << 20);
    const err = expectElfError(() => decompress(big, { maxSize: (1 << 20) - 1 }), 'DECOMPRESS_TOO_LARGE');
    expect(err.offset).toBe(0);
  });

  test('a 100 MiB bomb of 15 KiB is refused by the default 256 MiB limit only when over it', () => {
    const zeros = new Uint8Array(100 << 20);
    const bomb = xz(zeros, '-1');
    expect(bomb.length).toBeLessThan(20_000);
    expect(decompress(bomb).length).toBe(100 << 20);
    expectElfError(() => decompress(bomb, { maxSize: 50 << 20 }), 'DECOMPRESS_TOO_LARGE');
  });
});

describe('xz: corrupt input always gives an ElfError, never a wrong result or a hang', () => {
  // Small enough to try every byte: the CRC32 check covers all of the data, so every change is caught.
  const small = xz(text.subarray(0, 3000), '--check=crc32', '--block-size=1000');

  test('every single-byte change is detected', () => {
    for (let i = 0; i < small.length; i++) {
      const bad = small.slice();
      bad[i]! ^= 0x55;
      // Changing the first magic byte makes the input not xz at all: it is passed through.
      if (i < 6) {
        expect(decompress(bad)).toBe(bad);
        continue;
      }
      expectElfError(() => decompress(bad));
    }
  });

  test('verifyChecksums: false skips only the block check', () => {
    const bad = small.slice();
    // The last block's CRC32 ends where the index starts: Backward Size in the footer says where.
    const footer = small.length - 12;
    const indexStart =
      footer - (new DataView(small.buffer, small.byteOffset).getUint32(footer + 4, true) + 1) * 4;
    bad[indexStart - 1]! ^= 1;
    expectElfError(() => decompress(bad), 'DECOMPRESS_CHECK');
    expect(sameBytes(decompress(bad, { verifyChecksums: false }), text.subarray(0, 3000))).toBe(true);
  });

  test('every truncation is detected', () => {
    for (let n = 6; n < small.length; n++) {
      expectElfError(() => decompress(small.subarray(0, n)));
    }
  });

  test('--check=none: changes in the compressed data still give an ElfError or the checked sizes', () => {
    // Without a check, a change in LZMA data can decode to other bytes of the same length; it must
    // never throw anything but ElfError, and never produce a different length.
    const none = xz(module, '--check=none');
    expectDamageCaught(none, module, { start: 12, step: 7, mask: 0xa5, expect: 'length' });
  });

  test('random bytes behind an xz magic give an ElfError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (tail) => {
        const bytes = Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ...tail]);
        expectElfError(() => decompress(bytes));
      }),
      { numRuns: 500 },
    );
  });

  test('random LZMA2 data inside a valid container gives an ElfError or the indexed size (property)', () => {
    // Rebuild a one-block stream around random LZMA2 bytes with correct CRCs, so the fuzzer reaches
    // the LZMA decoder itself rather than stopping at a container check.
    const valid = xz(text.subarray(0, 5000), '--check=none');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 40 }), (seed, flips) => {
        const bad = valid.slice();
        const rand = randomBytes(flips * 2, seed | 1);
        // Bytes 12.. up to the index are the block (header, LZMA2 data): flip bytes after the header.
        const headerEnd = 12 + (valid[12]! + 1) * 4;
        const dataEnd = valid.length - 12 - 12; // footer and this small file's index (12 bytes)
        for (let i = 0; i < flips; i++) {
          const at = headerEnd + (((rand[2 * i]! << 8) | rand[2 * i + 1]!) % (dataEnd - headerEnd));
          bad[at] = rand[2 * i]!;
        }
        try {
          expect(decompress(bad).length).toBe(5000);
        } catch (e) {
          expect(e).toBeInstanceOf(ElfError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('crc32', () => {
  test('matches the check value of the CRC catalogue and gzip trailers', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const gz = new Uint8Array(execFileSync('gzip', ['-c'], { input: module }));
    const view = new DataView(gz.buffer, gz.byteOffset, gz.byteLength);
    expect(crc32(module)).toBe(view.getUint32(gz.length - 8, true));
    // Slicing-by-8 must agree with the bit-at-a-time definition at every alignment and length.
    const bitwise = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return ~c >>> 0;
    };
    for (let s = 0; s < 9; s++) {
      for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 63]) {
        expect(crc32(module, s, s + len)).toBe(bitwise(module.subarray(s, s + len)));
      }
    }
  });
});
