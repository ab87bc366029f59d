import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';
import { IN_CI } from './tools.js';

/** True when corpus tests must be skipped (KMODKIT_SKIP_CORPUS=1); never in CI, which fetches it. */
export const SKIP_CORPUS = process.env.KMODKIT_SKIP_CORPUS === '1' && !IN_CI;

const fetched = new Map<string, string>();

/**
 * The extracted Debian `lib/modules/<version>` tree of each of `arches` (6.1; riscv64: Debian 13's 6.12), fetched (once, cached
 * on disk) by scripts/fetch-corpus.sh in one run for all of them, and remembered for this process.
 */
export function corpusDirs(arches: readonly string[]): Map<string, string> {
  const missing = arches.filter((a) => !fetched.has(a));
  if (missing.length > 0) {
    const script = join(FIXTURES, '../../scripts/fetch-corpus.sh');
    const out = execFileSync('bash', [script, ...missing], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const dirs = out.trim().split('\n');
    for (const [i, a] of missing.entries()) fetched.set(a, dirs[i]!);
  }
  return new Map(arches.map((a) => [a, fetched.get(a)!]));
}

/** The corpus tree of one architecture (see corpusDirs). */
export function corpusDir(arch: string): string {
  return corpusDirs([arch]).get(arch)!;
}

/** Every module file (`.ko`, or compressed: `.ko.xz`, `.ko.zst`, `.ko.gz`) under `dir`, sorted, optionally every `step`-th one. */
export function modulesIn(dir: string, step = 1): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz|\.zst|\.gz)?$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  out.sort();
  return out.filter((_, i) => i % step === 0);
}
