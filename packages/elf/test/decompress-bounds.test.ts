import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decompress } from '../src/decompress.js';
import { zstdFrames } from '../src/zstd-frames.js';
import { compressWith, expectDecompressError, sameBytes } from './decompress-oracle.js';
import { fixture } from './fixtures.js';
import { haveTool } from './tools.js';

const HAVE_MODINFO = haveTool('modinfo');

/**
 * Small crafted inputs that once cost gigabytes or seconds, or were read as valid when they are not
 * (issue 11 §1). Each is also given to the `zstd` command (libzstd, what kmod decodes with): we
 * accept exactly what it accepts, with the same output.
 */
function zstdCli(bytes: Uint8Array): Uint8Array | null {
  const run = spawnSync('zstd', ['-d', '-c', '-q'], { input: bytes, maxBuffer: 1 << 28 });
  if (run.error) throw run.error;
  return run.status === 0 ? new Uint8Array(run.stdout) : null;
}

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** A block header: Last_Block, Block_Type, Block_Size (RFC 8878 3.1.1.2). */
const block = (type: number, size: number, last: boolean) => {
  const h = (size << 3) | (type << 1) | (last ? 1 : 0);
  return [h & 0xff, (h >>> 8) & 0xff, h >>> 16];
};
/** Window_Descriptor for 2^exponent + mantissa/8 of it. */
const window = (exponent: number, mantissa = 0) => ((exponent - 10) << 3) | mantissa;
const raw = (n: number) => Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

/** Runs `f` and returns what it allocated in ArrayBuffers (after a GC when exposed) and its time. */
function cost(f: () => unknown): { bytes: number; ms: number } {
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const t0 = performance.now();
  try {
    f();
  } catch {
    // the cost is what matters here
  }
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  return { bytes: peak - before, ms: performance.now() - t0 };
}

