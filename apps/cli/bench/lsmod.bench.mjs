#!/usr/bin/env node
// `kmodkit lsmod` against kmod's `lsmod`, wall time with hyperfine, inside Debian's real 6.1 kernel
// under qemu (scripts/qemu-run.sh: the host here has no /proc/modules). Both run in the same guest with
// the same modules loaded (the 9p and virtio ones of the harness, plus the fixture pair), so the ratio is
// fair; the absolute times are those of a TCG guest, several times a real machine's. The results replace
// the `## kmodkit lsmod` section of BENCHMARKS.md.
//
// Usage: node bench/lsmod.bench.mjs [--runs N] [--no-write]   (after `pnpm build`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 20);
const write = !args.includes('--no-write');
if (!existsSync(join(here, '../bundle/kmodkit.js'))) {
  console.error('lsmod.bench: build first (pnpm build)');
  process.exit(1);
}
// The guest sees the host's root but has its own /tmp: the work dir lives in the cache.
const cache = process.env.KMODKIT_CACHE ?? join(process.env.HOME ?? '/root', '.cache/kmodkit');
const dir = mkdtempSync(join(cache, 'lsmod-bench-'));
try {
  symlinkSync(join(here, '../bin/kmodkit.js'), join(dir, 'lsmod'));
  const m = join(repo, 'fixtures/modules');
  writeFileSync(
    join(dir, 'run.sh'),
    `insmod ${m}/kmodkit_test.ko && insmod ${m}/kmodkit_dep.ko || exit 1
hyperfine --style basic -N --warmup 3 --runs ${runs} --export-json "$KMODKIT_QEMU_OUT/h.json" \\
  -n 'kmod lsmod' /usr/sbin/lsmod -n 'kmodkit lsmod' ${dir}/lsmod >&2
cat "$KMODKIT_QEMU_OUT/h.json"
`,
  );
  const load = loadavg()[0].toFixed(2);
  const out = execFileSync(join(repo, 'scripts/qemu-run.sh'), ['sh', join(dir, 'run.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { results } = JSON.parse(out);
  const [kmod, kmodkit] = results.map((r) => ({ median: r.median, mean: r.mean, stddev: r.stddev }));
  // On this host, which has no /proc/modules, both stop at opening it: their start-up alone, on hardware.
  const hostJson = join(dir, 'host.json');
  execFileSync(
    'hyperfine',
    [
      ...[
        '--style',
        'basic',
        '-N',
        '-i',
        '--warmup',
        '3',
        '--runs',
        String(runs * 2),
        '--export-json',
        hostJson,
      ],
      ...['-n', 'kmod lsmod', '/usr/sbin/lsmod', '-n', 'kmodkit lsmod', join(dir, 'lsmod')],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const [hostKmod, hostKmodkit] = JSON.parse(readFileSync(hostJson, 'utf8')).results;
  const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
  const rows = [
    '| command | median | mean ± σ |',
    '|---|---:|---:|',
    `| kmod \`lsmod\` | ${ms(kmod.median)} | ${ms(kmod.mean)} ± ${ms(kmod.stddev)} |`,
    `| \`kmodkit lsmod\` | ${ms(kmodkit.median)} | ${ms(kmodkit.mean)} ± ${ms(kmodkit.stddev)} |`,
  ];
  const hostRows = [
    '| command (host, start-up only) | median | mean ± σ |',
    '|---|---:|---:|',
    `| kmod \`lsmod\` | ${ms(hostKmod.median)} | ${ms(hostKmod.mean)} ± ${ms(hostKmod.stddev)} |`,
    `| \`kmodkit lsmod\` | ${ms(hostKmodkit.median)} | ${ms(hostKmodkit.mean)} ± ${ms(hostKmodkit.stddev)} |`,
  ];
  const date = new Date().toISOString().slice(0, 10);
  const section = [
    '## kmodkit lsmod',
    '',
    "`kmodkit lsmod` and kmod 30's `lsmod`, wall time, hyperfine (`-N`, 3 warm-up runs, " +
      `${runs} runs), inside Debian's 6.1.0-56 kernel under qemu (TCG, 2 vCPUs; the host has no /proc/modules), ` +
      "with 12 modules loaded (the harness's 9p/virtio ones and the fixture pair); `pnpm bench` in apps/cli: " +
      '`node bench/lsmod.bench.mjs`. TCG makes every figure several times slower than on hardware; the ratio is ' +
      'the comparable part, and under TCG it exaggerates what Node spends on starting (its JIT runs emulated).',
    '',
    ...rows,
    '',
    'The same two commands on the host, which has no /proc/modules (module loading is disabled here): both stop ' +
      'at opening it, so this is the cost of starting each, on real hardware:',
    '',
    ...hostRows,
    '',
    `Ratio kmodkit/kmod in the guest: ${(kmodkit.median / kmod.median).toFixed(1)}, on the host ` +
      `${(hostKmodkit.median / hostKmod.median).toFixed(1)}. kmod is one C process with a few reads per ` +
      "module; kmodkit's time is Node's start and the bundle's load (see `## kmodkit modinfo`), the reads " +
      'themselves are a small part.',
    '',
    `Host: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs, Node ${process.version}, load average ${load} at the start; ${date}.`,
    '',
  ].join('\n');
  console.log(section);
  if (write) {
    const file = join(repo, 'BENCHMARKS.md');
    const old = readFileSync(file, 'utf8');
    const start = old.indexOf('## kmodkit lsmod');
    let next;
    if (start >= 0) {
      const after = old.indexOf('\n## ', start + 1);
      next = `${old.slice(0, start)}${section}${after >= 0 ? old.slice(after + 1) : ''}`;
    } else next = `${old.trimEnd()}\n\n${section}`;
    writeFileSync(file, next);
    console.log(`wrote the kmodkit lsmod section of ${file}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
