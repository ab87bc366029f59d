// End-to-end oracle: Debian's real 6.1 kernel under qemu (scripts/qemu-run.sh) loads the fixture module
// with generated parameter strings; the load's outcome, the "unknown parameter" warnings and every
// /sys/module/kmodkit_test/parameters/* file must be what validateArgs and formatValue predict.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModule } from '@kmodkit/elf';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Arg, formatArgs, formatValue, validateArgs } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const qemuRun = join(root, 'scripts/qemu-run.sh');
const modulePath = join(root, 'fixtures/modules/kmodkit_test.ko');
// Opt-in (KMODKIT_QEMU=1, `pnpm test:qemu`): a TCG guest takes a few seconds per module load.
const skip = process.env.KMODKIT_QEMU !== '1' || !existsSync(qemuRun);
const SEED = 0x6b6d6f64;

// fixtures/src: module_param_array(p_charp_array, charp, NULL, 0444) — no count pointer, so sysfs
// prints all 3 elements (kernel/params.c: param_array_get), unset ones as "(null)".
const FULL_LENGTH_ARRAYS: Record<string, number> = { p_charp_array: 3 };

// Values per type the kernel accepts, and ones it refuses (by type, as the fixture declares them).
const GOOD: Record<string, Array<string | null>> = {
  int: ['0', '-1', '42', '0x10', '010', '+7', '2147483647', '-2147483648', '1\n'],
  byte: ['255', '0xff', '0', '017'],
  short: ['-32768', '0x7fff', '-1'],
  ushort: ['65535', '0'],
  uint: ['4294967295', '0x10'],
  long: ['-9223372036854775808', '0777', '9223372036854775807'],
  ulong: ['18446744073709551615', '0x10'],
  ullong: ['18446744073709551615', '0x10', '+0'],
  hexint: ['0', '0xbeef', '4294967295', '1'],
  bool: [null, 'y', 'n', 'on', 'of', 'True', '0'],
  invbool: ['y', 'n', 'on', 'of', 'F'],
  bool_enable_only: [null, 'y', '1'],
  bint: [null, 'y', 'n', '1'],
  charp: ['hello', 'a b', 'é"q', '', 'x'.repeat(1024)],
  string: ['abc', 'x'.repeat(15), 'é'.repeat(7), ''],
  'array:int': ['1,2', '1,2,3,4', '-5', '0x10,010'],
  'array:charp': ['a,b', 'a, b ,c', 'x', ''],
};
const BAD: Record<string, Array<string | null>> = {
  int: ['2147483648', 'abc', '', '08', null],
  byte: ['256', '-1'],
  short: ['32768'],
  ushort: ['65536', '-0'],
  uint: ['4294967296', '-0'],
  long: ['9223372036854775808'],
  ulong: ['18446744073709551616'],
  ullong: ['0x', '18446744073709551616'],
  hexint: ['0X1g', '4294967296'],
  bool: ['x', ''],
  invbool: [null, 'x'],
  bool_enable_only: ['x'],
  bint: ['', 'abc'],
  charp: ['x'.repeat(1025), null],
  string: ['x'.repeat(16), 'é'.repeat(8), null],
  'array:int': ['1,2,3,4,5', '1,,2', 'a,b'],
  'array:charp': ['a,b,c,d', null],
};