describe('zstd: limits before any allocation, in every frame layout', () => {
  test('content size 0 with a 1.9 GiB window (13 bytes): refused like zstd, nothing allocated', () => {
    const bytes = Uint8Array.from([...MAGIC, 0x80, window(30, 7), 0, 0, 0, 0, ...block(0, 0, true)]);
    expect(bytes.length).toBe(13);
    expect(expectDecompressError(() => decompress(bytes), 'DECOMPRESS_UNSUPPORTED').offset).toBe(4);
    expect(cost(() => decompress(bytes)).bytes).toBeLessThan(1 << 20);
  });

  test('content size 0 with a 128 MiB window: empty output, no window allocated', () => {
    const bytes = Uint8Array.from([...MAGIC, 0x80, window(27), 0, 0, 0, 0, ...block(0, 0, true)]);
    expect(zstdCli(bytes)).toEqual(new Uint8Array(0));
    expect(decompress(bytes).length).toBe(0);
    expect(cost(() => decompress(bytes)).bytes).toBeLessThan(1 << 20);
  });

  test('no content size, a 128 MiB window and 2000 blocks: time and memory follow the output', () => {
    const blocks = Array.from({ length: 2000 }, (_, i) => block(0, 1, i === 1999)).flatMap((h) => [
      ...h,
      0x41,
    ]);
    const bytes = Uint8Array.from([...MAGIC, 0x00, window(27), ...blocks]);
    expect(zstdCli(bytes)?.length).toBe(2000);
    expect(decompress(bytes)).toEqual(new Uint8Array(2000).fill(0x41));
    const { bytes: allocated, ms } = cost(() => decompress(bytes));
    expect(allocated).toBeLessThan(4 << 20);
    expect(ms).toBeLessThan(2000); // was seconds per few hundred blocks: the window was copied per block
  });

  // libzstd refuses a window over 2^27 + 1 (ZSTD_WINDOWLOG_LIMIT_DEFAULT) when it streams, as kmod's
  // load_zstd makes it; the `zstd` command skips the check for a frame whose content size fits its
  // output buffer ("single-pass mode opportunity" in zstd_decompress.c). So kmod is the oracle here.
  test.skipIf(!HAVE_MODINFO).each([
    ['2^27 (the limit)', window(27), true],
    ['2^27 + 2^24', window(27, 1), false],
    ['1.9 GiB', window(30, 7), false],
  ])('the fixture re-framed with a %s window: read iff kmod reads it', (_, descriptor, ok) => {
    const zst = fixture('kmodkit_test.ko.zst');
    expect(zst[4]).toBe(0x64); // single segment, 2-byte content size, checksum
    const size = fixture('kmodkit_test.ko').length;
    const fcs = [size & 0xff, (size >>> 8) & 0xff, size >>> 16, 0];
    const bytes = Uint8Array.from([...MAGIC, 0x84, descriptor, ...fcs, ...zst.subarray(7)]);
    const dir = mkdtempSync(join(tmpdir(), 'kmodkit-window-'));
    const file = join(dir, 'kmodkit_test.ko.zst');
    writeFileSync(file, bytes);
    const kmod = spawnSync('modinfo', ['-F', 'vermagic', file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    expect(kmod.status === 0).toBe(ok);
    if (ok) expect(decompress(bytes).length).toBe(size);
    else expectDecompressError(() => decompress(bytes), 'DECOMPRESS_UNSUPPORTED');
  });

  test('many RLE blocks (4 bytes each, 128 KiB out) stop at the limit, not after it', () => {
    const blocks = Array.from({ length: 1000 }, (_, i) => [...block(1, 128 * 1024, i === 999), 0]).flat();
    const bytes = Uint8Array.from([...MAGIC, 0x00, window(20), ...blocks]);
    expectDecompressError(() => decompress(bytes, { maxSize: 16 << 20 }), 'DECOMPRESS_TOO_LARGE');
    expect(cost(() => decompress(bytes, { maxSize: 16 << 20 })).bytes).toBeLessThan(40 << 20);
    expect(decompress(bytes).length).toBe(1000 * 128 * 1024);
  });
});

describe('zstd: the content size is checked against what the frame produced', () => {
  test.each([
    ['more content than the frame holds', 100, 10],
    ['less content than the frame holds', 5, 10],
    ['a size of 0 with content', 0, 10],
  ])('%s: refused like zstd', (_, declared, real) => {
    // Single_Segment with a 1-byte Frame_Content_Size.
    const bytes = Uint8Array.from([...MAGIC, 0x20, declared, ...block(0, real, true), ...raw(real)]);
    expect(zstdCli(bytes)).toBeNull();
    expectDecompressError(() => decompress(bytes), 'DECOMPRESS_CORRUPT');
  });

  test('the declared size when it is right', () => {
    const bytes = Uint8Array.from([...MAGIC, 0x20, 10, ...block(0, 10, true), ...raw(10)]);
    expect(zstdCli(bytes)).toEqual(Uint8Array.from(raw(10)));
    expect(decompress(bytes)).toEqual(Uint8Array.from(raw(10)));
  });

  test('a block larger than Block_Maximum_Size (the window, under 128 KiB) is refused like zstd', () => {
    const bytes = Uint8Array.from([...MAGIC, 0x00, window(10), ...block(0, 1025, true), ...raw(1025)]);
    expect(zstdCli(bytes)).toBeNull();
    expectDecompressError(() => decompress(bytes), 'DECOMPRESS_CORRUPT');
    const fits = Uint8Array.from([...MAGIC, 0x00, window(10), ...block(0, 1024, true), ...raw(1024)]);
    expect(sameBytes(decompress(fits), zstdCli(fits)!)).toBe(true);
  });

  test('a match reaching before the start of the frame is refused like zstd', () => {
    // One compressed block: `literals` raw literals, one sequence in RLE mode for all three codes
    // (literal length code = literals, offset code 3, match length code 0: 3 bytes), offset 5.
    const frame = (literals: number) => {
      const content = [literals << 3, ...raw(literals), 1, 0x54, literals, 3, 0, 0x08];
      return Uint8Array.from([...MAGIC, 0x00, window(10), ...block(2, content.length, true), ...content]);
    };
    const good = frame(5);
    expect(decompress(good)).toEqual(zstdCli(good));
    expect(decompress(good)).toEqual(Uint8Array.from([...raw(5), ...raw(3)]));
    const bad = frame(4);
    expect(zstdCli(bad)).toBeNull();
    expectDecompressError(() => decompress(bad), 'DECOMPRESS_CORRUPT');
  });
});

describe('zstdFrames: the frame walker the Node side shares', () => {
  test('the fixture: one frame, its header fields and blocks', () => {
    const zst = fixture('kmodkit_test.ko.zst');
    const frames = zstdFrames(zst);
    expect(frames).toHaveLength(1);
    const [f] = frames;
    expect(f).toMatchObject({ kind: 'zstd', offset: 0, end: zst.length, truncated: false, dictionaryId: 0 });
    if (f?.kind !== 'zstd') throw new Error('not a zstd frame');
    expect(f.contentSize).toBe(fixture('kmodkit_test.ko').length);
    expect(f.blocks.at(-1)?.last).toBe(true);
  });

  test('a cut is reported, not thrown; bytes that are not a frame are', () => {
    const zst = fixture('kmodkit_test.ko.zst');
    for (const n of [1, 3, 4, 5, 20, zst.length - 1]) {
      const frames = zstdFrames(zst.subarray(0, n));
      expect(frames.at(-1)?.truncated, `cut at ${n}`).toBe(true);
    }
    expect(() => zstdFrames(Uint8Array.from([...zst, 1, 2, 3, 4]))).toThrowError(
      expect.objectContaining({ code: 'DECOMPRESS_CORRUPT', offset: zst.length }),
    );
    const skippable = Uint8Array.of(0x5a, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9);
    expect(zstdFrames(skippable)).toEqual([
      { kind: 'skippable', offset: 0, end: 10, truncated: false, variant: 10, dataSize: 2 },
    ]);
  });
});

describe('gzip: bounded by what the member really holds', () => {
  const zeros = compressWith('gzip', ['-c', '-1'], new Uint8Array(128 << 20));

  test('a trailer that claims 200 MiB for 10 KiB of data allocates for the data, not the claim', () => {
    const member = compressWith('gzip', ['-c'], fixture('kmodkit_test.ko').subarray(0, 10240));
    member.set([0, 0, 0x80, 0x0c], member.length - 4); // ISIZE = 200 MiB
    expectDecompressError(() => decompress(member), 'DECOMPRESS_CORRUPT');
    expect(cost(() => decompress(member)).bytes).toBeLessThan(16 << 20);
  });

  test('a 128 MiB bomb whose trailer says 1 KiB stops decoding soon after 1 KiB', () => {
    const bomb = zeros.slice();
    bomb.set([0, 4, 0, 0], bomb.length - 4); // ISIZE = 1024
    expectDecompressError(() => decompress(bomb), 'DECOMPRESS_CORRUPT');
    const { bytes, ms } = cost(() => decompress(bomb));
    expect(bytes).toBeLessThan(32 << 20);
    expect(ms).toBeLessThan(1000); // decoding all 128 MiB (what fflate's one-shot inflate did) takes longer
    expect(decompress(zeros).length).toBe(128 << 20);
  });
});

describe('zstd: a declared content size is not allocated before blocks deliver it', () => {
  test('a frame declaring 200 MiB with one RLE block: refused after allocating little', () => {
    const size = 200 << 20;
    const fcs = [size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24];
    const bytes = Uint8Array.from([...MAGIC, 0x80, window(20), ...fcs, ...block(1, 1000, true), 7]);
    expect(zstdCli(bytes)).toBeNull();
    expectDecompressError(() => decompress(bytes), 'DECOMPRESS_CORRUPT');
    expect(cost(() => decompress(bytes)).bytes).toBeLessThan(8 << 20);
  });
});
