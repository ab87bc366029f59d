// The plain Node ESM consumer: all three browser-safe libraries, installed from their tarballs.
// Usage: node node-main.mjs <repo>/fixtures/modules
import { checkElf } from './check-elf.js';
import { checkErrno } from './check-errno.js';
import { checkParams } from './check-params.js';
import { readFixtures } from './fixtures.mjs';

const { modules, goldens } = await readFixtures(process.argv[2]);
const failures = [...checkElf(modules, goldens), ...checkParams(), ...checkErrno()];
for (const failure of failures) console.error(failure);
console.log(failures.length === 0 ? 'ok' : `${failures.length} failures`);
process.exitCode = failures.length === 0 ? 0 : 1;
