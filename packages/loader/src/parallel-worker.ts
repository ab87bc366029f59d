/**
 * The worker thread of {@link runChunks}. It may be started before the jobs are known: it loads its
 * code, the task module and the decoders `workerData.decoders` names meanwhile, then waits for its
 * {@link WorkerInput} (or null: not needed after all) and takes chunks of jobs until none is left.
 * It is started only after the main thread has loaded the same decoders: ffi-rs 1.3 crashes the
 * process (SIGSEGV) when a worker that loaded it exits and the main thread never did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDecompressors } from './node-decompress.js';
import { type ChunkTask, drainChunks, type WorkerInput, type WorkerStart } from './parallel.js';

const start = workerData as WorkerStart;
const loading = Promise.all([
  loadDecompressors(start.decoders),
  import(start.module) as Promise<ChunkTask<unknown, unknown, unknown>>,
]);
const input = await new Promise<WorkerInput | null>((resolve) => parentPort!.once('message', resolve));
const [, task] = await loading;
if (input !== null) {
  await loadDecompressors(input.decoders);
  drainChunks(input, task.runChunk, ({ index, result }) => {
    const { value, transfer } = task.forTransfer?.(result) ?? { value: result, transfer: [] };
    parentPort!.postMessage({ index, result: value }, transfer);
  });
}
parentPort!.close();
