// `openModules` over Debian's whole amd64 tree (the .ko files), beside kmod opening the same files
// (`modinfo -F name`: libkmod's kmod_module_new_from_path + kmod_module_get_info per file), in the same run.
// `--write` puts the table in BENCHMARKS.md.
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, modulesUnder, replaceSection, run, timeOnce } from '../../../apps/cli/bench/timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const write = process.argv.includes('--write');
const tree = run(join(repo, 'scripts/fetch-corpus.sh'), ['amd64']);
const rows = [];
for (const suffix of ['.ko']) {
  const files = modulesUnder(tree, suffix);
  const list = join(tmpdir(), `kmodkit-open-modules-${process.pid}.txt`);
  writeFileSync(list, `${files.join('\n')}\n`);
  const ours = ['node', [join(here, 'open-modules.mjs'), list]];
  const kmod = ['modinfo', ['-F', 'name', ...files]];
  timeOnce(...ours);
  timeOnce(...kmod);
  const a = [];
  const b = [];
  for (let i = 0; i < 5; i++) {
    a.push(timeOnce(...ours));
    b.push(timeOnce(...kmod));
  }
  const k = { wall: median(b.map((x) => x.wall)), cpu: median(b.map((x) => x.cpu)) };
  const o = { wall: median(a.map((x) => x.wall)), cpu: median(a.map((x) => x.cpu)) };
  rows.push(
    `| \`${suffix}\` (${files.length} files) | ${k.wall.toFixed(2)} s | ${o.wall.toFixed(2)} s | ${(o.wall / k.wall).toFixed(2)} | ${k.cpu.toFixed(2)} s | ${o.cpu.toFixed(2)} s |`,
  );
}
const section = `## @kmodkit/loader openModules

\`openModules\` over Debian's \`${tree.split('/').pop()}\` amd64 tree in one Node process (\`packages/loader/bench/open-modules.mjs\`),
beside kmod 30's \`modinfo -F name\` over the same files (libkmod opening each module and reading its
info), median of 5 alternating runs after a warm-up (\`pnpm bench\` in packages/loader). Node's start-up is
in kmodkit's figure.

| files | kmod wall | kmodkit wall | ratio | kmod CPU | kmodkit CPU |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} CPUs, Node ${process.version}, load average ${loadavg()[0].toFixed(2)} at the start; ${new Date().toISOString().slice(0, 10)}.
`;
console.log(section);
if (write) {
  replaceSection(join(repo, 'BENCHMARKS.md'), '@kmodkit/loader openModules', section);
  console.log('wrote the @kmodkit/loader openModules section of BENCHMARKS.md');
}
