// Runs inside the qemu guest: reads the live kernel as a LoadTarget with @kmodkit/loader's gatherer
// and writes it as JSON (Maps and Sets as arrays). Usage: node gather.mjs out.json '{"moduleDir":…}'
import { writeFileSync } from 'node:fs';
import { readLoadTarget } from '../../dist/index.js';

const [out, options] = process.argv.slice(2);
const target = await readLoadTarget({ live: true, ...JSON.parse(options) });
writeFileSync(
  out,
  JSON.stringify(target, (_key, value) =>
    value instanceof Map ? [...value] : value instanceof Set ? [...value] : value,
  ),
);