describe.skipIf(skip)('real kernel (qemu) loading kmodkit_test.ko', () => {
  test('load outcome, unknown-parameter warnings and sysfs values are as predicted', {
    timeout: 600_000,
  }, () => {
    const declared = readModule(readFileSync(modulePath)).params;
    // Parameters with the module's own ops (p_cb) are left out: only the module knows what they accept.
    const names = [
      ...declared.filter((d) => d.type !== 'custom').map((d) => d.name),
      'p-int',
      'p_BYTE',
      'nosuch',
      'x-y',
    ];
    const key = (name: string) => {
      const d = declared.find((x) => x.name.replace(/-/g, '_') === name.replace(/-/g, '_'));
      return d === undefined ? 'int' : d.type === 'array' ? `array:${d.elementType}` : d.type;
    };
    const arg = (pools: Record<string, Array<string | null>>) =>
      fc
        .constantFrom(...names)
        .chain((name) =>
          fc.constantFrom(...(pools[key(name)] ?? pools.int!)).map((value): Arg => ({ name, value })),
        );
    // Two loads in three take only accepted values; the others add one refused value somewhere.
    const goodCase = fc.array(arg(GOOD), { minLength: 1, maxLength: 8 });
    const badCase = fc
      .tuple(fc.array(arg(GOOD), { maxLength: 5 }), arg(BAD), fc.nat())
      .map(([args, bad, at]) => {
        const i = at % (args.length + 1);
        return [...args.slice(0, i), bad, ...args.slice(i)];
      });
    const cases = fc
      .sample(fc.oneof({ arbitrary: goodCase, weight: 2 }, { arbitrary: badCase, weight: 1 }), {
        numRuns: 24,
        seed: SEED,
      })
      .map(formatArgs);
    cases.push(
      'p_int=1 -- p_int=2',
      'p_bool_enable_only p_bool_enable_only=0',
      '"p_charp=a b" p_int_array="3,4"',
      // Every parameter at once, so each sysfs file is compared at least once.
      'p_byte=0xff p_short=-32768 p_ushort=65535 p_int=-0x10 p_uint=4294967295 p_long=-9223372036854775808 ' +
        'p_ulong=18446744073709551615 p_ullong=0x10 p_hexint=0 p_charp="a b" p_bool=of p_invbool=y p_bint ' +
        'p_bool_enable_only p_string=ééééééé p_int_array=1,-2 p_charp_array=x,y p_named=0777',
      'p_hexint=0xbeef p_invbool=off p_bint=n p_bool p_charp= p_string= p_int_array=7 p_charp_array=,',
    );

    const dir = join(
      process.env.KMODKIT_CACHE ?? join(homedir(), '.cache/kmodkit'),
      `params-qemu-${process.pid}`,
    );
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      cases.forEach((text, i) => {
        writeFileSync(join(dir, `case-${String(i).padStart(4, '0')}`), text);
      });
      // The guest sees the host's root read-only: the cases and this script are read from `dir`.
      writeFileSync(
        join(dir, 'run.sh'),
        `M='${modulePath}'
P=/sys/module/kmodkit_test/parameters
dmesg -c >/dev/null
for f in '${dir}'/case-*; do
  echo "@@case"
  if insmod -- "$M" "$(cat "$f")" 2>/tmp/err; then
    echo "@@ok"
    grep -a -r '' "$P" | sed "s|^$P/|@@param |"
    rmmod kmodkit_test
  else
    echo "@@fail $(cat /tmp/err)"
  fi
  dmesg -c | sed -n "s/.*kmodkit_test: unknown parameter '\\(.*\\)' ignored.*/@@unknown \\1/p"
done
`,
      );
      const out = execFileSync(qemuRun, ['sh', join(dir, 'run.sh')], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const results = out.split('@@case\n').slice(1);
      expect(results).toHaveLength(cases.length);

      const ERRNO_MESSAGE: Record<string, string> = {
        EINVAL: 'Invalid parameters',
        ERANGE: 'Numerical result out of range',
        ENOSPC: 'No space left on device',
        EROFS: 'Read-only file system',
      };
      // Every mismatch is collected, so one slow run shows them all.
      const mismatches: string[] = [];
      const compared = new Set<string>();
      const check = (got: unknown, want: unknown, what: string) => {
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(`${what}: kernel ${JSON.stringify(got)}, predicted ${JSON.stringify(want)}`);
      };
      cases.forEach((text, i) => {
        const lines = results[i]!.trimEnd().split('\n');
        const predicted = validateArgs(text, declared);
        const label = JSON.stringify(text);
        const unknown = lines.filter((l) => l.startsWith('@@unknown ')).map((l) => l.slice(10));
        check(
          unknown,
          predicted.issues.filter((x) => x.kind === 'unknown').map((x) => x.name),
          `${label} unknown`,
        );
        const outcome = lines[0]!.startsWith('@@fail') ? lines[0]!.replace(/^@@fail .*: /, '') : lines[0];
        check(outcome, predicted.ok ? '@@ok' : ERRNO_MESSAGE[predicted.errno!], `${label} outcome`);
        if (!predicted.ok || outcome !== '@@ok') return;
        // `grep -r ''` prints "name:content" for each file; an empty file (an array of no elements) prints nothing.
        const sysfs = new Map(
          lines
            .filter((l) => l.startsWith('@@param '))
            .map((l) => [l.slice(8, l.indexOf(':')), `${l.slice(l.indexOf(':') + 1)}\n`]),
        );
        for (const d of declared) {
          const value = predicted.values.get(d.name);
          if (value === undefined || d.perm === 0) continue;
          let shown = formatValue(
            d.type === 'array'
              ? `array:${d.elementType}:${d.maxLength}`
              : d.type === 'string'
                ? `string:${d.maxLength}`
                : d.type,
            value,
          );
          const full = FULL_LENGTH_ARRAYS[d.name];
          if (full !== undefined && Array.isArray(value)) shown += ',(null)'.repeat(full - value.length);
          check(sysfs.get(d.name), `${shown}\n`, `${label} → ${d.name}`);
          compared.add(d.name);
        }
      });
      expect(mismatches).toEqual([]);
      const visible = declared.filter((d) => d.perm !== 0 && d.type !== 'custom').map((d) => d.name);
      expect([...compared].sort()).toEqual(visible.sort());
      // The generated cases must exercise both outcomes.
      const loaded = cases.filter((text) => validateArgs(text, declared).ok).length;
      expect(loaded).toBeGreaterThan(3);
      expect(cases.length - loaded).toBeGreaterThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
