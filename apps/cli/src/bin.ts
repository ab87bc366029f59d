/**
 * The `kmodkit` command: the entry of the bundle that `bin/kmodkit.js` runs (see scripts/bundle.mjs).
 * Programs that want `main` import the package, not this.
 */
import { readFileSync } from 'node:fs';
import { main } from './index.js';

/**
 * The arguments as the system gave them: Node decodes argv as UTF-8 and replaces what is not, so an
 * argument that is not UTF-8 (a file name in another encoding) is taken as bytes from
 * /proc/self/cmdline, whose last entries are the program's arguments (Node's own options come first).
 */
function rawArguments(): (string | Uint8Array)[] {
  const args = process.argv.slice(2);
  if (!args.some((a) => a.includes('\uFFFD'))) return args;
  let entries: Buffer[];
  try {
    const cmdline = readFileSync('/proc/self/cmdline');
    entries = [];
    for (let at = 0; at < cmdline.length; ) {
      const end = cmdline.indexOf(0, at);
      entries.push(cmdline.subarray(at, end < 0 ? cmdline.length : end));
      at = end < 0 ? cmdline.length : end + 1;
    }
  } catch {
    return args;
  }
  const raw = entries.slice(entries.length - args.length);
  if (raw.length !== args.length) return args;
  return args.map((a, i) =>
    raw[i]!.toString('utf8') === a && !a.includes('\uFFFD') ? a : Uint8Array.from(raw[i]!),
  );
}

process.exitCode = await main(rawArguments(), process.argv[1]);
