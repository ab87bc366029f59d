import { errnoNumber, strerror } from '@kmodkit/errno';

/**
 * The one error class of @kmodkit/elf. Every structural problem found in a module image is an
 * `ElfError` with a stable `code`, the byte `offset` it concerns (when there is one) and the errno
 * name the kernel would have returned for it (`kernel/module/main.c` answers `-ENOEXEC` for almost
 * every malformed-ELF case, hence the default).
 */
export interface ElfErrorOptions {
  /** Byte offset in the (decompressed) image that the problem concerns. */
  offset?: number;
  /** Kernel errno name, e.g. 'ENOEXEC', 'EINVAL', 'EKEYREJECTED'. Defaults to 'ENOEXEC'. */
  errno?: string;
  /** The underlying error, if any (e.g. from a decompression library). */
  cause?: unknown;
}

export class ElfError extends Error {
  override readonly name = 'ElfError';
  /** Stable machine-readable code, e.g. 'BAD_MAGIC', 'SECTION_OUT_OF_BOUNDS'. */
  readonly code: string;
  /** Byte offset in the image the problem concerns, when known. */
  readonly offset: number | undefined;
  /** The errno name the kernel would return for this problem. */
  readonly errno: string;

  constructor(code: string, message: string, options: ElfErrorOptions = {}) {
    const where = options.offset === undefined ? '' : ` (at byte 0x${options.offset.toString(16)})`;
    super(message + where, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options.offset;
    this.errno = options.errno ?? 'ENOEXEC';
  }

  /** The errno's number (generic Linux table: ENOEXEC is 8), as `init_module(2)` returns it negated. */
  get errnoNumber(): number | undefined {
    return errnoNumber(this.errno);
  }

  /** The errno's glibc text, e.g. 'Exec format error' for ENOEXEC. */
  get errnoMessage(): string | undefined {
    return errnoNumber(this.errno) === undefined ? undefined : strerror(this.errno);
  }
}

/** True if `e` is an {@link ElfError} (works across bundled copies of the package). */
export function isElfError(e: unknown): e is ElfError {
  return e instanceof ElfError || (e instanceof Error && e.name === 'ElfError' && 'code' in e);
}
