/**
 * The one error class of @kmodkit/loader: a stable `code`, the file it concerns when there is one, and
 * for binary input the byte `offset`.
 */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  readonly code: string;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;
  /** For a module file kmod could not open: the errno kmod would report (`ENOEXEC`, `EINVAL` …). */
  readonly errno: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { path?: string; line?: number; offset?: number; errno?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.line = options.line;
    this.offset = options.offset;
    this.errno = options.errno;
  }
}
