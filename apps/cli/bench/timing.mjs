// What the benchmarks share: running a command for its output, listing module files, and timing
// one run (wall, CPU and peak memory) with its output sent to /dev/null.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function run(cmd, argv) {
  const out = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (out.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed`);
  return out.stdout.trim();
}

export function modulesUnder(dir, suffix) {
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

/**
 * Wall time, CPU time (user + system) and peak resident memory of one run, output to /dev/null (as
 * hyperfine does), from GNU time. CPU time is the steadier figure on a shared machine.
 */
export function timeOnce(cmd, argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 24,
  });
  const [real, user, sys, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (r.status !== 0 || !(real >= 0)) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { wall: real, cpu: user + sys, rssMB: kb / 1024 };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Replaces the `## <heading>` section of `file` (BENCHMARKS.md) with `section`, or appends it. */
export function replaceSection(file, heading, section) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf(`## ${heading}`);
  let next;
  if (start >= 0) {
    const after = old.indexOf('\n## ', start + 1);
    next = `${old.slice(0, start)}${section}${after >= 0 ? old.slice(after + 1) : ''}`;
  } else {
    next = `${old.trimEnd()}\n\n${section}`;
  }
  writeFileSync(file, next);
}
