/**
 * Runs a task over many module files using two cores: this thread and one worker take chunks of the
 * job list from a shared counter (so neither waits while the other has a run of big `.ko.xz` files),
 * and the results come back in job order. Decompressing xz is the slow part of reading modules (kmod's
 * `modinfo` needs 4.6 s for Debian's 4023 `.ko.xz`); splitting it over both cores is what lets a
 * JavaScript tool keep up.
 *
 * A worker cannot be handed a function, so the task is an ES module: {@link ChunkTask.module} is its
 * URL, and it exports `runChunk` (and optionally `forTransfer`), the same functions this thread calls.
 * What the task does with each file is up to it — `kmodkit modinfo` formats its report in the task,
 * so that only bytes cross between the threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type CompressedKind, loadDecompressors, loadFfi } from './node-decompress.js';

/** A task over chunks of jobs, runnable on this thread and, through its module, on a worker. */
export interface ChunkTask<Job, Data, Result> {
  /** The results of one chunk of jobs (in order), as one value. Must not throw. */
  readonly runChunk: (jobs: readonly Job[], data: Data) => Result;
  /**
   * On a worker: the value to post for a result, and the buffers to move rather than copy (bytes, so
   * that this thread has no strings to clone, keep and collect). The value as it is when absent.
   */
  readonly forTransfer?: (result: Result) => { value: Result; transfer: ArrayBuffer[] };
  /** The ES module a worker imports: it exports this task's `runChunk` (and `forTransfer`). */
  readonly module: URL;
}

/** What the worker is given to do (its first message). */
export interface WorkerInput<Job = unknown, Data = unknown> {
  readonly jobs: readonly Job[];
  readonly data: Data;
  readonly chunkSize: number;
  /** Int32Array over it: [0] is the next chunk to take. */
  readonly counter: SharedArrayBuffer;
  /** The native decoders to load before the first chunk. */
  readonly decoders: readonly CompressedKind[];
}

/** What the worker posts for each chunk it finished. */
export interface WorkerChunk<Result = unknown> {
  readonly index: number;
  readonly result: Result;
}

/** What a worker is started with (its `workerData`). */
export interface WorkerStart {
  readonly module: string;
  readonly decoders: readonly CompressedKind[];
}

/**
 * Starts a worker early, before the jobs are known: it loads its code, the task module and the
 * decoders (some 60 ms) while this thread prepares the jobs. This thread loads the same decoders first
 * (see parallel-worker.ts for why). Hand the worker to {@link runChunks}, which gives it its jobs or
 * lets it go. Undefined on a machine with one core.
 */
export async function startWorker(
  task: ChunkTask<unknown, unknown, unknown> | { readonly module: URL },
  decoders: readonly CompressedKind[],
): Promise<Helper | undefined> {
  if (availableParallelism() < 2) return undefined;
  await loadDecompressors(decoders);
  // ffi-rs 1.3 crashes the process (SIGSEGV) when a worker that loaded it exits and this thread never
  // did: this thread loads it first, whether or not it decodes anything itself.
  try {
    loadFfi();
  } catch {
    // Not installed: neither thread will load it.
  }
  const workerData: WorkerStart = { module: task.module.href, decoders };
  const worker = new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData });
  // Listened to from the start: a worker that fails while loading must not crash this thread.
  const exited = new Promise<void>((resolve) => {
    worker.on('error', () => {});
    worker.on('exit', () => resolve());
  });
  const release = async () => {
    worker.postMessage(null);
    await exited;
  };
  return { worker, exited, release };
}

/** A started worker, and when it is gone (whether it finished or failed). */
export interface Helper {
  readonly worker: Worker;
  readonly exited: Promise<void>;
  /** Lets the worker go unused, and resolves once it is gone. */
  release(): Promise<void>;
}

/** The jobs of chunk `index`. */
function chunkJobs<Job>(jobs: readonly Job[], index: number, size: number): readonly Job[] {
  return jobs.slice(index * size, Math.min(jobs.length, (index + 1) * size));
}

