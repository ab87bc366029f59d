import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { expect, test } from 'vitest';
import { readModule } from '../src/index.js';
import { corpusDir, modulesIn } from '../test/corpus.js';

/**
 * Reads all 4023 modules of Debian 12's 6.1 amd64 kernel from disk first, then times the library
 * alone over them: `.modinfo` only (what `modinfo` needs), and `.modinfo` + params + exports +
 * imports (every symbol). Cold = the first run of a pass (the full pass runs first, in a fresh
 * process); warm = the median of 5 more. The load average is printed: the numbers mean little on a busy machine.
 * kmod's `modinfo` over the same files in one process is the reference.
 */
const WARM_RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

test('corpus benchmark', () => {
  const files = modulesIn(corpusDir('amd64'));
  const images = files.map((f) => new Uint8Array(readFileSync(f)));
  const totalBytes = images.reduce((n, b) => n + b.length, 0);
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };

  // The full pass first, so that its first run is cold.
  const passes = {
    'modinfo + params + exports + imports': (bytes: Uint8Array) => {
      const m = readModule(bytes);
      return m.modinfo.length + m.params.length + m.exports.length + m.imports.length;
    },
    modinfo: (bytes: Uint8Array) => readModule(bytes).modinfo.length,
  };
  const rows: string[] = [];
  for (const [name, pass] of Object.entries(passes)) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run <= WARM_RUNS; run++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let n = 0;
      for (let i = 0; i < images.length; i++) {
        n += pass(images[i]!);
        if ((i & 255) === 0) sample();
      }
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      sample();
      expect(n).toBeGreaterThan(0);
    }
    rows.push(
      `| ${name} | ${times[0]!.toFixed(0)} ms (CPU ${cpu[0]!.toFixed(0)} ms) | ` +
        `${median(times.slice(1)).toFixed(0)} ms (CPU ${median(cpu.slice(1)).toFixed(0)} ms) |`,
    );
  }

  let kmod = 'n/a';
  try {
    const t0 = performance.now();
    execFileSync('modinfo', files, { stdio: 'ignore', maxBuffer: 1 << 30 });
    kmod = `${(performance.now() - t0).toFixed(0)} ms`;
  } catch {
    // kmod not installed
  }

  console.log(
    [
      `${images.length} modules, ${(totalBytes / 2 ** 20).toFixed(0)} MiB, read before timing; ` +
        `${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
        `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(1)}`,
      '',
      '| pass (library only) | cold: first run, wall (process CPU) | warm: median of 5, wall (process CPU) |',
      '|---|---|---|',
      ...rows,
      `| kmod 30 \`modinfo\` on the same files, one process (reads files, prints) | ${kmod} | |`,
      '',
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (of which the images ${(totalBytes / 2 ** 20).toFixed(0)} MiB), ` +
        `peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MiB`,
    ].join('\n'),
  );
});
