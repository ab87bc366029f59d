import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** fixtures/modules of the repository (written by scripts/build-fixtures.sh). */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/modules');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/**
 * kmod 30's `modinfo` stdout for a fixture, without its first line — which holds the
 * repository-relative path (scripts/build-fixtures.sh writes no machine path), checked here.
 */
export function goldenModinfo(name: string): string[] {
  const text = readFileSync(join(FIXTURES, 'golden', `${name}.modinfo.txt`), 'utf8');
  const [first, ...rest] = text.split('\n');
  if (first !== `${'filename:'.padEnd(16)}fixtures/modules/${name}`) {
    throw new Error(`golden/${name}.modinfo.txt line 1 is not the repository-relative filename: ${first}`);
  }
  return rest;
}
