/**
 * The worker thread of {@link reportAll}. It may be started before the jobs are known: it loads its
 * code meanwhile, then waits for its {@link WorkerInput} (or null: not needed after all), loads the
 * decoders the jobs call for and takes chunks of jobs until none is left. The decoders load only
 * after the main thread has loaded them: ffi-rs 1.3 crashes the process (SIGSEGV) when a worker that
 * loaded it exits and the main thread never did.
 */
import { parentPort } from 'node:worker_threads';
import { decompressorsFor } from './modinfo-report.js';
import { loadDecompressors } from './node-decompress.js';
import { drainChunks, type WorkerChunk, type WorkerInput } from './parallel.js';

const encoder = new TextEncoder();
const input = await new Promise<WorkerInput | null>((resolve) => parentPort!.once('message', resolve));
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
