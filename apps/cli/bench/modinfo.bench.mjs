#!/usr/bin/env node
// `kmodkit modinfo` against kmod's `modinfo` over all modules of Debian's 6.1 amd64 image, in one
// process each, as `.ko`, `.ko.zst` and `.ko.xz` (copies made once in the cache by
// compressed-copies.sh, as kernels compress modules). Each tool runs ROUNDS times, alternating, output
// to /dev/null; the table shows the median wall time and kmodkit/kmod. The results replace the
// `## kmodkit modinfo` section of BENCHMARKS.md at the repository root.
//
// Usage: node bench/modinfo.bench.mjs [--rounds N] [--no-write]   (after `pnpm build`)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const bin = join(here, '../bin/kmodkit.js');
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 5);
const write = !args.includes('--no-write');

const kmod = ['/usr/sbin/modinfo', '/sbin/modinfo', '/usr/bin/modinfo'].find((p) => existsSync(p));
if (!kmod) {
  console.error('modinfo.bench: kmod is not installed (apt-get install kmod)');
  process.exit(1);
}
if (!existsSync(join(here, '../dist/index.js'))) {
  console.error('modinfo.bench: build first (pnpm build)');
  process.exit(1);
}

function run(cmd, argv) {
  const out = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (out.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed`);
  return out.stdout.trim();
}

function modulesUnder(dir, suffix) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(suffix)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** Wall time of one run, output to /dev/null (as hyperfine does). */
function timeOnce(cmd, argv) {
  const devnull = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { stdio: ['ignore', devnull, devnull], maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(devnull);
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
  return seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const tree = run('bash', [join(repo, 'scripts/fetch-corpus.sh')]).split('\n')[0];
const sets = [
  ['.ko', modulesUnder(tree, '.ko')],
  ['.ko.zst', modulesUnder(run('bash', [join(here, 'compressed-copies.sh'), tree, 'zst']), '.ko.zst')],
  ['.ko.xz', modulesUnder(run('bash', [join(here, 'compressed-copies.sh'), tree, 'xz']), '.ko.xz')],
];

const load = loadavg()[0].toFixed(2);
const rows = [];
for (const [what, files] of sets) {
  // All files in one process for both tools (the list fits in ARG_MAX).
  const kmodTimes = [];
  const oursTimes = [];
  timeOnce(kmod, files); // warm the page cache
  for (let i = 0; i < rounds; i++) {
    kmodTimes.push(timeOnce(kmod, files));
    oursTimes.push(timeOnce(process.execPath, [bin, 'modinfo', ...files]));
  }
  const k = median(kmodTimes);
  const o = median(oursTimes);
  rows.push({ what, files: files.length, kmod: k, kmodkit: o, ratio: o / k });
  console.log(
    `${what.padEnd(8)} ${String(files.length).padStart(5)} files  kmod ${k.toFixed(3)} s  kmodkit ${o.toFixed(3)} s  ratio ${(o / k).toFixed(2)}`,
  );
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const date = new Date().toISOString().slice(0, 10);
const section = [
  '## kmodkit modinfo',
  '',
  `\`kmodkit modinfo\` and kmod 30's \`modinfo\` over all modules of Debian's \`linux-image-${tree.split('/').pop()}\`, all files in one`,
  `process per tool, output to /dev/null, median of ${rounds} alternating runs after a warm-up (\`pnpm bench\` in apps/cli:`,
  '`node bench/modinfo.bench.mjs`). Compressed copies: `xz --check=crc32 --lzma2=dict=1MiB` and `zstd` (default level),',
  "as the kernel's `make modules_install` makes them. kmodkit decompresses with liblzma (`node-liblzma`) and zstd compiled",
  'to WebAssembly (`@bokuweb/zstd-wasm`), on this thread and one worker thread.',
  '',
  '| files | count | kmod modinfo | kmodkit modinfo | kmodkit / kmod |',
  '|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| \`${r.what}\` | ${r.files} | ${r.kmod.toFixed(3)} s | ${r.kmodkit.toFixed(3)} s | ${r.ratio.toFixed(2)} |`,
  ),
  '',
  `Machine: ${cpu}, ${availableParallelism()} CPUs, Node ${process.version}, load average ${load} at the start; ${date}.`,
  '',
].join('\n');

if (write) {
  const file = join(repo, 'BENCHMARKS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf('## kmodkit modinfo');
  let next;
  if (start >= 0) {
    const after = old.indexOf('\n## ', start + 1);
    next = `${old.slice(0, start)}${section}${after >= 0 ? old.slice(after + 1) : ''}`;
  } else {
    next = `${old.trimEnd()}\n\n${section}`;
  }
  writeFileSync(file, next);
  console.log(`wrote the kmodkit modinfo section of ${file}`);
}
