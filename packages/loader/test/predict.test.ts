import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModule } from '@kmodkit/elf';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { Findings } from '../src/predict/findings.js';
import { type LoadTarget, predictLoad } from '../src/predict/index.js';
import { checkParams } from '../src/predict/params-check.js';
import { corpusModuleDir, haveKernelInputs, RELEASE, stateTarget } from './target-fixture.js';
import { FIXTURE_RELEASE, fixtures, type State, variants } from './variants.js';

const dir = mkdtempSync(join(tmpdir(), 'kmodkit-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveKernelInputs)(
  `predictLoad on broken variants of the fixtures, Debian ${RELEASE}`,
  async () => {
    const targets = new Map<State, LoadTarget>();
    for (const s of ['clean', 'loaded', 'disabled'] as const) targets.set(s, await stateTarget(s));
    const cases = variants(dir);

    test.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const p = predictLoad(c.bytes, c.params, targets.get(c.state)!, { flags: c.flags ?? 0 });
      expect({ errno: p.errno, willLoad: p.willLoad }).toEqual({
        errno: c.errno,
        willLoad: c.errno === null,
      });
      if (p.errno !== null) {
        // The first failure is the one `reason` quotes.
        const failed = p.findings.find((x) => x.status === 'fail')!;
        expect(p.reason).toBe(failed.message);
      }
    });

    test("the reasons are the kernel's own lines", async () => {
      const clean = targets.get('clean')!;
      const byId = new Map(cases.map((c) => [c.id, c]));
      const reason = (id: string) =>
        predictLoad(byId.get(id)!.bytes, byId.get(id)!.params, targets.get(byId.get(id)!.state)!).reason;
      expect(reason('a vermagic flag differs')).toBe(
        `kmodkit_test: version magic '${FIXTURE_RELEASE} SMP preempX mod_unload modversions ' should be '${RELEASE} SMP preempt mod_unload modversions '`,
      );
      expect(reason('wrong CRC of module_layout')).toBe(
        'kmodkit_test: disagrees about version of symbol module_layout',
      );
      expect(reason('wrong CRC of _printk')).toBe('kmodkit_test: disagrees about version of symbol _printk');
      expect(reason('missing dependency: kmodkit_dep without kmodkit_test')).toMatch(
        /^kmodkit_dep: Unknown symbol \w+ \(err -2\)$/,
      );
      expect(reason('kmodkit_dep not importing namespace KMODKIT')).toBe(
        'kmodkit_dep: module uses symbol (kmodkit_test_ns_name) from namespace KMODKIT, but does not import it.',
      );
      expect(reason('p_int=abc')).toBe("kmodkit_test: `abc' invalid for parameter `p_int'");
      expect(reason('p_string of 16 bytes')).toBe("p_string: string doesn't fit in 15 chars.");
      expect(reason('no version entry for module_layout')).toBe(
        'kmodkit_test: no symbol version for module_layout',
      );
      expect(reason('e_type ET_EXEC')).toBe('Invalid ELF header type: 2 != 1');
      expect(reason('p_charp of 1025 bytes')).toBe('p_charp: string parameter too long');
      expect(reason('p_int_array of 5')).toBe('p_int_array: can only take 4 arguments');
      expect(reason('a writable and executable .text')).toBe(
        'kmodkit_test: section .text (index 3) has invalid WRITE|EXEC flags',
      );
      expect(clean.vermagic).toBe(`${RELEASE} SMP preempt mod_unload modversions `);
    });

    test('taints: out-of-tree and unsigned (OE), forced (F)', () => {
      const clean = targets.get('clean')!;
      const byId = new Map(cases.map((c) => [c.id, c]));
      expect(predictLoad(byId.get('fixture loads')!.bytes, '', clean).taints).toBe('OE');
      expect(
        predictLoad(byId.get('no __versions: loads forced (CONFIG_MODULE_FORCE_LOAD)')!.bytes, '', clean)
          .taints,
      ).toBe('FOE');
    });

    test('a compressed module is predicted as kmod loads it: decompressed', () => {
      const xz = new Uint8Array(readFileSync(join(fixtures, 'kmodkit_test.ko.xz')));
      const clean = targets.get('clean')!;
      expect(predictLoad(xz, 'p_byte=256', clean)).toEqual(predictLoad(cases[0]!.bytes, 'p_byte=256', clean));
    });

    test('an unknown target: nothing fails, the checks that need it say unknown', () => {
      const p = predictLoad(readModule(cases[0]!.bytes), '', {});
      expect(p.willLoad).toBe(true);
      expect(p.findings.filter((f) => f.status === 'unknown').map((f) => f.check)).toEqual(
        expect.arrayContaining([
          'permission',
          'signature',
          'blacklist',
          'modversions',
          'vermagic',
          'loaded',
          'symbols',
        ]),
      );
    });
  },
);

