// The plain Node ESM consumer: all three browser-safe libraries, installed from their tarballs.
// Usage: node node-main.mjs <module.ko> <golden modinfo.txt>
import { readFile } from 'node:fs/promises';
import { checkElf } from './check-elf.js';
import { checkErrno } from './check-errno.js';
import { checkParams } from './check-params.js';

const [modulePath, goldenPath] = process.argv.slice(2);
const failures = [
  ...checkElf(new Uint8Array(await readFile(modulePath)), await readFile(goldenPath, 'utf8')),
  ...checkParams(),
  ...checkErrno(),
];
for (const failure of failures) console.error(failure);
console.log(failures.length === 0 ? 'ok' : `${failures.length} failures`);
process.exitCode = failures.length === 0 ? 0 : 1;
