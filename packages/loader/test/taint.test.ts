// TAINT_FLAGS against Linux 6.1's own table: include/linux/panic.h (TAINT_* bit numbers) and
// kernel/panic.c (taint_flags: c_true, c_false, module), from scripts/fetch-kernel-source.sh.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { TAINT_FLAGS } from '../src/index.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const kernel = execFileSync(join(repo, 'scripts/fetch-kernel-source.sh'), {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();

test('every flag, bit, letter and module field is the kernel’s', () => {
  const header = readFileSync(join(kernel, 'include/linux/panic.h'), 'utf8');
  const bits = new Map(
    [...header.matchAll(/^#define (TAINT_\w+)\s+(\d+)$/gm)]
      .filter((m) => m[1] !== 'TAINT_FLAGS_COUNT')
      .map((m) => [m[1]!, Number(m[2])]),
  );
  const count = Number(/^#define TAINT_FLAGS_COUNT\s+(\d+)$/m.exec(header)![1]);
  const panic = readFileSync(join(kernel, 'kernel/panic.c'), 'utf8');
  const rows = [...panic.matchAll(/\[ (TAINT_\w+) \]\s*= \{ '(.)', '(.)', (true|false) \}/g)].map((m) => ({
    bit: bits.get(m[1]!),
    name: m[1],
    letter: m[2],
    unsetLetter: m[3],
    module: m[4] === 'true',
  }));
  expect(rows).toHaveLength(count);
  expect(TAINT_FLAGS.map(({ reason: _, ...rest }) => rest)).toEqual(rows.sort((a, b) => a.bit! - b.bit!));
});
