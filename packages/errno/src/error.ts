import { glibcText, tableOf } from './errno-table.js';
import { explain } from './syscalls.js';

export interface ErrnoErrorOptions {
  /** The system call that failed, e.g. `'finit_module'`; it prefixes the message. */
  syscall?: string;
  /** The architecture whose numbering `errno` uses (default: the generic table). */
  arch?: string;
  /** Replaces the generated message. */
  message?: string;
  /** The underlying error, if any (e.g. Node's `ErrnoException`). */
  cause?: unknown;
}

/**
 * The one error class of @kmodkit/errno: an errno value with its canonical name as `code`, the way
 * Node's system errors carry `code` and `errno` (positive here, as the kernel's `-ret`).
 *
 * The message is `"<syscall>: <strerror text> (<NAME>)"`, e.g.
 * `finit_module: Key was rejected by service (EKEYREJECTED)`; without a syscall the prefix is left
 * out. A number no header defines gets `code: 'UNKNOWN'` and glibc's `Unknown error N`.
 *
 * The package's functions also throw it, with code `EINVAL`, when an argument that must produce an
 * answer is invalid (an unknown errno name or architecture given to `strerror` or to this constructor),
 * as `strerror_r` answers EINVAL.
 */
export class ErrnoError extends Error {
  override readonly name = 'ErrnoError';
  /** The errno number (positive), on `arch`'s numbering. */
  readonly errno: number;
  /** The canonical errno name (`'EAGAIN'` also for `EWOULDBLOCK`), or `'UNKNOWN'`. */
  readonly code: string;
  /** The system call that failed, when given. */
  readonly syscall: string | undefined;
  /**
   * What this errno means when `syscall` returns it ({@link explain}), for a module system call;
   * undefined otherwise.
   */
  readonly explanation: string | undefined;

  constructor(codeOrName: number | string, options: ErrnoErrorOptions = {}) {
    const table = tableOf(options.arch);
    const info =
      typeof codeOrName === 'string' ? table?.byName.get(codeOrName) : table?.byNumber.get(codeOrName);
    if (table === undefined)
      throw invalidArgument('ErrnoError', `unknown architecture ${show(options.arch)}`);
    if (info === undefined && typeof codeOrName === 'string') {
      throw invalidArgument('ErrnoError', `unknown errno name '${codeOrName}'`);
    }
    if (info === undefined && !isCInt(codeOrName)) {
      throw invalidArgument('ErrnoError', `${show(codeOrName)} is not an errno number`);
    }
    const errno = info?.errno ?? (codeOrName as number);
    const code = info?.name ?? 'UNKNOWN';
    const text = info?.message ?? glibcText(errno, undefined, false);
    const prefix = options.syscall === undefined ? '' : `${options.syscall}: `;
    const message = options.message ?? `${prefix}${text}${info === undefined ? '' : ` (${code})`}`;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.errno = errno;
    this.code = code;
    this.syscall = options.syscall;
    this.explanation =
      options.syscall === undefined ? undefined : explain(options.syscall, errno, options.arch);
  }
}

/** True if `e` is an {@link ErrnoError} (works across bundled copies of the package). */
export function isErrnoError(e: unknown): e is ErrnoError {
  return e instanceof ErrnoError || (e instanceof Error && e.name === 'ErrnoError' && 'errno' in e);
}

/** An errno number must be a C `int`, as strerror(3) takes. */
export function isCInt(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
}

/** The `EINVAL` error the package's functions throw for an argument they cannot answer for. */
export function invalidArgument(caller: string, problem: string): ErrnoError {
  return new ErrnoError('EINVAL', { message: `${caller}: ${problem}` });
}

/** A bad argument as a message shows it: strings quoted, numbers as such, anything else by its type. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return typeof value === 'number' ? String(value) : typeof value;
}
