/**
 * Reports on many modules using two cores: this thread and one worker take chunks of the job list
 * from a shared counter (so neither waits while the other has a run of big `.ko.xz` files), and the
 * reports come back in job order. Decompressing xz is the slow part of `modinfo` (kmod needs 4.6 s for
 * Debian's 4023 `.ko.xz`); splitting it over both cores is what lets a JavaScript tool keep up.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  decompressorsFor,
  decompressorsForPaths,
  filePaths,
  type ModuleJob,
  type ModuleReport,
  type ReportStyle,
  reportModule,
} from './modinfo-report.js';
import { loadDecompressors } from './node-decompress.js';

/** What the worker is given to do (its first message). */
export interface WorkerInput {
  readonly jobs: readonly ModuleJob[];
  readonly style: ReportStyle;
  readonly chunkSize: number;
  /** Int32Array over it: [0] is the next chunk to take. */
  readonly counter: SharedArrayBuffer;
}

/** What the worker posts for each chunk it finished. */
export interface WorkerChunk {
  readonly index: number;
  readonly report: ModuleReport;
}

/**
 * A worker pays off only for decompression. Starting one costs 50-100 ms (it loads the modules again)
 * and each thread pays its own JIT warm-up: over Debian's 4023 plain `.ko` two threads took the same
 * wall time as one, and more CPU (measured on an idle machine and a loaded one). 64 compressed files
 * take longer than a start.
 */
const PARALLEL_MIN_COMPRESSED = 64;

function worthAWorker(paths: readonly string[]): boolean {
  let compressed = 0;
  for (const path of paths) if (!path.endsWith('.ko')) compressed++;
  return compressed >= PARALLEL_MIN_COMPRESSED && availableParallelism() >= 2;
}

/**
 * Starts the worker early, before the jobs are known, when the module files named on the command line
 * are worth one: it loads its code and decoders (some 60 ms) while this thread stats the files.
 * This thread loads the same decoders first (see modinfo-worker.ts for why). Hand the worker to
 * {@link reportAll}, which gives it its jobs or lets it go.
 */
export async function startWorker(paths: readonly string[]): Promise<Helper | undefined> {
  if (!worthAWorker(paths)) return undefined;
  const kinds = decompressorsForPaths(paths);
  await loadDecompressors(kinds);
  const worker = new Worker(new URL('./modinfo-worker.js', import.meta.url), { workerData: { kinds } });
  // Listened to from the start: a worker that fails while loading must not crash this thread.
  const exited = new Promise<void>((resolve) => {
    worker.on('error', () => {});
    worker.on('exit', () => resolve());
  });
  return { worker, exited };
}

/** A started worker, and when it is gone (whether it finished or failed). */
export interface Helper {
  readonly worker: Worker;
  readonly exited: Promise<void>;
}

const CHUNK_SIZE = 16;

/** The reports on the jobs of chunk `index`, concatenated. */
export function reportChunk(
  jobs: readonly ModuleJob[],
  style: ReportStyle,
  index: number,
  size: number,
): ModuleReport {
  const out: ModuleReport = { stdout: '', stderr: '', failed: false };
  const end = Math.min(jobs.length, (index + 1) * size);
  for (let i = index * size; i < end; i++) {
    const r = reportModule(jobs[i]!, style);
    out.stdout = join(out.stdout, r.stdout);
    out.stderr = join(out.stderr, r.stderr);
    out.failed ||= r.failed;
  }
  return out;
}

/** The job list being reported on, for {@link stopWork}. */
let running: { readonly counter: Int32Array; readonly helper?: Helper } | undefined;

/**
 * Stops taking chunks, on this thread and the worker, and resolves once the worker is gone: for when
 * the reader of the output has gone away. The worker finishes the module it is on rather than being
 * terminated: node-liblzma aborts the whole process when its synchronous call is interrupted.
 */
export async function stopWork(): Promise<void> {
  if (running === undefined) return;
  Atomics.store(running.counter, 0, 0x3fffffff);
  await running.helper?.exited;
}

/** The chunks this thread takes from `counter`, one at a time, until none is left. */
function* takeChunks(input: WorkerInput): Generator<number> {
  const counter = new Int32Array(input.counter);
  const chunks = Math.ceil(input.jobs.length / input.chunkSize);
  for (let index = Atomics.add(counter, 0, 1); index < chunks; index = Atomics.add(counter, 0, 1)) {
    yield index;
  }
}

/** Takes chunks from `counter` until none is left, handing each report to `done`. */
export function drainChunks(input: WorkerInput, done: (chunk: WorkerChunk) => void): void {
  for (const index of takeChunks(input)) {
    done({ index, report: reportChunk(input.jobs, input.style, index, input.chunkSize) });
  }
}

/**
 * {@link drainChunks} for the main thread while a worker runs: it lets the event loop run after each
 * chunk, so the worker's reports are written as they come instead of piling up until this thread is
 * done (they made the garbage collector this thread's second-biggest cost).
 */
async function drainChunksYielding(input: WorkerInput, done: (chunk: WorkerChunk) => void): Promise<void> {
  for (const index of takeChunks(input)) {
    done({ index, report: reportChunk(input.jobs, input.style, index, input.chunkSize) });
    await new Promise(setImmediate);
  }
}

/**
 * Reports on every job, handing each chunk's report to `emit` in job order as soon as it and all
 * before it are done: nothing is kept longer than that (keeping all of Debian's reports made the
 * garbage collector the biggest cost of a run). Uses this thread and, for many compressed jobs, one
 * worker thread.
 */
export async function reportAll(
  jobs: readonly ModuleJob[],
  style: ReportStyle,
  emit: (report: ModuleReport) => void,
  early?: Helper,
): Promise<void> {
  const input: WorkerInput = { jobs, style, chunkSize: CHUNK_SIZE, counter: new SharedArrayBuffer(4) };
  const chunks = Math.ceil(jobs.length / CHUNK_SIZE);
  const waiting = new Map<number, ModuleReport>();
  let next = 0;
  const store = ({ index, report }: WorkerChunk) => {
    if (index !== next) {
      waiting.set(index, report);
      return;
    }
    emit(report);
    for (next++; waiting.has(next); next++) {
      emit(waiting.get(next)!);
      waiting.delete(next);
    }
  };
  if (!worthAWorker(filePaths(jobs))) {
    early?.worker.postMessage(null);
    await loadDecompressors(decompressorsFor(jobs));
    drainChunks(input, store);
    await early?.exited;
    return;
  }
  // This thread's decoders first, then the worker's (see modinfo-worker.ts for why that order).
  await loadDecompressors(decompressorsFor(jobs));
  const helper = early ?? (await startWorker(filePaths(jobs)))!;
  running = { counter: new Int32Array(input.counter), helper };
  helper.worker.on('message', store);
  helper.worker.postMessage(input);
  await drainChunksYielding(input, store);
  // A worker that died leaves its chunks undone; they are done here below.
  await helper.exited;
  while (next < chunks) store({ index: next, report: reportChunk(jobs, style, next, CHUNK_SIZE) });
}

/** Text after text stays a string; once bytes are involved (a non-UTF-8 module), the result is bytes. */
function join(a: string | Uint8Array, b: string | Uint8Array): string | Uint8Array {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return Buffer.concat([
    typeof a === 'string' ? Buffer.from(a) : a,
    typeof b === 'string' ? Buffer.from(b) : b,
  ]);
}
