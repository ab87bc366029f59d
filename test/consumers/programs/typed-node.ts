// The NodeNext consumer: the browser-safe libraries plus the Node-only loader and the CLI's entry,
// type-checked against their published .d.ts files, then compiled and run.
import { readFile } from 'node:fs/promises';
import { main } from '@kmodkit/cli';
import { type LoadedModule, LoaderError, parseProcModules } from '@kmodkit/loader';
import { summarize } from './typed-browser.js';

const run: (argv: string[], argv0?: string) => Promise<number> = main;

// Never called: only the type checker reads it.
export async function typesOnly(): Promise<string> {
  // @ts-expect-error main resolves to the exit code, not a string
  const wrong: string = await run([]);
  return wrong;
}

const lines = summarize(new Uint8Array(await readFile(process.argv[2] ?? '')));
// A /proc/modules line as kernel/module/procfs.c prints it (this machine has no /proc/modules).
const [dummy]: LoadedModule[] = parseProcModules('dummy 16384 0 - Live 0x0000000000000000 (OE)\n');
console.log(
  [...lines, `loader: ${dummy?.name} ${dummy?.size} ${dummy?.state} ${LoaderError.name}`].join('\n'),
);
