/**
 * One module's `modinfo` report: what `tools/modinfo.c: modinfo_do` prints for it (or, with `--json`,
 * its JSON line), and whether it failed. Runs on the main thread and in the worker alike, so its
 * input and output are plain data.
 */
import {
  createSignatureCache,
  type KernelModule,
  kmodInfoList,
  type ModinfoEntry,
  readSignature,
} from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';
import { openModuleFile } from '@kmodkit/loader';
import {
  formatHead,
  formatInfo,
  type InfoEntry,
  type ModinfoOutput,
  type ModinfoStyle,
  type SignatureFields,
} from './modinfo-format.js';
import { jsonBuiltin, jsonError, jsonModule } from './modinfo-json.js';

/** A module to report on: a file (`name` is kmod's name for it, from the path) or a built-in module. */
export type ModuleJob =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly name: string;
      /** The file's size when the caller has it from a stat already. */
      readonly size?: number;
      /**
       * The path's bytes when they are not UTF-8 (an argument as the system gave it): the file is
       * opened by them, and `path` and `name` are byte strings (one character per byte), printed as
       * the bytes they stand for.
       */
      readonly raw?: Uint8Array;
    }
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
  | { readonly kind: 'error'; readonly message: string | Uint8Array };

export interface ReportStyle extends ModinfoStyle {
  readonly json: boolean;
}

/**
 * What to print for one job. Text is a string, except for a module whose `.modinfo` is not valid
 * UTF-8: kmod prints its bytes as they are, so its report is bytes too.
 */
export interface ModuleReport {
  stdout: string | Uint8Array;
  stderr: string | Uint8Array;
  failed: boolean;
}

/** The info-list keys that come from the signature (`kmod_module_get_info`). */
const SIGNATURE_KEYS = new Set(['sig_id', 'signer', 'sig_key', 'sig_hashalgo', 'signature']);

/** The report for one job; never throws. */
export function reportModule(job: ModuleJob, style: ReportStyle): ModuleReport {
  const report = reportText(job, style);
  if (job.kind !== 'file' || job.raw === undefined) return report;
  // Every string of a report on a byte-string path is a byte string too.
  const bytes = (t: string | Uint8Array) => (typeof t === 'string' ? Buffer.from(t, 'latin1') : t);
  return { stdout: bytes(report.stdout), stderr: bytes(report.stderr), failed: report.failed };
}

function reportText(job: ModuleJob, style: ReportStyle): ModuleReport {
  if (job.kind === 'error') return { stdout: '', stderr: job.message, failed: true };
  const report = { stdout: '', stderr: '', failed: false };
  if (style.json) {
    report.stdout =
      job.kind === 'file'
        ? reportFileJson(job.path, job.raw, report)
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
    const opened = openModuleFile(job.raw ?? job.path, { sparse: true, size: job.size });
    if (!('module' in opened)) return fail(report, job.name, opened.errno);
    const { modinfo } = opened.module;
    // Reading the signature is the dearest part; `-F` of another key never shows it.
    const signature =
      style.field === undefined || SIGNATURE_KEYS.has(style.field) ? signatureOf(opened.module) : null;
    if (
      job.raw !== undefined ||
      modinfo.some((e) => e.key.includes('\uFFFD') || e.value.includes('\uFFFD'))
    ) {
      return reportBytes(
        job.raw === undefined ? byteString(head.text) : head.text,
        modinfo,
        signature,
        style,
      );
    }
    list = kmodInfoList(modinfo, signature);
  }
  const text: ModinfoOutput = { stdout: head.text, stderr: '' };
  formatInfo(list, style, text);
  return { ...text, failed: false };
}

/** UTF-8 text as a "binary" string: one character per byte, for Buffer.from(…, 'latin1'). */
const byteString = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/**
 * The report of a module with bytes in `.modinfo` that are not UTF-8 (or a path that is not),
 * formatted over one-character-per-byte strings so that every byte comes out as stored. `head` is
 * a byte string already.
 */
function reportBytes(
  head: string,
  modinfo: readonly ModinfoEntry[],
  signature: SignatureFields | null,
  style: ReportStyle,
): ModuleReport {
  const entries = modinfo.map((e) =>
    splitInfo(Buffer.from(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength).toString('latin1')),
  );
  const sig = signature === null ? null : { ...signature, signer: byteString(signature.signer) };
  const text: ModinfoOutput = { stdout: head, stderr: '' };
  formatInfo(kmodInfoList(entries, sig), style, text, 'latin1');
  return {
    stdout: Buffer.from(text.stdout, 'latin1'),
    stderr: Buffer.from(text.stderr, 'latin1'),
    failed: false,
  };
}

function fail(report: ModinfoOutput, name: string, errno: string): ModuleReport {
  const stderr = `${report.stderr}modinfo: ERROR: could not get modinfo from '${name}': ${errnoText(errno)}\n`;
  return { stdout: report.stdout, stderr, failed: true };
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
 * The signature kmod would show, or null: read by kmod's rules (libkmod-signature.c), which show some
 * trailers the kernel's mod_check_sig refuses; a trailer kmod cannot read leaves the fields out.
 */
// One `kmodkit modinfo` run reads many modules signed with the same key or two: their PKCS#7 parse is shared.
const signatureCache = createSignatureCache();

function signatureOf(module: KernelModule): SignatureFields | null {
  try {
    return readSignature(module.bytes, { rules: 'kmod', cache: signatureCache }).signature;
  } catch {
    return null;
  }
}

function reportFileJson(path: string, raw: Uint8Array | undefined, report: { failed: boolean }): string {
  const opened = openModuleFile(raw ?? path);
  if (!('module' in opened)) {
    report.failed = true;
    return jsonError(path, opened);
  }
  return jsonModule(path, opened.module, signatureOf(opened.module));
}

/** The paths of the jobs that are module files. */
export function filePaths(jobs: readonly ModuleJob[]): string[] {
  return jobs.flatMap((job) => (job.kind === 'file' ? [job.path] : []));
}
