// Builds the kernel oracle: extracts the real Linux 6.1 definitions, compiles them with oracle.c, and
// caches the binary under ~/.cache/kmodkit/ keyed by the inputs' hash.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractDefinition, KERNEL_DEFINITIONS } from './extract.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../../..');

export function kernelSourceTree(): string {
  return execFileSync(join(repoRoot, 'scripts/fetch-kernel-source.sh'), { encoding: 'utf8' }).trim();
}

/** Path of the compiled oracle, building it if the cache has none for these sources. */
export function buildOracle(): string {
  const tree = kernelSourceTree();
  const ours = ['oracle.c', 'shim.h', 'extract.ts', 'build.ts'].map((f) => readFileSync(join(here, f)));
  const hash = createHash('sha256');
  hash.update(tree);
  for (const content of ours) hash.update(content);
  const cache = join(process.env.KMODKIT_CACHE ?? join(homedir(), '.cache/kmodkit'), 'params-oracle');
  const binary = join(cache, `oracle-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;

  const work = mkdtempSync(join(tmpdir(), 'kmodkit-params-oracle-'));
  try {
    const parts: string[] = [];
    for (const { file, names } of KERNEL_DEFINITIONS) {
      const source = readFileSync(join(tree, file), 'utf8');
      for (const name of names) parts.push(`/* ${file}: ${name} */`, extractDefinition(source, name, file));
    }
    // vsprintf.c's decpair table defines a helper macro `_` it undefines after the table.
    writeFileSync(
      join(work, 'kernel-extract.c'),
      `${parts.join('\n\n').replace(/(static const u16 decpair\[100\] = \{[\s\S]*?\n\};)/, '$1\n#undef _')}\n`,
    );
    writeFileSync(join(work, 'ctype.h'), readFileSync(join(tree, 'include/linux/ctype.h')));
    mkdirSync(join(work, 'linux'));
    writeFileSync(
      join(work, 'linux/compiler.h'),
      '/* shim: the oracle needs nothing from linux/compiler.h */\n',
    );
    for (const f of ['oracle.c', 'shim.h']) writeFileSync(join(work, f), readFileSync(join(here, f)));
    // -fsigned-char: x86-64, where the kernel's plain char is signed (6.1 predates -funsigned-char).
    execFileSync(
      'gcc',
      [
        '-O1',
        '-fsigned-char',
        '-fno-strict-aliasing',
        '-w',
        '-I',
        work,
        '-o',
        join(work, 'oracle'),
        join(work, 'oracle.c'),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    mkdirSync(cache, { recursive: true });
    renameSync(join(work, 'oracle'), binary);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
