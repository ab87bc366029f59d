/**
 * `main` in-process with its output captured, and `bin/kmodkit.js` as a process: the helpers the CLI's
 * test files run kmodkit through.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../src/index.js';

/** The installed command's entry: what a test runs when it needs a process of its own. */
export const KMODKIT_BIN = fileURLToPath(new URL('../bin/kmodkit.js', import.meta.url));

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

/** Runs `node bin/kmodkit.js ...args` and gives its status (null after a signal), signal and UTF-8 output. */
export function runBin(args: readonly string[], cwd?: string) {
  const r = spawnSync(process.execPath, [KMODKIT_BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...(cwd === undefined ? {} : { cwd }),
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
