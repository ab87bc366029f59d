/**
 * Module trees for comparing `kmodkit depmod` with kmod's: two roots (`kmod/`, `kmodkit/`) holding the
 * same `lib/modules/<version>` — module files hard-linked (or whole directories symlinked) to the
 * same sources, so each depmod writes its own indexes over identical input.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Run, runMain } from './run-main.js';

/** Debian 12's kmod 30 depmod, the oracle. In CI its absence fails the tests (they never skip there). */
export const KMOD_DEPMOD = '/sbin/depmod';
export const HAVE_KMOD = existsSync(KMOD_DEPMOD);
if (process.env.CI === 'true' && !HAVE_KMOD)
  throw new Error(`${KMOD_DEPMOD} (Debian's kmod) is needed in CI`);

/** What a tree holds, by path relative to its module directory. */
export interface TreeSpec {
  readonly version: string;
  /** Module files: relative path → source file (hard-linked, or copied across file systems). */
  readonly modules?: Readonly<Record<string, string>>;
  /** Directories: relative path → source directory (symlinked). */
  readonly links?: Readonly<Record<string, string>>;
  /** Other files (modules.order, modules.builtin …): relative path → contents. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface Roots {
  /** The temporary directory holding both roots (and anything else a test puts there). */
  readonly base: string;
  readonly kmod: string;
  readonly kmodkit: string;
  readonly version: string;
}

function place(root: string, spec: TreeSpec): void {
  const dir = join(root, 'lib/modules', spec.version);
  mkdirSync(dir, { recursive: true });
  for (const [rel, source] of Object.entries(spec.modules ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    try {
      linkSync(source, join(dir, rel));
    } catch {
      writeFileSync(join(dir, rel), readFileSync(source));
    }
  }
  for (const [rel, source] of Object.entries(spec.links ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    symlinkSync(source, join(dir, rel));
  }
  for (const [rel, contents] of Object.entries(spec.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), contents);
  }
}

/** Two identical trees in a new temporary directory. */
export function makeRoots(spec: TreeSpec): Roots {
  const base = mkdtempSync(join(tmpdir(), 'kmodkit-depmod-'));
  const kmod = join(base, 'kmod');
  const kmodkit = join(base, 'kmodkit');
  place(kmod, spec);
  place(kmodkit, spec);
  return { base, kmod, kmodkit, version: spec.version };
}

export type { Run };

/** Runs kmod's depmod with `-b <its root>` (unless `noBasedir`) and `args`. */
export function runKmod(roots: Roots, args: readonly string[], noBasedir = false): Run {
  // Called as `depmod`, as from PATH: glibc's getopt messages start with argv[0].
  const r = spawnSync(KMOD_DEPMOD, noBasedir ? args : ['-b', roots.kmod, ...args], {
    encoding: 'latin1',
    argv0: 'depmod',
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `kmodkit depmod` in-process (as the multi-call name `depmod`) with `-b <its root>` and `args`. */
export function runKmodkit(roots: Roots, args: readonly string[], noBasedir = false): Promise<Run> {
  return runMain(noBasedir ? [...args] : ['-b', roots.kmodkit, ...args], {
    argv0: '/usr/sbin/depmod',
    cwd: roots.base,
  });
}

/** A run with each root's path replaced by ROOT, so that the two can be compared. */
export function normalized(run: Run, root: string): Run {
  const fix = (s: string) => s.split(root).join('ROOT');
  return { status: run.status, stdout: fix(run.stdout), stderr: fix(run.stderr) };
}

/** The files depmod writes. modules.weakdep is kmod 33's, which kmod 30 does not write. */
export const INDEX_FILES = [
  'modules.dep',
  'modules.dep.bin',
  'modules.alias',
  'modules.alias.bin',
  'modules.softdep',
  'modules.symbols',
  'modules.symbols.bin',
  'modules.builtin.bin',
  'modules.builtin.alias.bin',
  'modules.devname',
];

/** The index files of a root's module directory that exist: name → bytes. */
export function indexes(root: string, version: string): Map<string, Buffer> {
  const dir = join(root, 'lib/modules', version);
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    if (INDEX_FILES.includes(name) || name === 'modules.weakdep')
      out.set(name, readFileSync(join(dir, name)));
  }
  return out;
}
