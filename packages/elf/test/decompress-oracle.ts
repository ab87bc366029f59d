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
 * result must be an ElfError or exactly `original` (some bits — unused code lengths, say — do not
 * matter), or with `sizeOnly` at least output of the original's length (formats whose integrity check
 * the decoder cannot verify). Returns how many changes were refused.
 */
export function expectDamageCaught(
  compressed: Uint8Array,
  original: Uint8Array,
  opts: { start: number; step: number; mask: number; sizeOnly?: boolean },
): number {
  let refused = 0;
  for (let i = opts.start; i < compressed.length; i += opts.step) {
    const bad = compressed.slice();
    bad[i]! ^= opts.mask;
    let out: Uint8Array;
    try {
      out = decompress(bad);
    } catch (e) {
      expect(e).toBeInstanceOf(ElfError);
      refused++;
      continue;
    }
    if (opts.sizeOnly) expect(out.length).toBe(original.length);
    else expect(sameBytes(out, original), `change at byte ${i}`).toBe(true);
  }
  return refused;
}