describe.skipIf(!haveKernelInputs)("Debian's own modules against their kernel", () => {
  test(`every in-tree module of ${RELEASE} loads (staging ones taint C)`, {
    timeout: 300_000,
  }, async () => {
    // `loaded` unknown: a dependency counts as loaded first, as modprobe does it.
    const { loaded: _, ...target } = await stateTarget('clean');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ko')) files.push(join(d, e.name));
      }
    };
    walk(join(corpusModuleDir(), 'kernel'));
    expect(files.length).toBeGreaterThan(4000);
    const outcomes = new Map<string, number>();
    for (const file of files) {
      const p = predictLoad(new Uint8Array(readFileSync(file)), '', target);
      const key = p.willLoad ? `loads ${p.taints}` : `${file}: ${p.errno} ${p.reason}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      // Debian signs every module with its own key: not checkable offline, and said so.
      expect(p.findings.find((f) => f.check === 'signature')?.status).toBe('unknown');
    }
    expect([...outcomes.keys()].sort()).toEqual(['loads ', 'loads C']);
    expect(outcomes.get('loads C')).toBe(files.filter((f) => f.includes('/staging/')).length);
  });
});

describe('predictLoad on corrupted bytes', () => {
  test('never throws: any flipped bytes give a Prediction (property)', () => {
    const base = new Uint8Array(readFileSync(join(fixtures, 'kmodkit_test.ko')));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (flips) => {
          const bytes = base.slice();
          for (const [at, value] of flips) bytes[at] = value;
          const p = predictLoad(bytes, 'p_int=1', { modversions: true });
          expect(typeof p.willLoad).toBe('boolean');
          if (!p.willLoad && p.errno !== null) expect(p.findings.some((f) => f.status === 'fail')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('predictLoad without a kernel', () => {
  test('blacklisted (module_blacklist=) is EPERM, before any version check', () => {
    const bytes = new Uint8Array(0);
    expect(predictLoad(bytes, '', { modulesDisabled: true }).errno).toBe('EPERM');
  });
});

// param_set_long is kstrtol on the arch's long: 32 bits on i386, so Debian's 686 snd-miro refuses
// fm_port=2147483648 with ERANGE where an LP64 module would take it.
describe.skipIf(!haveKernelInputs)('predictLoad on a 32-bit module: long is 32 bits', () => {
  test("snd-miro (686): fm_port beyond int32 is ERANGE, with parse_args's line", async () => {
    const moddir = execFileSync(join(__dirname, '../../../scripts/fetch-corpus.sh'), ['i386'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')[0]!;
    const bytes = readFileSync(join(moddir, 'kernel/sound/isa/opti9xx/snd-miro.ko'));
    // predictLoad stops at the i386-on-amd64 machine check, so run its parameter check on its own.
    const module = readModule(bytes);
    const target = await stateTarget('clean');
    const params = (args: string) => {
      const f = new Findings();
      checkParams(module, 'snd_miro', args, target, f);
      return f.list;
    };
    const refused = params('fm_port=2147483648').filter((x) => x.status === 'fail');
    expect(refused.map((x) => [x.errno, x.message])).toEqual([
      ['ERANGE', "snd_miro: `2147483648' invalid for parameter `fm_port'"],
    ]);
    expect(params('fm_port=2147483647').some((x) => x.status === 'fail')).toBe(false);
  });
});
