/**
 * The `kmodkit` command: one program with sub-commands (`kmodkit modinfo …`) that also answers to the
 * name it is called by, as kmod's multi-call binary does when symlinked (`tools/kmod.c`): a link named
 * `modinfo` runs `kmodkit modinfo`.
 */
import { readFileSync } from 'node:fs';
import { stopWork } from '@kmodkit/loader';
import type { CommandContext } from './commands/context.js';
import { COMMANDS, commandSpecs } from './commands/registry.js';
import { colourMessages, colourOn, startProgress } from './terminal.js';

/** Where `main` writes; `process.stdout`/`process.stderr` unless a caller (a test) passes its own. */
export interface MainIo {
  readonly stdout: { write(text: string | Uint8Array): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string | Uint8Array): unknown; readonly isTTY?: boolean };
  /** The directory relative module paths are resolved against; `process.cwd()` by default. */
  readonly cwd?: string;
  /** The directory /proc and /sys are read under; `/` by default (tests pass a captured tree). */
  readonly root?: string;
}

/** Output is gathered and written in pieces of 64 KiB: few writes, and no long-lived text for the GC to move. */
const FLUSH_AT = 1 << 16;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function help(): Promise<string> {
  const specs = await commandSpecs();
  const lines = specs.map((spec) => `  ${spec.name.padEnd(12)} ${spec.summary}`);
  return (
    'kmodkit - Linux kernel module tools\n' +
    'Usage:\n' +
    '\tkmodkit [options] command [command_options]\n\n' +
    'Options:\n' +
    '\t-V, --version     show version\n' +
    '\t-h, --help        show this help\n\n' +
    'Commands:\n' +
    `${lines.join('\n')}\n\n` +
    'kmodkit also runs a command when called by its name (a symlink named modinfo runs kmodkit modinfo).\n' +
    "Each command's --help lists its options, with examples; `man kmodkit-COMMAND` has more.\n"
  );
}

/**
 * Runs `kmodkit` with `argv` (the arguments after the program name) and returns the exit status.
 * `argv0` is the name the program was called by: if its basename is a command (`modinfo`), that
 * command runs with all of `argv`.
 */
export async function main(
  args: readonly (string | Uint8Array)[],
  argv0?: string,
  io: MainIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  // An argument given as bytes (not UTF-8) goes on as a byte string, one character per byte; the
  // command gets its bytes back from `rawArgument`.
  const raw = new Map<string, Uint8Array>();
  const argv = args.map((a) => {
    if (typeof a === 'string') return a;
    const text = Buffer.from(a).toString('latin1');
    raw.set(text, a);
    return text;
  });
  let pending = '';
  const stderrColour = colourOn(io.stderr);
  const flush = () => {
    if (pending !== '') io.stdout.write(pending);
    pending = '';
  };
  const ctxFor = (program: string): CommandContext => ({
    program,
    version: packageVersion(),
    cwd: io.cwd ?? process.cwd(),
    rawArgument: (arg) => raw.get(arg),
    root: io.root ?? '/',
    stdout(text) {
      if (typeof text === 'string') {
        pending += text;
        if (pending.length >= FLUSH_AT) flush();
      } else {
        flush();
        io.stdout.write(text);
      }
    },
    stderr(text) {
      flush();
      io.stderr.write(typeof text === 'string' && stderrColour ? colourMessages(text) : text);
    },
    colour: colourOn(io.stdout),
    progress: (label, total) => startProgress(io.stderr, label, total),
  });

  if (io.stdout === process.stdout) {
    // A reader that goes away (`kmodkit modinfo … | head`) kills kmod with SIGPIPE, silently; the
    // same here, instead of Node's unhandled 'error' event and its stack trace.
    // A worker thread is let finish its module first (see stopWork).
    let closing = false;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (closing) return;
      closing = true;
      void stopWork().finally(() => process.exit(141));
    });
  }
  try {
    const status = await dispatch(argv, argv0, io, ctxFor);
    flush();
    return status;
  } catch (e) {
    // A bug, not bad input (commands report that themselves): one line, the stack only on request.
    pending = '';
    const detail = process.env.KMODKIT_DEBUG ? (e as Error).stack : (e as Error).message;
    io.stderr.write(`kmodkit: internal error: ${detail ?? String(e)}\n`);
    return 1;
  }
}

/** The command `argv0` names, or the one `argv` starts with; or kmodkit's own options. */
async function dispatch(
  argv: string[],
  argv0: string | undefined,
  io: MainIo,
  ctxFor: (program: string) => CommandContext,
): Promise<number> {
  const called = argv0 === undefined ? undefined : argv0.slice(argv0.lastIndexOf('/') + 1);
  if (called !== undefined && Object.hasOwn(COMMANDS, called)) {
    return (await COMMANDS[called]!()).run(argv, ctxFor(called));
  }
  const [first, ...rest] = argv;
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) {
    return (await COMMANDS[first]!()).run(rest, ctxFor(first));
  }
  if (first === '-V' || first === '--version') {
    io.stdout.write(`kmodkit ${packageVersion()}\n`);
    return 0;
  }
  if (first === '-h' || first === '--help') {
    io.stdout.write(await help());
    return 0;
  }
  io.stderr.write(
    `${first === undefined ? 'missing command' : `invalid command '${first}'`}\n${await help()}`,
  );
  return 1;
}
