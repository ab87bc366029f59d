/**
 * The worker thread of {@link reportAll}. It may be started before the jobs are known: it loads its
 * code and the decoders `workerData.kinds` calls for meanwhile, then waits for its {@link WorkerInput}
 * (or null: not needed after all) and takes chunks of jobs until none is left. It is started only
 * after the main thread has loaded the same decoders: ffi-rs 1.3 crashes the process (SIGSEGV) when a
 * worker that loaded it exits and the main thread never did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decompressorsFor } from './modinfo-report.js';
import { type CompressedKind, loadDecompressors } from './node-decompress.js';
import { drainChunks, type WorkerChunk, type WorkerInput } from './parallel.js';

const encoder = new TextEncoder();
const loading = loadDecompressors((workerData as { kinds: CompressedKind[] }).kinds);
const input = await new Promise<WorkerInput | null>((resolve) => parentPort!.once('message', resolve));
await loading;
if (input !== null) {
  await loadDecompressors(decompressorsFor(input.jobs));
  drainChunks(input, ({ index, report }) => {
    // As bytes, moved rather than copied: the main thread writes them as they are, and has no strings
    // to clone, keep and collect.
    // Never a Buffer from Node's shared pool: moving that would take the pool from under other Buffers.
    const stdout =
      typeof report.stdout === 'string' ? encoder.encode(report.stdout) : new Uint8Array(report.stdout);
    const chunk: WorkerChunk = { index, report: { ...report, stdout } };
    parentPort!.postMessage(chunk, [stdout.buffer]);
  });
}
parentPort!.close();
