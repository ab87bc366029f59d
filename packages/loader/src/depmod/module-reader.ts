/**
 * Reading every module of a depmod run: the one place that opens module files, so that a faster
 * batch reader can take its place. Reading, decompressing and parsing are most of depmod's work, so
 * for a compressed tree, with a worker script given and two CPUs, a worker thread shares it: both
 * threads take chunks of the list from a shared counter, and the worker hands back what it read. Anything the worker did
 * not deliver (it failed to start, or died) is read here, so the result never depends on it.
 */
import { availableParallelism } from 'node:os';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import {
  type DepmodModuleData,
  type DepmodModuleFailure,
  type ModuleDecoder,
  readDepmodModule,
} from './module-symbols.js';

export type DepmodModuleResult = DepmodModuleData | DepmodModuleFailure;

/** A worker script that calls {@link serveDepmodModules}, and the compression kinds it should load decoders for. */
export interface DepmodWorkerSpec {
  readonly url: URL;
  readonly kinds: readonly string[];
}

/** What the worker gets. */
interface WorkerInput {
  readonly paths: readonly string[];
  readonly counter: Int32Array;
  readonly kinds: readonly string[];
}

/** Modules taken at a time from the shared counter. */
const CHUNK = 16;
/**
 * Compressed modules it takes to be worth a second thread. For plain `.ko` files a worker does not
 * pay: it starts Node and warms its JIT up again, and the two JIT compilers compete for the cores
 * (measured for modinfo, BENCHMARKS.md); decompression, native and per byte, divides well.
 */
const PARALLEL_MIN_COMPRESSED = 64;

function worthAWorker(paths: readonly string[]): boolean {
  let compressed = 0;
  for (const path of paths) if (!path.endsWith('.ko')) compressed++;
  return compressed >= PARALLEL_MIN_COMPRESSED && availableParallelism() >= 2;
}

function readChunks(
  paths: readonly string[],
  counter: Int32Array,
  decoder: ModuleDecoder | undefined,
  done: (start: number, results: DepmodModuleResult[]) => void,
): void {
  for (;;) {
    const start = Atomics.add(counter, 0, CHUNK);
    if (start >= paths.length) return;
    const results: DepmodModuleResult[] = [];
    for (let i = start; i < Math.min(start + CHUNK, paths.length); i++)
      results.push(readDepmodModule(paths[i]!, decoder));
    done(start, results);
  }
}

/** Reads `paths` in order; each result is the module's data or the errno kmod would give. */
export async function readDepmodModules(
  paths: readonly string[],
  decoder?: ModuleDecoder,
  worker?: DepmodWorkerSpec,
  progress?: (done: number, total: number) => void,
): Promise<DepmodModuleResult[]> {
  const results: (DepmodModuleResult | undefined)[] = new Array(paths.length);
  let done = 0;
  const got = (n: number) => {
    done += n;
    progress?.(done, paths.length);
  };
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let helper: Worker | undefined;
  let finished: Promise<void> = Promise.resolve();
  if (worker !== undefined && worthAWorker(paths)) {
    try {
      const input: WorkerInput = { paths, counter, kinds: worker.kinds };
      const started = new Worker(worker.url, { workerData: input });
      helper = started;
      finished = new Promise<void>((resolve) => {
        started.on('message', ({ start, chunk }: { start: number; chunk: DepmodModuleResult[] }) => {
          chunk.forEach((r, k) => {
            results[start + k] = r;
          });
          got(chunk.length);
        });
        started.on('error', () => {});
        started.on('exit', () => resolve());
      });
    } catch {
      helper = undefined;
    }
  }
  readChunks(paths, counter, decoder, (start, chunk) => {
    chunk.forEach((r, k) => {
      results[start + k] = r;
    });
    got(chunk.length);
  });
  if (helper !== undefined) await finished;
  // What a failed worker left undone.
  for (let i = 0; i < paths.length; i++) results[i] ??= readDepmodModule(paths[i]!, decoder);
  return results as DepmodModuleResult[];
}

/**
 * The worker side of {@link readDepmodModules}: call it from the worker script, with the decoder
 * for the kinds in `workerData.kinds` loaded. Returns when every module is taken.
 */
export function serveDepmodModules(decoder?: ModuleDecoder): void {
  const input = workerData as WorkerInput;
  readChunks(input.paths, input.counter, decoder, (start, chunk) =>
    parentPort!.postMessage({ start, chunk }),
  );
}

/** The compression kinds the worker should load decoders for (`workerData.kinds`). */
export function depmodWorkerKinds(): readonly string[] {
  return (workerData as WorkerInput).kinds;
}
