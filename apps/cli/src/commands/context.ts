/** What a command gets from `main`: its name for messages, the package version, and where to write. */
export interface CommandContext {
  /** The name kmod's messages start with: the command's (`modinfo`), as kmod's own tools print it. */
  readonly program: string;
  /** @kmodkit/cli's version, from its package.json. */
  readonly version: string;
  /** The working directory relative paths are made absolute against. */
  readonly cwd: string;
  /**
   * The bytes of an argument that is not UTF-8 (the argument itself is then a byte string, one
   * character per byte); undefined for the others.
   */
  rawArgument(arg: string): Uint8Array | undefined;
  /** Text, or bytes for output that is not UTF-8 (kmod prints `.modinfo` bytes as they are). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string | Uint8Array): void;
}
