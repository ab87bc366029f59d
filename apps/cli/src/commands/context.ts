import type { Progress } from '../terminal.js';

/** What a command gets from `main`: its name for messages, the package version, and where to write. */
export interface CommandContext {
  /** The name kmod's messages start with: the command's (`modinfo`), as kmod's own tools print it. */
  readonly program: string;
  /** @kmodkit/cli's version, from its package.json. */
  readonly version: string;
  /** The working directory relative paths are made absolute against. */
  readonly cwd: string;
  /** Text, or bytes for output that is not UTF-8 (kmod prints `.modinfo` bytes as they are). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string | Uint8Array): void;
  /** True when stdout is a terminal that takes colour (never with NO_COLOR). */
  readonly colour: boolean;
  /** A progress bar on stderr over `total` items; silent unless stderr is a terminal. */
  progress(label: string, total: number): Progress;
}
