// A bad file gets an answer, never an exception: random bytes and random damage to real modules, plain and
// compressed, through everything the page computes from a file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { inspectFile } from './inspect.js';
import { formatModinfo, modinfoLines } from './modinfo-output.js';
import { buildArgs, modinfoOrder } from './param-builder.js';

const dir = fileURLToPath(new URL('../../../fixtures/modules/', import.meta.url));
const FIXTURES = [
  'kmodkit_test.ko',
  'kmodkit_test-signed.ko',
  'kmodkit_test.ko.xz',
  'kmodkit_test.ko.zst',
].map((f) => new Uint8Array(readFileSync(dir + f)));

/** Everything the views read, each behind the same guard the views use. */
async function everything(bytes: Uint8Array): Promise<void> {
  const r = await inspectFile('f.ko', bytes);
  if (!r.ok) {
    expect(r.error.errno).toMatch(/^E[A-Z0-9]+$/);
    return;
  }
  for (const p of r.problems) expect(p.errno).toMatch(/^E[A-Z0-9]+$/);
  const guarded = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if ((e as Error).name !== 'ElfError') throw e;
    }
  };
  guarded(() => formatModinfo('f.ko', modinfoLines(r.module)));
  guarded(() => buildArgs('m', 'f.ko', modinfoOrder(r.module.params, r.module.modinfo), new Map()));
  guarded(() => r.module.exports);
  guarded(() => r.module.imports);
  guarded(() => r.module.sections);
}

test('random bytes', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), everything), { numRuns: 300 });
});

test('real modules with bytes changed or cut short', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: FIXTURES.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat()),
      async (which, edits, cut) => {
        const bytes = FIXTURES[which]!.slice();
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        await everything(cut === null ? bytes : bytes.subarray(0, cut % bytes.length));
      },
    ),
    { numRuns: 200 },
  );
}, 120_000);
