/**
 * `kmodkit modinfo`'s task for @kmodkit/loader's `runChunks`: the reports on a chunk of jobs,
 * concatenated. This module is also what the worker thread imports (its URL is the task's `module`),
 * so the reports are formatted on both threads and only bytes come back.
 */
import type { ChunkTask } from '@kmodkit/loader';
import { type ModuleJob, type ModuleReport, type ReportStyle, reportModule } from './modinfo-report.js';

/** The reports on `jobs`, concatenated. */
export function runChunk(jobs: readonly ModuleJob[], style: ReportStyle): ModuleReport {
  const out: ModuleReport = { stdout: '', stderr: '', failed: false };
  for (const job of jobs) {
    const r = reportModule(job, style);
    out.stdout = join(out.stdout, r.stdout);
    out.stderr = join(out.stderr, r.stderr);
    out.failed ||= r.failed;
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * A report as the worker posts it: stdout as bytes, moved rather than copied — the main thread writes
 * them as they are, and has no strings to clone, keep and collect. Never a Buffer from Node's shared
 * pool: moving that would take the pool from under other Buffers.
 */
export function forTransfer(report: ModuleReport): { value: ModuleReport; transfer: ArrayBuffer[] } {
  const stdout =
    typeof report.stdout === 'string' ? encoder.encode(report.stdout) : new Uint8Array(report.stdout);
  return { value: { ...report, stdout }, transfer: [stdout.buffer] };
}

export const modinfoTask: ChunkTask<ModuleJob, ReportStyle, ModuleReport> = {
  runChunk,
  forTransfer,
  module: new URL('./modinfo-task.js', import.meta.url),
};

/** Text after text stays a string; once bytes are involved (a non-UTF-8 module), the result is bytes. */
function join(a: string | Uint8Array, b: string | Uint8Array): string | Uint8Array {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return Buffer.concat([
    typeof a === 'string' ? Buffer.from(a) : a,
    typeof b === 'string' ? Buffer.from(b) : b,
  ]);
}
