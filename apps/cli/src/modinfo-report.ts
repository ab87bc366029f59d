/**
 * One module's `modinfo` report: what `tools/modinfo.c: modinfo_do` prints for it (or, with `--json`,
 * its JSON line), and whether it failed. Runs on the main thread and in the worker alike, so its
 * input and output are plain data.
 */
import { strerror } from '@kmodkit/errno';
import {
  formatHead,
  formatInfo,
  type InfoEntry,
  infoList,
  type ModinfoOutput,
  type ModinfoStyle,
  type SignatureFields,
} from './modinfo-format.js';
import { jsonBuiltin, jsonError, jsonModule } from './modinfo-json.js';
import { openModuleFile } from './module-file.js';
import type { CompressedKind } from './node-decompress.js';

/** A module to report on: a file (`name` is kmod's name for it, from the path) or a built-in module. */
export type ModuleJob =
  | { readonly kind: 'file'; readonly path: string; readonly name: string }
  | {
      readonly kind: 'builtin';
      readonly name: string;
      /**
       * Its `modules.builtin.modinfo` strings; 'ENOENT' when that file is missing (an old kernel:
       * kmod prints nothing more), 'ENOSYS' when the module is not in it (kmod's error).
       */
      readonly modinfo: readonly string[] | 'ENOENT' | 'ENOSYS';
    }
  /** An operand that led to no module: kmod's message for it. */
  | { readonly kind: 'error'; readonly message: string };

export interface ReportStyle extends ModinfoStyle {
  readonly json: boolean;
}

export interface ModuleReport extends ModinfoOutput {
  failed: boolean;
}

/** The report for one job; never throws. */
export function reportModule(job: ModuleJob, style: ReportStyle): ModuleReport {
  const report: ModuleReport = { stdout: '', stderr: '', failed: false };
  if (job.kind === 'error') {
    report.stderr = job.message;
    report.failed = true;
    return report;
  }
  if (style.json) {
    report.stdout =
      job.kind === 'file'
        ? reportFileJson(job.path, report)
        : jsonBuiltin(job.name, typeof job.modinfo === 'string' ? [] : job.modinfo.map(splitInfo));
    return report;
  }
  const head = formatHead(job.name, job.kind === 'file' ? job.path : undefined, style);
  report.stdout = head.text;
  if (head.done) return report;

  let list: InfoEntry[];
  if (job.kind === 'builtin') {
    // No modules.builtin.modinfo at all: an old kernel, and kmod says nothing (modinfo_do).
    if (job.modinfo === 'ENOENT') return report;
    if (job.modinfo === 'ENOSYS') return fail(report, job.name, 'ENOSYS');
    list = job.modinfo.map(splitInfo);
  } else {
    const opened = openModuleFile(job.path);
    if (!('module' in opened)) return fail(report, job.name, opened.errno);
    list = infoList(opened.module.modinfo, signatureOf(opened.module));
  }
  formatInfo(list, style, report);
  return report;
}

function fail(report: ModuleReport, name: string, errno: string): ModuleReport {
  report.stderr += `modinfo: ERROR: could not get modinfo from '${name}': ${errnoText(errno)}\n`;
  report.failed = true;
  return report;
}

function errnoText(errno: string): string {
  try {
    return strerror(errno);
  } catch {
    return errno;
  }
}

/** `kmod_module_get_info`: a string is `key=value`, or all key with an empty value. */
function splitInfo(s: string): InfoEntry {
  const eq = s.indexOf('=');
  return eq < 0 ? { key: s, value: '' } : { key: s.slice(0, eq), value: s.slice(eq + 1) };
}

/**
 * The signature kmod would show, or null. A signature @kmodkit/elf cannot read is one kmod would not
 * show either (`kmod_module_signature_info` returns false and the fields are left out).
 */
function signatureOf(module: object): SignatureFields | null {
  try {
    const sig = (module as { signature?: SignatureFields | null }).signature;
    return sig ?? null;
  } catch {
    return null;
  }
}

function reportFileJson(path: string, report: ModuleReport): string {
  const opened = openModuleFile(path);
  if (!('module' in opened)) {
    report.failed = true;
    return jsonError(path, opened);
  }
  return jsonModule(path, opened.module, signatureOf(opened.module));
}

/** The decoders the jobs' file names call for (`.ko.xz` …), to load before reporting. */
export function decompressorsFor(jobs: readonly ModuleJob[]): CompressedKind[] {
  const kinds = new Set<CompressedKind>();
  for (const job of jobs) {
    if (job.kind !== 'file') continue;
    if (job.path.endsWith('.xz')) kinds.add('xz');
    else if (job.path.endsWith('.zst')) kinds.add('zstd');
  }
  return [...kinds];
}
