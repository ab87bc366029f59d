/** `main` in-process with its output captured: the one helper the CLI's test files run it through. */
import { main } from '../src/index.js';

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The name the program is called by (a multi-call name such as `/usr/sbin/depmod`). */
  readonly argv0?: string;
  /** The directory relative paths resolve against. */
  readonly cwd: string;
  /** The root /proc and /sys are read under (`/` unless given). */
  readonly root?: string;
  /** Whether stdout and stderr say they are a terminal (colour, progress). */
  readonly tty?: boolean;
}

/** Runs `main(argv)`; bytes written as a Uint8Array come back one character per byte (latin1). */
export async function runMain(argv: readonly (string | Uint8Array)[], options: RunOptions): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => ({
    isTTY: options.tty ?? false,
    write(text: string | Uint8Array) {
      add(typeof text === 'string' ? text : Buffer.from(text).toString('latin1'));
      return true;
    },
  });
  const status = await main(argv, options.argv0, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    cwd: options.cwd,
    ...(options.root === undefined ? {} : { root: options.root }),
  });
  return { status, stdout, stderr };
}
