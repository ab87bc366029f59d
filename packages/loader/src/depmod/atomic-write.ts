/**
 * Writing an index so that readers only ever see a complete file (`tools/depmod.c: depmod_output`):
 * the bytes go to `NAME.PID.USEC.SEC` in the same directory (created O_EXCL, mode 0644), which is
 * then renamed over NAME. Unlike kmod 30, which renames even after a failed write (so a full disk
 * leaves a truncated index), a file that could not be written completely is removed and the old
 * index stays.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { LoaderError } from '../error.js';

/** The step that failed, for the caller's message. */
export type AtomicWriteStage = 'open' | 'write' | 'rename';

/** A failed atomic write: `code` is the errno name, `stage` what was being done. */
export class AtomicWriteError extends LoaderError {
  readonly stage: AtomicWriteStage;
  readonly temporary: string;

  constructor(stage: AtomicWriteStage, temporary: string, cause: NodeJS.ErrnoException) {
    super(cause.code ?? 'EIO', `${stage} ${temporary}: ${cause.message}`, { path: temporary, cause });
    this.stage = stage;
    this.temporary = temporary;
  }
}

/** kmod's temporary name: `NAME.PID.USEC.SEC`. */
export function temporaryName(name: string, now = Date.now(), pid = process.pid): string {
  const sec = Math.floor(now / 1000);
  const usec = (now % 1000) * 1000;
  return `${name}.${pid}.${usec}.${sec}`;
}

/**
 * Writes `bytes` to `dir/name` through a temporary file and a rename.
 * @throws AtomicWriteError; after a failed write the temporary file is gone and `dir/name` untouched.
 */
export function writeFileAtomic(
  dir: string,
  name: string,
  bytes: Uint8Array,
  temporary = temporaryName(name),
): void {
  const tmpPath = `${dir}/${temporary}`;
  let fd: number;
  try {
    fd = openSync(tmpPath, 'wx', 0o644);
  } catch (e) {
    throw new AtomicWriteError('open', temporary, e as NodeJS.ErrnoException);
  }
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // Already closed by the failing closeSync.
    }
    try {
      unlinkSync(tmpPath);
    } catch {
      // Nothing more can be done; the index itself is untouched.
    }
    throw new AtomicWriteError('write', temporary, e as NodeJS.ErrnoException);
  }
  try {
    renameSync(tmpPath, `${dir}/${name}`);
  } catch (e) {
    throw new AtomicWriteError('rename', temporary, e as NodeJS.ErrnoException);
  }
}
