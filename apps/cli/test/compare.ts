/** Comparing a kmod tool's run with kmodkit's: stdout, stderr and exit status, byte for byte. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  stdout: Buffer;
  stderr: Buffer;
  status: number | null;
}

/** A unified diff of two outputs, cut to `lines` lines (for failure messages). */
export function diff(a: Buffer, b: Buffer, lines = 40): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-diff-'));
  writeFileSync(join(dir, 'kmod'), a);
  writeFileSync(join(dir, 'kmodkit'), b);
  const r = spawnSync('diff', ['-u', '--text', 'kmod', 'kmodkit'], { cwd: dir, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  return r.stdout.split('\n').slice(0, lines).join('\n');
}

/** Where two runs differ, in words; '' if they do not. */
export function difference(expected: Run, actual: Run): string {
  const problems: string[] = [];
  if (expected.status !== actual.status)
    problems.push(`exit status: kmod ${expected.status}, kmodkit ${actual.status}`);
  if (!expected.stdout.equals(actual.stdout))
    problems.push(`stdout differs:\n${diff(expected.stdout, actual.stdout)}`);
  if (!expected.stderr.equals(actual.stderr))
    problems.push(`stderr differs:\n${diff(expected.stderr, actual.stderr)}`);
  return problems.join('\n');
}
