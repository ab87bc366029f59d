/**
 * predictParams is load_module's parameter step alone: on every broken-fixture case that fails there
 * (the cases checked against the real kernel under qemu), it gives predictLoad's errno and log line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModule } from '@kmodkit/elf';
import { afterAll, describe, expect, test } from 'vitest';
import { type LoadTarget, predictLoad, predictParams } from '../src/predict/index.js';
import { fixtures, variants } from './variants.js';

const dir = mkdtempSync(join(tmpdir(), 'kmodkit-predict-params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TEST = new Uint8Array(readFileSync(join(fixtures, 'kmodkit_test.ko')));

describe('predictParams', () => {
  test('agrees with predictLoad wherever the load fails at its parameters', () => {
    const clean: LoadTarget = { lockdown: 'none' };
    let seen = 0;
    for (const c of variants(dir)) {
      const p = predictLoad(c.bytes, c.params, clean, { flags: c.flags ?? 0 });
      const failed = p.findings.find((f) => f.status === 'fail');
      if (failed?.check !== 'params') continue;
      seen++;
      const r = predictParams(c.bytes, c.params);
      expect(r.ok, c.id).toBe(false);
      expect(r.findings.find((f) => f.status === 'fail')?.message, c.id).toBe(p.reason);
      expect(r.errno, c.id).toBe(p.findings.filter((f) => f.status === 'fail').at(-1)?.errno);
    }
    expect(seen).toBeGreaterThan(3);
  });

  test('typed values, warnings and the errno of the last refused argument (the README example)', () => {
    const r = predictParams(TEST, 'p_int=3 p_byte=256 nope=1');
    expect(r.ok).toBe(false);
    expect(r.errno).toBe('ERANGE');
    expect(r.values.get('p_int')).toBe(3);
    expect(r.findings.map((f) => f.message)).toEqual([
      "kmodkit_test: `256' invalid for parameter `p_byte'",
      "kmodkit_test: unknown parameter 'nope' ignored",
    ]);
    const ok = predictParams(readModule(TEST), 'p_long=-1 p_ulong=4294967296');
    expect(ok.ok).toBe(true);
    expect(ok.values.get('p_ulong')).toBe(4294967296n);
  });

  test('the name in the log lines can be given', () => {
    const r = predictParams(TEST, 'p_int=x', { name: 'other' });
    expect(r.findings[0]?.message).toBe("other: `x' invalid for parameter `p_int'");
  });
});
