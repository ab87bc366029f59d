// The page's data on Debian's real modules of every architecture, with kmod 30's `modinfo` as the oracle
// for the "copy as modinfo output" text.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { inspectFile } from './inspect.js';
import { formatModinfo, modinfoLines } from './modinfo-output.js';
import { buildArgs, type Field, type FieldValue, fieldOf, longBitsOf } from './param-builder.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const SKIP = process.env.KMODKIT_SKIP_CORPUS === '1' && !process.env.CI;
const HAVE_MODINFO = spawnSync('modinfo', ['--version']).status === 0;
if (!HAVE_MODINFO && process.env.CI) throw new Error('kmod (modinfo) is not installed');
const ARCHES = ['amd64', 'arm64', 'armhf', 'i386', 's390x', 'ppc64el', 'mips64el', 'riscv64', 'loong64'];
/** Every STEP-th module of each tree: a few hundred files in all, a few seconds. */
const STEP = 60;

function sample(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.ko(\.xz|\.zst)?$/.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort().filter((_, i) => i % STEP === 0);
}

/** A value the field must accept: its largest (integers test the range end), or a short word. */
function largest(field: Field): FieldValue | undefined {
  switch (field.kind) {
    case 'bool':
      return true;
    case 'integer':
      return String(field.max);
    case 'text':
      return field.maxBytes === undefined || field.maxBytes >= 1 ? 'x' : undefined;
    case 'array': {
      const v = largest(field.element);
      return typeof v === 'string' ? [v] : v === true ? ['1'] : undefined;
    }
    case 'custom':
      return undefined;
  }
}

describe.skipIf(SKIP)('Debian corpora', () => {
  const dirs = SKIP
    ? []
    : execFileSync('bash', [join(repo, 'scripts/fetch-corpus.sh'), ...ARCHES], { encoding: 'utf8' })
        .trim()
        .split('\n');

  test.each(ARCHES.map((arch, i) => ({ arch, i })))(
    '$arch: every sampled module reads, its modinfo text is kmod’s, its parameters build',
    async ({ i }) => {
      const files = sample(dirs[i]!);
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) {
        const r = await inspectFile(file, new Uint8Array(readFileSync(file)));
        if (!r.ok) throw new Error(`${file}: ${r.error.message}`);
        expect(r.problems, file).toEqual([]);
        if (HAVE_MODINFO) {
          const kmod = execFileSync('modinfo', [file], { encoding: 'utf8' });
          expect(formatModinfo(file, modinfoLines(r.module)), file).toBe(kmod);
        }
        const name = r.summary.name ?? 'm';
        for (const p of r.module.params) {
          const field = fieldOf(p, r.module.class);
          const value = largest(field);
          if (value === undefined) continue;
          const bits = longBitsOf(r.module.class);
          const built = buildArgs(name, 'm.ko', [p], new Map([[p.name, value]]), bits);
          expect([...built.issues.values()], `${file} ${p.name}`).toEqual([]);
          // One past the end is refused, at the module's own width of long.
          if (field.kind === 'integer') {
            const over = buildArgs(name, 'm.ko', [p], new Map([[p.name, String(field.max + 1n)]]), bits);
            expect(over.issues.get(p.name)?.errno, `${file} ${p.name}`).toBe('ERANGE');
          }
        }
      }
    },
    600_000,
  );
});
