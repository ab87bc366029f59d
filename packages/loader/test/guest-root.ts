/**
 * The captured guest tree (test/fixtures/guest-root, written by scripts/capture-guest-root.sh) as the
 * guest had it: a copy in a temporary directory with the empty directories git cannot keep
 * (`empty-dirs.txt`) made again. Used by the loader's and the CLI's tests.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('fixtures/guest-root', import.meta.url));
let made: string | undefined;

export function guestRoot(): string {
  if (made !== undefined) return made;
  const root = join(mkdtempSync(join(tmpdir(), 'kmodkit-guest-root-')), 'root');
  cpSync(fixture, root, { recursive: true, verbatimSymlinks: true });
  for (const dir of readFileSync(join(fixture, 'empty-dirs.txt'), 'utf8').split('\n')) {
    if (dir !== '') mkdirSync(join(root, dir), { recursive: true });
  }
  made = root;
  return root;
}
