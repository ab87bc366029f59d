/**
 * The worker thread of {@link reportAll}. It may be started before the jobs are known: it loads the
 * decoders `workerData.kinds` calls for meanwhile, then waits for its {@link WorkerInput} (or null:
 * not needed after all) and takes chunks of jobs until none is left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decompressorsFor } from './modinfo-report.js';
import { type CompressedKind, loadDecompressors } from './node-decompress.js';
import { drainChunks, type WorkerInput } from './parallel.js';

const loading = loadDecompressors((workerData as { kinds: CompressedKind[] }).kinds);
const input = await new Promise<WorkerInput | null>((resolve) => parentPort!.once('message', resolve));
if (input !== null) {
  await loading;
  await loadDecompressors(decompressorsFor(input.jobs));
  drainChunks(input, (chunk) => parentPort!.postMessage(chunk));
}
parentPort!.close();
