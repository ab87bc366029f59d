import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './fixtures.js';

/** True when corpus tests must be skipped (KMODKIT_SKIP_CORPUS=1). */
export const SKIP_CORPUS = process.env.KMODKIT_SKIP_CORPUS === '1';

/**
 * The extracted Debian 6.1 `lib/modules/<version>` tree for `arch`, fetched (once, cached) by
 * scripts/fetch-corpus.sh.
 */
export function corpusDir(arch: string): string {
  const script = join(FIXTURES, '../../scripts/fetch-corpus.sh');
  const out = execFileSync('bash', [script, arch], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop()!;
}

/** Every `.ko` under `dir`, sorted, optionally every `step`-th one. */
export function modulesIn(dir: string, step = 1): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko')) out.push(p);
    }
  };
  walk(dir);
  out.sort();
  return out.filter((_, i) => i % step === 0);
}
