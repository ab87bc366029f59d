#!/usr/bin/env node
// `kmodkit check` against kmod's `modprobe -n` (dry run: resolve and print what would be inserted,
// insert nothing), both asked about one module of Debian's 6.1.0-56-amd64 in a scratch root (-b / -d)
// holding that kernel's tree for vfat (fat.ko, vfat.ko, depmod's indexes) and the kernel's config;
// kmodkit also reads the headers' Module.symvers (24683 exports) that modprobe has no use for.
// hyperfine (warm-up 3, 20 runs) times both; the results replace the `## kmodkit check` section of
// BENCHMARKS.md at the repository root.
//
// Usage: node bench/check.bench.mjs [--no-write]   (after `pnpm build`; needs kmod, hyperfine and
// linux-headers-6.1.0-56-amd64)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const bin = join(here, '../bin/kmodkit.js');
const write = !process.argv.includes('--no-write');
const RELEASE = '6.1.0-56-amd64';
const symvers = `/usr/src/linux-headers-${RELEASE}/Module.symvers`;
const modprobe = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p));
for (const [what, ok] of [
  ['kmod (apt-get install kmod)', modprobe],
  [`${symvers} (apt-get install linux-headers-${RELEASE})`, existsSync(symvers)],
  ['hyperfine (apt-get install hyperfine)', spawnSync('hyperfine', ['--version']).status === 0],
]) {
  if (!ok) {
    console.error(`check.bench: missing ${what}`);
    process.exit(1);
  }
}

const corpus = execFileSync(join(repo, 'scripts/fetch-corpus.sh'), ['amd64'], {
  encoding: 'utf8',
  env: { ...process.env, KMODKIT_CORPUS_ABI: RELEASE.replace(/-amd64$/, '') },
})
  .trim()
  .split('\n')[0];
const root = mkdtempSync(join(tmpdir(), 'kmodkit-check-bench-'));
const moddir = join(root, 'lib/modules', RELEASE);
for (const m of ['fs/fat/fat.ko', 'fs/fat/vfat.ko']) {
  mkdirSync(dirname(join(moddir, 'kernel', m)), { recursive: true });
  copyFileSync(join(corpus, 'kernel', m), join(moddir, 'kernel', m));
}
mkdirSync(join(root, 'boot'));
copyFileSync(join(corpus, '../../../boot', `config-${RELEASE}`), join(root, 'boot', `config-${RELEASE}`));
execFileSync('depmod', ['-b', root, RELEASE]);
const vfat = join(moddir, 'kernel/fs/fat/vfat.ko');

const json = join(root, 'hyperfine.json');
const commands = [
  `${modprobe} -n -d ${root} -S ${RELEASE} vfat`,
  `${process.execPath} ${bin} check -b ${root} -k ${RELEASE} --symvers ${symvers} ${vfat}`,
  // The floor: Node's start and the bundle's load, no work.
  `${process.execPath} ${bin} --version`,
];
const load = loadavg()[0].toFixed(2);
execFileSync(
  'hyperfine',
  ['-N', '--warmup', '3', '--runs', '20', '--ignore-failure', '--export-json', json, ...commands],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
const results = JSON.parse(readFileSync(json, 'utf8')).results;
rmSync(root, { recursive: true, force: true });

const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
const [kmod, ours, floor] = results;
const date = new Date().toISOString().slice(0, 10);
const section = [
  '## kmodkit check',
  '',
  "`kmodkit check` beside kmod 30's `modprobe -n` (a dry run: resolve the module and its dependencies, print nothing,",
  "insert nothing), both asked about `vfat` of Debian's `linux-image-6.1.0-56-amd64` in a scratch root (`-b` / `-d`)",
  "holding fat.ko, vfat.ko, depmod's indexes and the kernel's config. kmodkit also parses the headers' Module.symvers",
  '(24683 exports) and runs every load_module check; modprobe only looks the name up. hyperfine, 3 warm-up runs,',
  '20 runs, no shell (`pnpm bench` in apps/cli: `node bench/check.bench.mjs`).',
  '',
  '| command | mean | σ | min | ratio |',
  '|---|---:|---:|---:|---:|',
  `| \`modprobe -n vfat\` | ${ms(kmod.mean)} | ${ms(kmod.stddev)} | ${ms(kmod.min)} | 1 |`,
  `| \`kmodkit check vfat.ko\` | ${ms(ours.mean)} | ${ms(ours.stddev)} | ${ms(ours.min)} | ${(ours.mean / kmod.mean).toFixed(1)} |`,
  `| floor: \`kmodkit --version\` | ${ms(floor.mean)} | ${ms(floor.stddev)} | ${ms(floor.min)} | ${(floor.mean / kmod.mean).toFixed(1)} |`,
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Node ${process.version}, load average ${load} at the start; ${date}.`,
  '',
  `The floor row is Node's start and the bundle's load alone: the check itself costs ${ms(ours.mean - floor.mean)} above it.`,
  '',
].join('\n');
console.log(section);

if (write) {
  const file = join(repo, 'BENCHMARKS.md');
  const old = readFileSync(file, 'utf8');
  const start = old.indexOf('## kmodkit check');
  const next =
    start >= 0
      ? (() => {
          const after = old.indexOf('\n## ', start + 1);
          return `${old.slice(0, start)}${section}${after >= 0 ? old.slice(after + 1) : ''}`;
        })()
      : `${old.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log(`wrote the kmodkit check section of ${file}`);
}