/** The job list being worked on, for {@link stopWork}. */
let running: { readonly counter: Int32Array; readonly helper?: Helper } | undefined;

/**
 * Stops taking chunks, on this thread and the worker, and resolves once the worker is gone: for when
 * the reader of the output has gone away. The worker finishes the chunk it is on rather than being
 * terminated: a native decoder's synchronous call must not be interrupted.
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

/** Takes chunks from `counter` until none is left, handing each result to `done`. */
export function drainChunks<Job, Data, Result>(
  input: WorkerInput<Job, Data>,
  runChunk: (jobs: readonly Job[], data: Data) => Result,
  done: (chunk: WorkerChunk<Result>) => void,
): void {
  for (const index of takeChunks(input)) {
    done({ index, result: runChunk(chunkJobs(input.jobs, index, input.chunkSize), input.data) });
  }
}

/**
 * {@link drainChunks} for this thread while a worker runs: it lets the event loop run after each
 * chunk, so the worker's results are handed on as they come instead of piling up until this thread
 * is done (they made the garbage collector this thread's second-biggest cost).
 */
async function drainChunksYielding<Job, Data, Result>(
  input: WorkerInput<Job, Data>,
  runChunk: (jobs: readonly Job[], data: Data) => Result,
  done: (chunk: WorkerChunk<Result>) => void,
): Promise<void> {
  for (const index of takeChunks(input)) {
    done({ index, result: runChunk(chunkJobs(input.jobs, index, input.chunkSize), input.data) });
    await new Promise(setImmediate);
  }
}

export interface RunChunksOptions<Data> {
  /** Passed to every `runChunk` call (cloned for the worker). */
  readonly data: Data;
  /** Jobs per chunk (16 by default). */
  readonly chunkSize?: number;
  /** The native decoders to load first, on each thread. */
  readonly decoders?: readonly CompressedKind[];
  /**
   * A worker from {@link startWorker} to use; `false` to use none, `true` (the default without one)
   * to start one.
   */
  readonly worker?: Helper | boolean | undefined;
}

const CHUNK_SIZE = 16;

/**
 * Runs `task` over every job, handing each chunk's result to `emit` in job order as soon as it and
 * all before it are done: nothing is kept longer than that (keeping all of Debian's reports made the
 * garbage collector the biggest cost of a run). Uses this thread and, unless `options.worker` is
 * false, one worker thread.
 */
export async function runChunks<Job, Data, Result>(
  jobs: readonly Job[],
  task: ChunkTask<Job, Data, Result>,
  emit: (result: Result) => void,
  options: RunChunksOptions<Data>,
): Promise<void> {
  const chunkSize = options.chunkSize ?? CHUNK_SIZE;
  const decoders = options.decoders ?? [];
  const input: WorkerInput<Job, Data> = {
    jobs,
    data: options.data,
    chunkSize,
    counter: new SharedArrayBuffer(4),
    decoders,
  };
  const chunks = Math.ceil(jobs.length / chunkSize);
  const waiting = new Map<number, Result>();
  let next = 0;
  const store = ({ index, result }: WorkerChunk<Result>) => {
    if (index !== next) {
      waiting.set(index, result);
      return;
    }
    emit(result);
    for (next++; waiting.has(next); next++) {
      emit(waiting.get(next)!);
      waiting.delete(next);
    }
  };
  const given = typeof options.worker === 'object' ? options.worker : undefined;
  // This thread's decoders first, then the worker's (see parallel-worker.ts for why that order).
  await loadDecompressors(decoders);
  const helper = given ?? (options.worker === false ? undefined : await startWorker(task, decoders));
  if (helper === undefined) {
    drainChunks(input, task.runChunk, store);
    return;
  }
  running = { counter: new Int32Array(input.counter), helper };
  helper.worker.on('message', store);
  helper.worker.postMessage(input);
  await drainChunksYielding(input, task.runChunk, store);
  // A worker that died leaves its chunks undone; they are done here below.
  await helper.exited;
  while (next < chunks) {
    store({ index: next, result: task.runChunk(chunkJobs(jobs, next, chunkSize), input.data) });
  }
}
