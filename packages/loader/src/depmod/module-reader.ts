/**
 * Reading every module of a depmod run: the one place that opens module files, so that a faster
 * batch reader can take its place. Reading, decompressing and parsing are most of depmod's work, so
 * for a compressed tree, with a task module given and two CPUs, the loader's two-thread runner
 * ({@link runChunks}) shares it with a worker: both threads take chunks of the list from a shared
 * counter. What the worker did not deliver (it failed to start, or died) is read here, so the result
 * never depends on it.
 */
import { availableParallelism } from 'node:os';
import type { CompressedKind } from '../node-decompress.js';
import { runChunks } from '../parallel.js';
import {
  type DepmodModuleData,
  type DepmodModuleFailure,
  type ModuleDecoder,
  readDepmodModule,
} from './module-symbols.js';

export type DepmodModuleResult = DepmodModuleData | DepmodModuleFailure;

/**
 * A task module for the worker (its URL) — it exports `runChunk(paths)` returning
 * {@link readDepmodChunk}'s result with its decoder — and the compression kinds both threads load
 * native decoders for.
 */
export interface DepmodWorkerSpec {
  readonly url: URL;
  readonly kinds: readonly CompressedKind[];
}

/** Modules per chunk (and per progress call). */
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

/** One chunk of a depmod run: each module's data or the errno kmod would give, in order. */
export function readDepmodChunk(paths: readonly string[], decoder?: ModuleDecoder): DepmodModuleResult[] {
  return paths.map((path) => readDepmodModule(path, decoder));
}

/** Reads `paths` in order; each result is the module's data or the errno kmod would give. */
export async function readDepmodModules(
  paths: readonly string[],
  decoder?: ModuleDecoder,
  worker?: DepmodWorkerSpec,
  progress?: (done: number, total: number) => void,
): Promise<DepmodModuleResult[]> {
  const results: DepmodModuleResult[] = [];
  const runChunk = (jobs: readonly string[]) => readDepmodChunk(jobs, decoder);
  const emit = (chunk: DepmodModuleResult[]) => {
    for (const r of chunk) results.push(r);
    progress?.(results.length, paths.length);
  };
  if (worker === undefined || !worthAWorker(paths)) {
    for (let start = 0; start < paths.length; start += CHUNK)
      emit(runChunk(paths.slice(start, start + CHUNK)));
    return results;
  }
  await runChunks(paths, { runChunk, module: worker.url }, emit, {
    data: undefined,
    chunkSize: CHUNK,
    decoders: worker.kinds,
  });
  return results;
}
