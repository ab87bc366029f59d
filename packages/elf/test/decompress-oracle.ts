import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { decompress } from '../src/decompress.js';
import { ElfError } from '../src/error.js';

/** Runs a real compressor (`xz`, `zstd`, `gzip` — the oracles) on `input`. */
export function compressWith(cmd: string, args: readonly string[], input: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync(cmd, args, { input, maxBuffer: 1 << 28 }));
}

/** Byte equality without vitest's slow element-by-element diff of large arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Asserts that `fn` throws a decompression ElfError (errno ENOEXEC), optionally with `code`. */
export function expectDecompressError(fn: () => unknown, code?: string): ElfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    const err = e as ElfError;
    if (code !== undefined) expect(err.code).toBe(code);
    expect(err.code).toMatch(/^DECOMPRESS_/);
    expect(err.errno).toBe('ENOEXEC');
    return err;
  }
  throw new Error('expected an ElfError, got a result');
}

/**
 * Changes every `step`-th byte of `compressed` from `start` (one at a time, XOR `mask`): each
 * result must be an ElfError or, by `expect`, exactly `original` ('bytes': some bits — unused code
 * lengths, say — do not matter), output of its length ('length': data without an integrity check
 * but with checked sizes) or any output ('anything': no check at all). Returns how many were refused.
 * The output limit is 16 MiB unless given: a damaged header can claim a large window, and
 * allocating 256 MiB per case would make the sweep slow.
 */
export function expectDamageCaught(
  compressed: Uint8Array,
  original: Uint8Array,
  opts: {
    start: number;
    step: number;
    mask: number;
    expect?: 'bytes' | 'length' | 'anything';
    maxSize?: number;
  },
): number {
  let refused = 0;
  for (let i = opts.start; i < compressed.length; i += opts.step) {
    const bad = compressed.slice();
    bad[i]! ^= opts.mask;
    let out: Uint8Array;
    try {
      out = decompress(bad, { maxSize: opts.maxSize ?? 1 << 24 });
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      refused++;
      continue;
    }
    const want = opts.expect ?? 'bytes';
    if (want === 'length') expect(out.length, `change at byte ${i}`).toBe(original.length);
    if (want === 'bytes') expect(sameBytes(out, original), `change at byte ${i}`).toBe(true);
  }
  return refused;
}
