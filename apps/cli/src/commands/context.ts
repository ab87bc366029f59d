/** What a command gets from `main`: its name for messages, the package version, and where to write. */
export interface CommandContext {
  /** The name kmod's messages start with: the command's (`modinfo`), as kmod's own tools print it. */
  readonly program: string;
  /** @kmodkit/cli's version, from its package.json. */
  readonly version: string;
  /** The working directory relative paths are made absolute against. */
  readonly cwd: string;
  /** The directory /proc and /sys are read under: `/`, or a captured tree in tests. */
  readonly root: string;
  /** Text, or bytes for output that is not UTF-8 (kmod prints `.modinfo` bytes as they are). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string | Uint8Array): void;
}

/** What `-V` prints: kmod's two lines (`tools/kmod.c`), with kmodkit's name and version. */
export function versionText(ctx: CommandContext): string {
  return `kmodkit version ${ctx.version}\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n`;
}
