// End-to-end: real loading and removal by `kmodkit modprobe` and by kmod 30's `modprobe` in the same
// guest — Debian's real 6.1 kernel under qemu (scripts/qemu-run.sh), one boot for the whole file. The
// tree holds the fixture modules (kmodkit_dep depends on kmodkit_test) and two of the kernel's own
// (dummy, nbd) for softdeps, indexed by kmod's depmod. Each step's stdout, stderr, exit status and the
// modules loaded afterwards must be the same for both tools; some are also checked against what they
// must be. Opt-in with KMODKIT_QEMU=1 (CI sets it).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ABI, RELEASE } from './target-fixture.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const qemuRun = join(repo, 'scripts/qemu-run.sh');
const kmodkit = join(repo, 'apps/cli/bin/kmodkit.js');
const skip = process.env.KMODKIT_QEMU !== '1' || !existsSync(qemuRun);
// The kernel qemu-run.sh boots (scripts/kernel-abi.sh: the pinned ABI while Debian has it).
const VERSION = RELEASE;

/** Steps, each run by both tools; `$C` is replaced by a configuration directory. */
const STEPS: readonly { config: 'plain' | 'softdep' | 'failing'; args: string }[] = [
  { config: 'plain', args: '-v kmodkit_dep dep_name=hello' },
  { config: 'plain', args: '-v kmodkit_dep' },
  { config: 'plain', args: '--first-time kmodkit_dep' },
  { config: 'plain', args: '-r -v kmodkit_test' },
  { config: 'plain', args: '-r -v kmodkit_dep' },
  { config: 'plain', args: '-r --first-time kmodkit_dep' },
  { config: 'plain', args: '-v kmodkit_dep' },
  { config: 'plain', args: '-r -v --remove-holders kmodkit_test' },
  { config: 'softdep', args: '-v kmodkit_dep' },
  { config: 'softdep', args: '-r -v kmodkit_dep' },
  { config: 'softdep', args: '-v -i kmodkit_dep' },
  { config: 'softdep', args: '-r -v -i kmodkit_dep' },
  { config: 'plain', args: '-a -v kmodkit_test dummy' },
  { config: 'plain', args: '-r -a -v kmodkit_test dummy' },
  { config: 'failing', args: '-v kmodkit_dep' },
  { config: 'plain', args: '-v no_such_module' },
];

describe.skipIf(skip)('modprobe in a real kernel', () => {
  test('loads and removes with dependencies and softdeps as kmod does', { timeout: 1_000_000 }, () => {
    const work = mkdtempSync('/var/tmp/kmodkit-modprobe-qemu-');
    try {
      const moddir = execFileSync(join(repo, 'scripts/fetch-corpus.sh'), ['amd64'], {
        env: { ...process.env, KMODKIT_CORPUS_ABI: ABI },
        encoding: 'utf8',
      }).trim();
      const dir = join(work, 'root/lib/modules', VERSION);
      mkdirSync(join(dir, 'extra'), { recursive: true });
      mkdirSync(join(dir, 'kernel'), { recursive: true });
      for (const m of ['kmodkit_test.ko', 'kmodkit_dep.ko'])
        copyFileSync(join(repo, 'fixtures/modules', m), join(dir, 'extra', m));
      for (const m of ['drivers/net/dummy.ko', 'drivers/block/nbd.ko'])
        copyFileSync(join(moddir, 'kernel', m), join(dir, 'kernel', m.slice(m.lastIndexOf('/') + 1)));
      execFileSync('depmod', ['-b', join(work, 'root'), VERSION]);
      const configs = {
        plain: join(work, 'plain'),
        softdep: join(work, 'softdep'),
        failing: join(work, 'failing'),
      };
      for (const c of Object.values(configs)) mkdirSync(c);
      writeFileSync(join(configs.plain, 'x.conf'), 'options kmodkit_test p_int=7\n');
      writeFileSync(join(configs.softdep, 'x.conf'), 'softdep kmodkit_dep pre: dummy post: nbd\n');
      writeFileSync(join(configs.failing, 'x.conf'), 'options kmodkit_test p_int=notanumber\n');

      const tools = { kmod: '/sbin/modprobe', kmodkit: `${process.execPath} ${kmodkit} modprobe` };
      let script =
        'cleanup() { for m in kmodkit_dep kmodkit_test nbd dummy; do rmmod $m 2>/dev/null; done; }\n';
      for (const [tool, cmd] of Object.entries(tools)) {
        script += 'cleanup\n';
        STEPS.forEach((step, i) => {
          script +=
            `echo "@@step ${tool} ${i}"\n` +
            `${cmd} -d ${join(work, 'root')} -S ${VERSION} -C ${configs[step.config]} ${step.args} >/tmp/o 2>/tmp/e; echo "@@rc $?"\n` +
            'echo @@stdout; cat /tmp/o; echo @@stderr; cat /tmp/e\n' +
            "echo @@loaded; cut -d' ' -f1 /proc/modules | grep -E '^(kmodkit_dep|kmodkit_test|nbd|dummy)$' | sort\n";
        });
      }
      script += 'cleanup\nexit 0\n';
      writeFileSync(join(work, 'run.sh'), script);
      // Node starts slowly under TCG: some 30 starts take minutes.
      const run = spawnSync(qemuRun, ['sh', join(work, 'run.sh')], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        env: { ...process.env, KMODKIT_QEMU_TIMEOUT: process.env.KMODKIT_QEMU_TIMEOUT ?? '900' },
      });
      expect(run.status, run.stderr.slice(-3000)).toBe(0);
      const out = run.stdout;
      const results = new Map<string, string>();
      for (const part of out.split('@@step ').slice(1)) {
        const nl = part.indexOf('\n');
        results.set(part.slice(0, nl), part.slice(nl + 1));
      }
      const loaded = (tool: string, i: number) =>
        (results.get(`${tool} ${i}`) ?? '').split('@@loaded\n')[1]?.trim().split('\n').filter(Boolean);
      STEPS.forEach((step, i) => {
        expect(results.get(`kmodkit ${i}`), `modprobe ${step.args} (${step.config})`).toBe(
          results.get(`kmod ${i}`),
        );
      });
      // What the kernel must show, whatever both tools do.
      expect(loaded('kmodkit', 0)).toEqual(['kmodkit_dep', 'kmodkit_test']);
      expect(loaded('kmodkit', 4)).toEqual([]);
      expect(loaded('kmodkit', 7)).toEqual([]);
      expect(loaded('kmodkit', 8)).toEqual(['dummy', 'kmodkit_dep', 'kmodkit_test', 'nbd']);
      expect(loaded('kmodkit', 9)).toEqual([]);
      expect(loaded('kmodkit', 14)).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
