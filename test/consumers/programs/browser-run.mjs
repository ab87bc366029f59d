// Runs the Vite bundle with Node's own globals removed (process, Buffer, global, setImmediate), so
// code that would throw in a browser throws here too, then calls the check the bundle exposes.
// Usage: node browser-run.mjs <bundle.js> <repo>/fixtures/modules
import { pathToFileURL } from 'node:url';
import { readFixtures } from './fixtures.mjs';

const [bundle, fixturesDir] = process.argv.slice(2);
const { modules, goldens } = await readFixtures(fixturesDir);
const node = process;
for (const name of ['process', 'Buffer', 'global', 'setImmediate', 'clearImmediate']) delete globalThis[name];

let failures;
try {
  await import(pathToFileURL(bundle).href);
  failures = JSON.parse(globalThis.kmodkitConsumerCheck(modules, goldens));
} catch (error) {
  failures = [`the bundle threw without Node globals: ${error?.stack ?? error}`];
}
globalThis.process = node;
console.log(failures.length === 0 ? 'ok' : failures.join('\n'));
process.exitCode = failures.length === 0 ? 0 : 1;
