import { getoptLong, type OptionTable } from '../getopt.js';
import type { Progress } from '../terminal.js';

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
  /** The directory /proc and /sys are read under: `/`, or a captured tree in tests. */
  readonly root: string;
  /** Text, or bytes for output that is not UTF-8 (kmod prints `.modinfo` bytes as they are). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string | Uint8Array): void;
  /** True when stdout is a terminal that takes colour (never with NO_COLOR). */
  readonly colour: boolean;
  /** A progress bar on stderr over `total` items; silent unless stderr is a terminal. */
  progress(label: string, total: number): Progress;
}

/** What `-V` prints: kmod's two lines (`tools/kmod.c`), with kmodkit's name and version. */
function versionText(ctx: CommandContext): string {
  return `kmodkit version ${ctx.version}\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n`;
}

/**
 * The `getopt_long` loop every kmod tool runs: options in command-line order, `-h`/`--help` and
 * `-V`/`--version` answered at once (status 0), the others handed to `each`, which may end the run
 * with a status of its own; after them glibc's message for a bad option (status 1). Gives the operands,
 * or the status to exit with. `version` is what `-V` prints (kmod's two lines by default).
 */
export function toolOptions(
  argv: readonly string[],
  table: OptionTable,
  ctx: CommandContext,
  help: string,
  each: (name: string, value: string | undefined) => number | undefined = () => undefined,
  version: string = versionText(ctx),
): readonly string[] | number {
  const line = getoptLong(argv, table);
  for (const { name, value } of line.options) {
    if (name === 'help') {
      ctx.stdout(help);
      return 0;
    }
    if (name === 'version') {
      ctx.stdout(version);
      return 0;
    }
    const status = each(name, value);
    if (status !== undefined) return status;
  }
  if (line.error !== undefined) {
    ctx.stderr(`${ctx.program}: ${line.error}\n`);
    return 1;
  }
  return line.operands;
}
