import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { expect, test } from 'vitest';
import { decompress } from '../src/index.js';
import { corpusDir, modulesIn } from '../test/corpus.js';

/**
 * Decode speed of `decompress` on every 10th module of Debian 12's 6.1 amd64 corpus, compressed here
 * as the kernel's `make modules_install` does (`zstd`, `xz --check=crc32 --lzma2=dict=1MiB`, `gzip -9`),
 * plus `zstd -19 --check`. CPU time of this thread, median of 5 runs after a warm-up; MB/s of output.
 */
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

test('decompression benchmark', () => {
  const files = modulesIn(corpusDir('amd64'), 10);
  const raw = files.map((f) => new Uint8Array(readFileSync(f)));
  const total = raw.reduce((n, b) => n + b.length, 0);
  // zstd writes the content size of a file (as `make modules_install` compresses) but not of a pipe:
  // --stream-size gives it the size, and both layouts are timed.
  const formats: Record<string, (b: Uint8Array) => [string, string[]]> = {
    'zstd (default level, as modules_install)': (b) => ['zstd', ['-c', '-q', `--stream-size=${b.length}`]],
    'zstd -19 --check': (b) => ['zstd', ['-c', '-q', '-19', '--check', `--stream-size=${b.length}`]],
    'zstd, piped (no content size)': () => ['zstd', ['-c', '-q']],
    'zstd -19 --check, piped (no content size)': () => ['zstd', ['-c', '-q', '-19', '--check']],
    'xz --check=crc32 --lzma2=dict=1MiB': () => ['xz', ['-c', '--check=crc32', '--lzma2=dict=1MiB']],
    'gzip -9': () => ['gzip', ['-c', '-9']],
  };
  const only = process.env.KMODKIT_BENCH_ONLY;
  const rows: string[] = [];
  for (const [name, command] of Object.entries(formats)) {
    if (only && !name.includes(only)) continue;
    const packed = raw.map((b) => {
      const [cmd, args] = command(b);
      return new Uint8Array(execFileSync(cmd, args, { input: b, maxBuffer: 1 << 28 }));
    });
    const cpu: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const c0 = process.cpuUsage();
      let n = 0;
      for (const p of packed) n += decompress(p).length;
      const c = process.cpuUsage(c0);
      expect(n).toBe(total);
      if (run > 0) cpu.push((c.user + c.system) / 1000);
    }
    const ms = median(cpu);
    rows.push(`| ${name} | ${ms.toFixed(0)} ms | ${(total / 1e6 / (ms / 1000)).toFixed(0)} MB/s |`);
  }
  console.log(
    [
      `${raw.length} modules, ${(total / 2 ** 20).toFixed(1)} MiB of output; ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ` +
        `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(1)}`,
      '',
      '| format | CPU (median of 5) | output MB/s |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
});
