#!/usr/bin/env node
// `kmodkit depmod` against kmod's `depmod` on Debian's 6.1 amd64 tree, as `.ko`, `.ko.zst` and
// `.ko.xz` (the copies compressed-copies.sh makes once in the cache). Each tool writes into its own
// root (`-b`), whose module directory links to the same module files; a warm-up checks that both
// write the same bytes, then each runs ROUNDS times, alternating. The table shows median wall and
// CPU time and peak memory; the results replace the `## kmodkit depmod` section of BENCHMARKS.md.
//
// Usage: node bench/depmod.bench.mjs [--rounds N] [--no-write]   (after `pnpm build`)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, replaceSection, run, timeOnce } from './timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const bin = join(here, '../bin/kmodkit.js');
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 5);
const write = !args.includes('--no-write');
const kmod = ['/usr/sbin/depmod', '/sbin/depmod'].find((p) => existsSync(p));
if (!kmod) {
  console.error('depmod.bench: kmod is not installed (apt-get install kmod)');
  process.exit(1);
}

const tree = run('bash', [join(repo, 'scripts/fetch-corpus.sh')]).split('\n')[0];
const version = tree.slice(tree.lastIndexOf('/') + 1);
const INDEXES = [
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
const base = mkdtempSync(join(tmpdir(), 'kmodkit-depmod-bench-'));

/** A root whose lib/modules/VERSION has `kernel` linked to `modules` and the tree's own lists. */
function root(name, modules) {
  const dir = join(base, name, 'lib/modules', version);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(modules, 'kernel'), join(dir, 'kernel'));
  for (const f of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
    writeFileSync(join(dir, f), readFileSync(join(tree, f)));
  }
  return join(base, name);
}

const sets = [
  ['.ko', tree],
  ['.ko.zst', run('bash', [join(here, 'compressed-copies.sh'), tree, 'zst'])],
  ['.ko.xz', run('bash', [join(here, 'compressed-copies.sh'), tree, 'xz'])],
];
const load = loadavg()[0].toFixed(2);
const rows = [];
try {
  for (const [what, modules] of sets) {
    const kmodRoot = root(`kmod${what}`, modules);
    const oursRoot = root(`kmodkit${what}`, modules);
    const kmodArgs = ['-b', kmodRoot, version];
    const oursArgs = [bin, 'depmod', '-b', oursRoot, version];
    timeOnce(kmod, kmodArgs);
    timeOnce(process.execPath, oursArgs);
    for (const f of INDEXES) {
      const a = readFileSync(join(kmodRoot, 'lib/modules', version, f));
      const b = readFileSync(join(oursRoot, 'lib/modules', version, f));
      if (!a.equals(b)) throw new Error(`kmodkit depmod wrote another ${f} than kmod for the ${what} tree`);
    }
    const kmodRuns = [];
    const oursRuns = [];
    for (let i = 0; i < rounds; i++) {
      kmodRuns.push(timeOnce(kmod, kmodArgs));
      oursRuns.push(timeOnce(process.execPath, oursArgs));
    }
    const summary = (runs) => ({
      wall: median(runs.map((r) => r.wall)),
      cpu: median(runs.map((r) => r.cpu)),
      rssMB: median(runs.map((r) => r.rssMB)),
    });
    const k = summary(kmodRuns);
    const o = summary(oursRuns);
    rows.push({ what, kmod: k, kmodkit: o });
    console.log(
      `${what.padEnd(8)} wall: kmod ${k.wall.toFixed(2)} s, kmodkit ${o.wall.toFixed(2)} s (${(o.wall / k.wall).toFixed(2)})  cpu: kmod ${k.cpu.toFixed(2)} s, kmodkit ${o.cpu.toFixed(2)} s  peak: kmod ${k.rssMB.toFixed(0)} MB, kmodkit ${o.rssMB.toFixed(0)} MB`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const date = new Date().toISOString().slice(0, 10);
const section = [
  '## kmodkit depmod',
  '',
  `\`kmodkit depmod\` and kmod 30's \`depmod\` on Debian's \`linux-image-${version}\` (all ${'modules'}), each writing the ten`,
  `index files into its own \`-b\` root over the same module files, median of ${rounds} alternating runs after a warm-up`,
  'that checks both wrote the same bytes (`pnpm bench` in apps/cli: `node bench/depmod.bench.mjs`). Compressed trees:',
  'the copies `bench/compressed-copies.sh` makes (`xz --check=crc32 --lzma2=dict=1MiB`, `zstd`). kmodkit reads on two',
  'threads (a worker takes chunks of the module list), decompressing with liblzma and the system libzstd.',
  '',
  '| tree | kmod wall | kmodkit wall | ratio | kmod CPU | kmodkit CPU | kmod peak RSS | kmodkit peak RSS |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| \`${r.what}\` | ${r.kmod.wall.toFixed(2)} s | ${r.kmodkit.wall.toFixed(2)} s | ${(r.kmodkit.wall / r.kmod.wall).toFixed(2)} | ${r.kmod.cpu.toFixed(2)} s | ${r.kmodkit.cpu.toFixed(2)} s | ${r.kmod.rssMB.toFixed(0)} MB | ${r.kmodkit.rssMB.toFixed(0)} MB |`,
  ),
  '',
  `Machine: ${cpu}, ${availableParallelism()} CPUs, Node ${process.version}, load average ${load} at the start; ${date}.`,
  '',
].join('\n');

if (write) {
  const file = join(repo, 'BENCHMARKS.md');
  replaceSection(file, 'kmodkit depmod', section);
  console.log(`wrote the kmodkit depmod section of ${file}`);
}
