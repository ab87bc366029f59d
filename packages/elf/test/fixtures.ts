import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** fixtures/modules of the repository (written by scripts/build-fixtures.sh). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/modules');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** kmod 30's `modinfo` stdout for a fixture, without its first (`filename:`) line. */
export function goldenModinfo(name: string): string[] {
  const text = readFileSync(join(FIXTURES, 'golden', `${name}.modinfo.txt`), 'utf8');
  return text.split('\n').slice(1);
}
