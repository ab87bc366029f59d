/** The worker thread of {@link reportAll}: takes chunks of jobs until none is left. */
import { parentPort, workerData } from 'node:worker_threads';
import { decompressorsFor } from './modinfo-report.js';
import { loadDecompressors } from './node-decompress.js';
import { drainChunks, type WorkerInput } from './parallel.js';

const input = workerData as WorkerInput;
await loadDecompressors(decompressorsFor(input.jobs));
drainChunks(input, (chunk) => parentPort!.postMessage(chunk));
