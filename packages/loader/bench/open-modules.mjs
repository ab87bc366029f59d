// Opens every module file named in the list file argv[2] with @kmodkit/loader's openModules, as kmod
// opens them (decompressed, ELF header, sections, .modinfo), and prints how many opened.
import { readFileSync } from 'node:fs';
import { openModules } from '../dist/index.js';

const paths = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((p) => p !== '');
let opened = 0;
for await (const r of openModules(paths)) if (!('error' in r)) opened++;
console.log(opened);
