import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, test } from 'vitest';
import { readModule } from '../../src/index.js';
import { corpusDirs, modulesIn, SKIP_CORPUS } from '../corpus.js';
import { fixture } from '../fixtures.js';
import { layout } from './layout.js';
import { type BaseLayout, mutate } from './mutate.js';
import { probeModule } from './probe.js';

/**
 * Mutation fuzzing of real modules: every property of every mutated image must read or throw an
 * ElfError, within a time and a memory bound. `pnpm fuzz` runs KMODKIT_FUZZ_CASES=100000; the normal test run
 * a quick slice. The cases run in worker threads over the built package (dist/) so that a case
 * that never ends can be stopped and reported by its seed; the same probe runs in-process over
 * src/ for the first cases.
 */
const CASES = Number(process.env.KMODKIT_FUZZ_CASES ?? 4000);
const SEED = Number(process.env.KMODKIT_FUZZ_SEED ?? 1);
const IN_PROCESS = Math.min(CASES, 500);
const CASE_LIMIT_MS = 2000;
const HANG_MS = 15_000;

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../../dist/index.js');

/**
 * The fixtures (plain, stripped, signed, compressed) and, when the corpus is available, two small
 * modules of each architecture. In a compressed base the mutations land in the compressed stream
 * (the ELF offsets are then arbitrary places): that exercises decompression through readModule.
 */
function bases(): BaseLayout[] {
  const names = ['kmodkit_test.ko', 'kmodkit_dep.ko', 'kmodkit_test-stripped.ko', 'kmodkit_test-signed.ko'];
  names.push('kmodkit_test.ko.gz', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst');
  const out = names.map((n) => layout(n, fixture(n)));
  if (SKIP_CORPUS) return out;
  for (const [arch, dir] of corpusDirs(['amd64', 'arm64', 'armhf', 'i386', 's390x', 'ppc64el', 'mips64el'])) {
    const small = modulesIn(dir, 7).filter((f) => statSync(f).size < 40_000);
    for (const f of [small[0], small[Math.floor(small.length / 2)]]) {
      if (f) out.push(layout(`${arch}:${f.slice(f.lastIndexOf('/') + 1)}`, new Uint8Array(readFileSync(f))));
    }
  }
  return out;
}

/**
 * The worker reports each case's time and its growth of ArrayBuffer memory (where decompressed
 * images and every large buffer live; garbage collected during the case only lowers it, so it
 * never blames a case for another's). A case that allocates its way past the heap limit ends the
 * worker (ERR_WORKER_OUT_OF_MEMORY), which is reported as a failure too.
 */
const WORKER_SOURCE = (url: string) => `
const { parentPort } = require('node:worker_threads');
const probeModule = ${probeModule.toString()};
const used = () => process.memoryUsage().arrayBuffers;
import(${JSON.stringify(url)}).then(({ readModule }) => {
  parentPort.on('message', ({ id, bytes }) => {
    const before = used();
    const t0 = performance.now();
    try {
      const codes = probeModule(readModule, bytes);
      parentPort.postMessage({ id, ok: true, codes, ms: performance.now() - t0, bytes: used() - before });
    } catch (e) {
      parentPort.postMessage({ id, ok: false, error: String((e && e.message) || e), ms: performance.now() - t0 });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;
/** What one case may allocate: the bases decompress to under 1 MiB; 200 repeated zstd blocks to 25 MiB. */
const CASE_LIMIT_BYTES = 96 << 20;

interface Failure {
  seed: number;
  base: string;
  what: string;
  error: string;
}

function caseOf(all: BaseLayout[], i: number) {
  const seed = SEED * 1_000_003 + i;
  const base = all[i % all.length]!;
  return { seed, base, ...mutate(base, seed) };
}

test(`fuzz: ${CASES} mutated modules, every failure an ElfError`, async () => {
  const distTime = statSync(dist).mtimeMs;
  const srcTime = Math.max(
    ...['module.ts', 'elf-file.ts', 'params.ts', 'exports.ts'].map(
      (f) => statSync(join(here, '../../src', f)).mtimeMs,
    ),
  );
  expect(distTime, 'dist/ is older than src/: run pnpm build first').toBeGreaterThanOrEqual(srcTime);

  const all = bases();
  const failures: Failure[] = [];
  const codes = new Map<string, number>();

  // In-process over src/: the same probe, no watchdog.
  for (let i = 0; i < IN_PROCESS; i++) {
    const c = caseOf(all, i);
    try {
      probeModule(readModule, c.bytes);
    } catch (e) {
      failures.push({ seed: c.seed, base: c.base.name, what: c.what, error: String((e as Error).message) });
    }
  }

  // Worker threads over dist/, with a watchdog.
  let next = IN_PROCESS;
  let slowest = 0;
  let largest = 0;
  const runWorker = () =>
    new Promise<void>((resolve) => {
      const worker = new Worker(WORKER_SOURCE(pathToFileURL(dist).href), {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      });
      let current: ReturnType<typeof caseOf> | undefined;
      let started = 0;
      const send = () => {
        if (next >= CASES) {
          clearInterval(watchdog);
          void worker.terminate().then(() => resolve());
          return;
        }
        current = caseOf(all, next++);
        started = Date.now();
        worker.postMessage({ id: current.seed, bytes: current.bytes });
      };
      const watchdog = setInterval(() => {
        if (current && Date.now() - started > HANG_MS) {
          failures.push({ seed: current.seed, base: current.base.name, what: current.what, error: 'hung' });
          clearInterval(watchdog);
          void worker.terminate().then(() => runWorker().then(resolve));
          current = undefined;
        }
      }, 500);
      worker.on(
        'message',
        (m: {
          ready?: true;
          ok?: boolean;
          codes?: string[];
          error?: string;
          ms?: number;
          bytes?: number;
        }) => {
          if (!m.ready && current) {
            slowest = Math.max(slowest, m.ms ?? 0);
            largest = Math.max(largest, m.bytes ?? 0);
            if ((m.bytes ?? 0) > CASE_LIMIT_BYTES) {
              const error = `allocated ${m.bytes} bytes`;
              failures.push({ seed: current.seed, base: current.base.name, what: current.what, error });
            }
            if (!m.ok)
              failures.push({
                seed: current.seed,
                base: current.base.name,
                what: current.what,
                error: m.error!,
              });
            else if ((m.ms ?? 0) > CASE_LIMIT_MS) {
              failures.push({
                seed: current.seed,
                base: current.base.name,
                what: current.what,
                error: `took ${m.ms} ms`,
              });
            }
            for (const code of m.codes ?? []) codes.set(code, (codes.get(code) ?? 0) + 1);
          }
          send();
        },
      );
      worker.on('error', (e) => {
        failures.push({
          seed: current?.seed ?? -1,
          base: current?.base.name ?? '',
          what: current?.what ?? '',
          error: String(e),
        });
        clearInterval(watchdog);
        runWorker().then(resolve);
      });
    });
  await Promise.all([runWorker(), runWorker()]);

  const top = [...codes].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(
    `fuzz: ${CASES} cases over ${all.length} bases, slowest ${slowest.toFixed(1)} ms, largest ${(largest / 2 ** 20).toFixed(1)} MiB; codes:`,
    top,
  );
  if (failures.length > 0)
    console.log(`${failures.length} failures:`, JSON.stringify(failures.slice(0, 50), null, 1));
  expect(failures.slice(0, 5)).toEqual([]);
  // The mutations must reach deep checks, not stop at the header.
  expect(codes.size).toBeGreaterThan(10);
}, 3_600_000);
