/**
 * What a person at a terminal gets and a pipe does not: colour (never with NO_COLOR, https://no-color.org,
 * or TERM=dumb) and progress bars on stderr (cli-progress). Output bytes are kmod's either way: colour
 * only decorates the `ERROR:`/`WARNING:` of kmod's messages, and progress goes to stderr and is erased.
 */
import cliProgress from 'cli-progress';

export interface TerminalStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** True when text written to `stream` may carry colour. */
export function colourOn(stream: TerminalStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

const RED = '\x1b[1;31m';
const YELLOW = '\x1b[1;33m';
const RESET = '\x1b[0m';

/** kmod's `ERROR:` in bold red and `WARNING:` in bold yellow, where they follow the program's name. */
export function colourMessages(text: string): string {
  return text.replace(
    /^([^\s:]+: )(ERROR|WARNING):/gm,
    (_, program: string, word: string) => `${program}${word === 'ERROR' ? RED : YELLOW}${word}:${RESET}`,
  );
}

/** A progress bar over `total` items; does nothing off a terminal. */
export interface Progress {
  /** `done` items are finished. */
  update(done: number): void;
  /** Removes the bar (once; later calls do nothing). */
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/** Work shorter than this many items gets no bar: it would only flicker. */
const MIN_ITEMS = 64;

export function startProgress(
  stream: TerminalStream,
  label: string,
  total: number,
  env: NodeJS.ProcessEnv = process.env,
): Progress {
  if (stream.isTTY !== true || total < MIN_ITEMS || env.TERM === 'dumb') return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${label} {bar} {value}/{total} {percentage}% {eta_formatted}`,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 200,
      fps: 12,
      barsize: 30,
    },
    colourOn(stream, env) ? cliProgress.Presets.shades_classic : cliProgress.Presets.legacy,
  );
  bar.start(total, 0);
  let running = true;
  return {
    update(done) {
      if (running) bar.update(done);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
