// Writes man/kmodkit-<command>.1 and completions/{kmodkit.bash,_kmodkit} from the command specs (dist/docs.js),
// so the man pages, --help and completion come from one source. Run by `build`, after tsc.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docFiles } from '../dist/docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(join(root, 'man'), { recursive: true, force: true });
rmSync(join(root, 'completions'), { recursive: true, force: true });
for (const [path, text] of await docFiles(version)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
