/** The Debian module corpora the tests read (scripts/fetch-corpus.sh), and the module files in a tree. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** True when KMODKIT_SKIP_CORPUS=1 asks to leave the corpus tests out. */
export const skipCorpus = process.env.KMODKIT_SKIP_CORPUS === '1';

/** The `lib/modules/<version>` directory of each architecture's corpus, downloaded once into the cache. */
export function fetchCorpus(...arches: string[]): string[] {
  const r = spawnSync('bash', [join(repo, 'scripts/fetch-corpus.sh'), ...arches], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/fetch-corpus.sh ${arches.join(' ')} failed`);
  return r.stdout.trim().split('\n');
}

/** Every file under `dir` whose name ends in `suffix`, sorted. */
export function modulesUnder(dir: string, suffix = '.ko'): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(suffix)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}
