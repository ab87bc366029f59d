// THE oracle: Debian's real 6.1 kernel under qemu (scripts/qemu-run.sh) loads every broken variant of
// the fixtures (variants.ts) with finit_module(2) (python3 ctypes, test/qemu/run-cases.py) in one boot;
// kmodkit's own gatherer reads the live guest in each state (test/qemu/gather.mjs). The kernel's errno
// must equal predictLoad's on every case, the reason must be a line of the kernel's log, and a module
// that loads must carry the predicted taints.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type LoadTarget, predictLoad } from '../src/predict/index.js';
import { corpusModuleDir, KERNEL_SYMVERS, testSymvers } from './target-fixture.js';
import { fixtures, repo, type State, variants } from './variants.js';

const qemuRun = join(repo, 'scripts/qemu-run.sh');
const skip = process.env.KMODKIT_QEMU !== '1';
if (!skip && !existsSync(KERNEL_SYMVERS)) throw new Error(`${KERNEL_SYMVERS} is missing`);

interface GuestResult {
  targets: Record<string, Record<string, unknown>>;
  cases: { id: string; errno: string | null; taint: string | null; log: string[] }[];
  seconds: Record<string, number>;
}

/** gather.mjs's JSON back into a LoadTarget (Maps and Sets were written as arrays). */
function revive(t: Record<string, unknown>): LoadTarget {
  return {
    ...t,
    symbols: new Map(t.symbols as [string, never][]),
    loaded: new Set(t.loaded as string[]),
    taints: new Map(t.taints as [string, string][]),
  } as LoadTarget;
}

describe.skipIf(skip)('predictLoad against the real kernel (qemu)', () => {
  test("every variant: the kernel's errno is the predicted one", { timeout: 1_000_000 }, () => {
    // Under /var/tmp: the guest has its own /tmp, and sees the host's root read-only.
    const dir = join('/var/tmp', `kmodkit-predict-qemu-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const cases = variants(join(dir, 'scratch'));
      const symvers = join(dir, 'kmodkit_test.symvers');
      writeFileSync(symvers, testSymvers);
      const states: { name: State; load?: string[]; sysctl?: string[][] }[] = [
        { name: 'clean' },
        { name: 'loaded', load: [join(fixtures, 'kmodkit_test.ko')] },
        { name: 'disabled', sysctl: [['/proc/sys/kernel/modules_disabled', '1']] },
      ];
      const spec = {
        dir,
        node: process.execPath,
        gather: { moduleDir: corpusModuleDir(), symvers: [KERNEL_SYMVERS, symvers] },
        states: states.map((s) => ({
          ...s,
          cases: cases
            .map((c, i) => ({ ...c, i }))
            .filter((c) => c.state === s.name)
            .map((c) => {
              const file = join(dir, `case-${c.i}.ko`);
              writeFileSync(file, c.bytes);
              return {
                id: c.id,
                file,
                params: c.params,
                flags: c.flags ?? 0,
                name: c.name,
                unload: c.unload ?? [],
              };
            }),
        })),
      };
      writeFileSync(join(dir, 'cases.json'), JSON.stringify(spec));
      const out = execFileSync(
        qemuRun,
        ['python3', join(repo, 'packages/loader/test/qemu/run-cases.py'), join(dir, 'cases.json')],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
          // TCG on a busy machine: about a second a load, and three Node starts in the guest.
          env: { ...process.env, KMODKIT_QEMU_TIMEOUT: process.env.KMODKIT_QEMU_TIMEOUT ?? '900' },
        },
      );
      const json = out.split('\n').find((l) => l.startsWith('@@json '));
      expect(json, out).toBeDefined();
      const result = JSON.parse(json!.slice(7)) as GuestResult;
      expect(result.cases).toHaveLength(cases.length);
      console.log('guest timings (s):', JSON.stringify(result.seconds));

      const mismatches: string[] = [];
      for (const [i, got] of result.cases.entries()) {
        const c = cases[i]!;
        expect(got.id).toBe(c.id);
        const target = revive(result.targets[c.state]!);
        const p = predictLoad(c.bytes, c.params, target, { flags: c.flags ?? 0 });
        const say = (what: string) => mismatches.push(`${c.id}: ${what}`);
        if (got.errno !== p.errno) say(`kernel ${got.errno}, predicted ${p.errno} (${p.reason})`);
        if (got.errno !== c.errno) say(`kernel ${got.errno}, the table says ${c.errno}`);
        const logged = got.log.map((l) => l.replace(/^\[[^\]]*\] /, ''));
        // The reason is the kernel's first line of the failing step where the kernel logs one.
        if (p.errno !== null && p.logged) {
          if (!logged.includes(p.reason)) {
            say(`reason ${JSON.stringify(p.reason)} is not in the log ${JSON.stringify(logged)}`);
          }
        }
        if (got.errno === null && got.taint !== null) {
          // /proc/modules shows the module's own taints; U (unsafe parameter) is the kernel's.
          const want = p.taints.replace('U', '');
          // A signature by a key the target's description does not list cannot be judged offline:
          // an untrusted key (ENOKEY) adds E.
          const sigUnknown = p.findings.some((x) => x.check === 'signature' && x.status === 'unknown');
          const got2 = sigUnknown ? got.taint.replace('E', '') : got.taint;
          if (got2 !== want) say(`taint ${got.taint}, predicted ${want}`);
        }
      }
      expect(mismatches).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
