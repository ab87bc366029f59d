// @kmodkit/params installed alone: no other kmodkit package is in node_modules.
import { checkParams } from './check-params.js';

const failures = checkParams();
for (const failure of failures) console.error(failure);
console.log(failures.length === 0 ? 'ok' : `${failures.length} failures`);
process.exitCode = failures.length === 0 ? 0 : 1;
