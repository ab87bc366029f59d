/** The one error class of @kmodkit/loader: a stable `code`, and the file it concerns when there is one. */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  readonly code: string;
  readonly path: string | undefined;
  readonly line: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { path?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.line = options.line;
  }
}
