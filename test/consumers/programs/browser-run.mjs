// Runs the Vite bundle with Node's own globals removed (process, Buffer, global, setImmediate), so
// code that would throw in a browser throws here too, then calls the check the bundle exposes.
// Usage: node browser-run.mjs <bundle.js> <module.ko> <golden modinfo.txt>
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, modulePath, goldenPath] = process.argv.slice(2);
const moduleBytes = new Uint8Array(await readFile(modulePath));
const golden = await readFile(goldenPath, 'utf8');
const node = process;
for (const name of ['process', 'Buffer', 'global', 'setImmediate', 'clearImmediate']) delete globalThis[name];

let failures;
try {
  await import(pathToFileURL(bundle).href);
  failures = JSON.parse(globalThis.kmodkitConsumerCheck(moduleBytes, golden));
} catch (error) {
  failures = [`the bundle threw without Node globals: ${error?.stack ?? error}`];
}
globalThis.process = node;
console.log(failures.length === 0 ? 'ok' : failures.join('\n'));
process.exitCode = failures.length === 0 ? 0 : 1;
