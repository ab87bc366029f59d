import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LoaderError } from './error.js';
import { cutShort, frameContentSize, systemXz, systemZstd, wasmZstd } from './node-decompress.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/modules');
const elf = readFileSync(join(FIXTURES, 'kmodkit_test.ko'));
const zst = readFileSync(join(FIXTURES, 'kmodkit_test.ko.zst'));

const scratch = mkdtempSync(join(tmpdir(), 'kmodkit-zstd-'));

/**
 * `input` compressed by the zstd command line from a file, as `make modules_install` runs it, so that
 * the frame header carries the content size (`args` e.g. ['-19']).
 */
function zstd(args: string[], input: Uint8Array): Buffer {
  const file = join(scratch, 'input');
  writeFileSync(file, input);
  const out = spawnSync('zstd', ['-q', '-c', ...args, file], { maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`zstd ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

describe('frameContentSize (RFC 8878 3.1.1.1)', () => {
  // Magic, then the Frame_Header_Descriptor and what it says follows.
  const frame = (...header: number[]) => Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...header]);
  test.each([
    ['single segment, 1-byte size', frame(0x20, 0x7f), 0x7f],
    ['single segment, 2-byte size (+256)', frame(0x60, 0x00, 0x01), 0x100 + 256],
    ['single segment, 4-byte size', frame(0xa0, 0x78, 0x56, 0x34, 0x12), 0x12345678],
    ['single segment, 8-byte size', frame(0xe0, 1, 2, 3, 4, 0, 0, 0, 0), 0x04030201],
    ['window descriptor, then a 4-byte size', frame(0x80, 0x58, 0x10, 0x27, 0, 0), 10000],
    ['window descriptor, 2-byte dictionary id, 2-byte size', frame(0x42, 0x58, 0xaa, 0xbb, 0x00, 0x00), 256],
    ['single segment, 4-byte dictionary id, 1-byte size', frame(0x23, 1, 2, 3, 4, 9), 9],
    ['no size (a stream zstd wrote from a pipe)', frame(0x00, 0x58), undefined],
    ['an 8-byte size of 4 GiB or more', frame(0xe0, 0, 0, 0, 0, 1, 0, 0, 0), undefined],
    ['the header cut short', frame(0xa0, 0x78, 0x56), undefined],
    ['not a zstd frame', Uint8Array.from([0x28, 0xb5, 0x2f, 0xfe, 0x20, 0x10]), undefined],
    ['too short', Uint8Array.from([0x28, 0xb5]), undefined],
  ])('%s', (_what, bytes, expected) => {
    expect(frameContentSize(bytes)).toBe(expected);
  });

  test('agrees with what zstd wrote, over input sizes around every field-width boundary', () => {
    const sizes = [0, 1, 255, 256, 257, 511, 65535, 65536 + 255, 65536 + 256, 65536 + 257, 200_000];
    for (const size of sizes) {
      const input = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
      for (const level of ['-1', '-19']) {
        expect(frameContentSize(zstd([level], input)), `${size} bytes at ${level}`).toBe(size);
      }
    }
    expect(frameContentSize(zst)).toBe(elf.length);
  });
});

/** Both one-shot decoders: they must agree with each other and with zstd. */
const decoders = [
  ['libzstd through ffi-rs', await systemZstd()],
  ['zstd WebAssembly', await wasmZstd()],
] as const;

describe.each(decoders)('%s', (_name, decode) => {
  test.skipIf(decode === undefined)('decodes the fixture to the module, byte for byte', () => {
    expect(Buffer.compare(decode!(zst), elf)).toBe(0);
  });

  test.skipIf(decode === undefined)('decodes what zstd wrote, file after file (buffers reused)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70_000 }),
        fc.constantFrom('-1', '-3', '-19'),
        (input, level) => {
          const out = decode!(zstd([level], input));
          expect(Buffer.compare(out, input)).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
    // A big one after small ones, then a small one again.
    for (const input of [elf, elf.subarray(0, 100), Buffer.concat([elf, elf, elf])]) {
      expect(Buffer.compare(decode!(zstd([], input)), input)).toBe(0);
    }
  });

  test.skipIf(decode === undefined)('decodes a frame without its content size (zstd from a pipe)', () => {
    const piped = spawnSync('zstd', ['-q', '-c'], { input: elf }).stdout;
    expect(frameContentSize(piped)).toBeUndefined();
    expect(Buffer.compare(decode!(piped), elf)).toBe(0);
    const big = Buffer.concat(Array.from({ length: 40 }, () => elf));
    const pipedBig = spawnSync('zstd', ['-q', '-c'], { input: big, maxBuffer: 1 << 26 }).stdout;
    expect(Buffer.compare(decode!(pipedBig), big)).toBe(0);
  });

  test.skipIf(decode === undefined)('decodes every frame of a file of two', () => {
    const two = Buffer.concat([zstd([], elf.subarray(0, 30_000)), zstd([], elf.subarray(30_000))]);
    expect(Buffer.compare(decode!(two), elf)).toBe(0);
  });

  test.skipIf(decode === undefined)(
    "fails with zstd's error number: checksum, corruption, a frame cut short",
    () => {
      const code = (bytes: Uint8Array) => {
        try {
          decode!(bytes);
        } catch (e) {
          return e instanceof LoaderError ? (e.cause as { zstdError: number }).zstdError : -1;
        }
        return 0;
      };
      const badChecksum = Buffer.from(zst);
      badChecksum[badChecksum.length - 1] = badChecksum[badChecksum.length - 1]! ^ 0x01;
      expect(code(badChecksum)).toBe(22); // ZSTD_error_checksum_wrong
      expect(cutShort(badChecksum)).toBe(false);
      // Cut inside the checksum: one-shot decoding calls that checksum_wrong too; the frame walk tells.
      expect(code(zst.subarray(0, zst.length - 3))).toBeGreaterThan(0);
      expect(cutShort(zst.subarray(0, zst.length - 3))).toBe(true);
      expect(code(zst.subarray(0, zst.length >> 1))).toBe(72); // ZSTD_error_srcSize_wrong
      const corrupt = Buffer.from(zst);
      for (let i = 100; i < 120; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
      expect(code(corrupt)).toBeGreaterThan(0);
      expect(code(Buffer.concat([zst, Buffer.from('trailing garbage')]))).toBeGreaterThan(0);
      expect(cutShort(Buffer.concat([zst, Buffer.from('trailing garbage')]))).toBe(false);
    },
  );
});

describe('cutShort: does the input end inside a frame (RFC 8878)', () => {
  test('every cut of a two-frame file with a skippable frame between: inside a frame, or not', () => {
    const first = zstd(['-3'], elf.subarray(0, 20_000));
    const skippable = Buffer.concat([
      Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]),
      Buffer.from('abcde'),
    ]);
    const second = zstd(['-19'], elf.subarray(20_000));
    const whole = Buffer.concat([first, skippable, second]);
    const ends = new Set([0, first.length, first.length + skippable.length, whole.length]);
    for (let n = 0; n <= whole.length; n += n < 300 || whole.length - n < 300 ? 1 : 97) {
      expect(cutShort(whole.subarray(0, n)), `${n} of ${whole.length} bytes`).toBe(!ends.has(n));
    }
    for (const n of ends) expect(cutShort(whole.subarray(0, n)), `${n}`).toBe(false);
  });

  test('what is not a frame is not cut short; a magic number begun is', () => {
    expect(cutShort(Buffer.concat([zst, Buffer.from([0x28, 0xb5])]))).toBe(true);
    expect(cutShort(Buffer.concat([zst, Buffer.from([0x28, 0x00])]))).toBe(false);
    expect(cutShort(Buffer.concat([zst, Buffer.from([0x5f])]))).toBe(true);
    expect(cutShort(Buffer.from('not zstd at all'))).toBe(false);
  });
});

test('libzstd is found here (Debian ships it; kmod links it)', () => {
  expect(decoders[0][1]).toBeTypeOf('function');
});

const xzFile = readFileSync(join(FIXTURES, 'kmodkit_test.ko.xz'));
const xzDecode = await systemXz();
const haveXzTool = spawnSync('xz', ['--version']).status === 0;
if (process.env.CI && (xzDecode === undefined || !haveXzTool)) {
  throw new Error('liblzma (liblzma.so.5, through ffi-rs) and xz are needed for these tests');
}

/** `xz -dc`, which reads as kmod does (LZMA_CONCATENATED, finished at the end): its output, or undefined. */
function xzTool(bytes: Uint8Array): Buffer | undefined {
  const r = spawnSync('xz', ['-dc', '-q', '-q'], { input: bytes, maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : undefined;
}

describe.skipIf(xzDecode === undefined || !haveXzTool)('systemXz (liblzma through ffi-rs)', () => {
  const decodeOrUndefined = (bytes: Uint8Array) => {
    try {
      return Buffer.from(xzDecode!(bytes));
    } catch (e) {
      if (!(e instanceof LoaderError)) throw e;
      return undefined;
    }
  };

  test('decodes the fixture to the module, byte for byte', () => {
    expect(Buffer.compare(xzDecode!(xzFile), elf)).toBe(0);
  });

  test.each([
    ['two streams', Buffer.concat([xzFile, xzFile])],
    ['padding of 4', Buffer.concat([xzFile, Buffer.alloc(4)])],
    ['padding of 3', Buffer.concat([xzFile, Buffer.alloc(3)])],
    ['padding between streams', Buffer.concat([xzFile, Buffer.alloc(8), xzFile])],
    ['garbage after', Buffer.concat([xzFile, Buffer.from('trailing garbage\n')])],
    ['cut in the footer', xzFile.subarray(0, xzFile.length - 6)],
    ['cut in the index', xzFile.subarray(0, xzFile.length - 20)],
    ['cut in half', xzFile.subarray(0, xzFile.length >> 1)],
  ])('%s: as xz -dc reads it', (_, bytes) => {
    expect(decodeOrUndefined(bytes)).toEqual(xzTool(bytes));
  });

  test('random data compressed by xz at several sizes, and corrupted bytes: as xz -dc reads it', () => {
    const cases = fc.sample(
      fc.tuple(fc.uint8Array({ maxLength: 200_000 }), fc.nat(3), fc.option(fc.tuple(fc.nat(), fc.nat(255)))),
      { numRuns: 30, seed: 11 },
    );
    for (const [data, repeat, edit] of cases) {
      // Compressible: each input repeated, so sizes are well above 4 times the compressed size.
      const plain = Buffer.concat(Array.from({ length: repeat + 1 }, () => data));
      const packed = spawnSync('xz', ['-c', '--check=crc32'], { input: plain, maxBuffer: 1 << 28 }).stdout;
      if (edit !== null) packed[edit[0] % packed.length] = edit[1];
      expect(decodeOrUndefined(packed)).toEqual(xzTool(packed));
    }
  });

  test('the output buffer is reused: the view is valid until the next call', () => {
    const first = xzDecode!(xzFile);
    const copy = Buffer.from(first);
    xzDecode!(Buffer.concat([xzFile, xzFile]));
    expect(Buffer.compare(copy, elf)).toBe(0);
  });
});
