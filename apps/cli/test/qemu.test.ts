// `kmodkit insmod`, `rmmod` and `lsmod` against kmod 30's own, both run in the same guest of Debian's
// real 6.1 kernel under qemu (scripts/qemu-run.sh), case by case from the same state: stdout, stderr
// and exit status must be byte-identical. kmodkit runs by its multi-call names (symlinks), as kmod's
// tools do. Broken modules come from scripts/make-module-variants.sh. Opt-in: KMODKIT_QEMU=1 (CI sets it).
// Node starts in about two seconds under TCG: the kmodkit runs go through one Node process in the guest
// (test/qemu-driver.mjs calls the built `main` case by case, as bin/kmodkit.js would, with the name
// found on PATH as argv0), except those that need a process of their own (`prefix`: reduced capabilities).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const qemuRun = join(repo, 'scripts/qemu-run.sh');
const enabled = process.env.KMODKIT_QEMU === '1';
const dir = `/var/tmp/kmodkit-cli-qemu-${process.pid}`;
const T = 'fixtures/modules/kmodkit_test.ko';
const D = 'fixtures/modules/kmodkit_dep.ko';
const NOCAP = 'setpriv --inh-caps=-sys_module --bounding-set=-sys_module';
const PAIR = `insmod ${T} && insmod ${D}`;
const UNPAIR = 'rmmod kmodkit_dep 2>/dev/null; rmmod kmodkit_test 2>/dev/null';

interface Case {
  readonly name: string;
  readonly tool: 'insmod' | 'rmmod' | 'lsmod';
  readonly args: readonly string[];
  /** Shell run (with kmod's tools) before each of the two runs, and after. */
  readonly setup?: string;
  readonly cleanup?: string;
  readonly prefix?: string;
}

const CASES: Case[] = [
  { name: 'no file', tool: 'insmod', args: [] },
  { name: 'stdin', tool: 'insmod', args: ['-'] },
  { name: 'missing file', tool: 'insmod', args: ['nosuch.ko'] },
  { name: 'a directory', tool: 'insmod', args: ['fixtures/modules'] },
  { name: 'not ELF', tool: 'insmod', args: [`${dir}/v/random.ko`] },
  { name: 'empty', tool: 'insmod', args: [`${dir}/v/empty.ko`] },
  { name: '3 bytes', tool: 'insmod', args: [`${dir}/v/short.ko`] },
  { name: 'truncated', tool: 'insmod', args: [`${dir}/v/truncated.ko`] },
  { name: 'no struct module', tool: 'insmod', args: [`${dir}/v/no-this-module.ko`] },
  { name: 'missing dependency', tool: 'insmod', args: [D] },
  { name: 'bad int', tool: 'insmod', args: [T, 'p_int=abc'] },
  { name: 'out of range', tool: 'insmod', args: [T, 'p_byte=256'] },
  { name: 'string too long', tool: 'insmod', args: [T, `p_string=${'x'.repeat(16)}`] },
  { name: 'unknown parameter loads', tool: 'insmod', args: [T, 'nosuch=1'], cleanup: UNPAIR },
  { name: 'parameters', tool: 'insmod', args: [T, 'p_int=3', 'p_charp="a b"'], cleanup: UNPAIR },
  { name: 'already loaded', tool: 'insmod', args: [T], setup: `insmod ${T}`, cleanup: UNPAIR },
  { name: 'xz', tool: 'insmod', args: [`${T}.xz`], cleanup: UNPAIR },
  { name: 'zst', tool: 'insmod', args: [`${T}.zst`], cleanup: UNPAIR },
  // Signed with a key the kernel does not have: ENOKEY, which sig_enforce=N lets load.
  {
    name: 'signature edited, unknown key',
    tool: 'insmod',
    args: [`${dir}/v/edited-signed.ko`],
    cleanup: UNPAIR,
  },
  // Debian's own module: the key is trusted, so edited bytes are EKEYREJECTED.
  {
    name: 'Debian module edited',
    tool: 'insmod',
    args: [`${dir}/v/debian-dummy-edited.ko`],
    cleanup: 'rmmod dummy',
  },
  {
    name: 'Debian signature cut off',
    tool: 'insmod',
    args: [`${dir}/v/debian-dummy-unsigned.ko`],
    cleanup: 'rmmod dummy',
  },
  { name: 'wrong vermagic', tool: 'insmod', args: [`${dir}/v/vermagic-flags.ko`] },
  { name: '-f wrong vermagic', tool: 'insmod', args: ['-f', `${dir}/v/vermagic-flags.ko`], cleanup: UNPAIR },
  { name: '-f xz', tool: 'insmod', args: ['-f', `${dir}/v/vermagic-flags.ko.xz`], cleanup: UNPAIR },
  { name: '-p -s ignored', tool: 'insmod', args: ['-ps', T], cleanup: UNPAIR },
  { name: 'bad option', tool: 'insmod', args: ['-x', T] },
  { name: 'unknown long option', tool: 'insmod', args: ['--p', T] },
  { name: 'abbreviated --help', tool: 'insmod', args: ['--he'] },
  { name: 'no permission', tool: 'insmod', args: [T], prefix: NOCAP },
  { name: 'no name', tool: 'rmmod', args: [] },
  { name: 'not loaded', tool: 'rmmod', args: ['kmodkit_test'] },
  { name: 'in use', tool: 'rmmod', args: ['kmodkit_test'], setup: PAIR, cleanup: UNPAIR },
  {
    name: 'pair in order',
    tool: 'rmmod',
    args: ['kmodkit_dep', 'kmodkit_test'],
    setup: PAIR,
    cleanup: UNPAIR,
  },
  { name: 'wrong order', tool: 'rmmod', args: ['kmodkit_test', 'kmodkit_dep'], setup: PAIR, cleanup: UNPAIR },
  { name: 'by file', tool: 'rmmod', args: [T], setup: `insmod ${T}`, cleanup: UNPAIR },
  { name: 'dashes', tool: 'rmmod', args: ['kmodkit-test'], setup: `insmod ${T}`, cleanup: UNPAIR },
  { name: '-f in use', tool: 'rmmod', args: ['-f', 'kmodkit_test'], setup: PAIR, cleanup: UNPAIR },
  { name: '-v', tool: 'rmmod', args: ['-v', 'kmodkit_test'], setup: `insmod ${T}`, cleanup: UNPAIR },
  { name: '-w', tool: 'rmmod', args: ['-w', 'kmodkit_test'] },
  { name: 'bad option', tool: 'rmmod', args: ['-x'] },
  { name: '--help', tool: 'rmmod', args: ['--help'] },
  {
    name: 'one of two missing',
    tool: 'rmmod',
    args: ['nosuch', 'kmodkit_test'],
    setup: `insmod ${T}`,
    cleanup: UNPAIR,
  },
  {
    name: 'no permission',
    tool: 'rmmod',
    args: ['kmodkit_test'],
    setup: `insmod ${T}`,
    cleanup: UNPAIR,
    prefix: NOCAP,
  },
  { name: 'with the pair', tool: 'lsmod', args: [], setup: PAIR, cleanup: UNPAIR },
  { name: 'an argument', tool: 'lsmod', args: ['x'] },
];

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** The kmodkit runs the in-guest driver makes in one Node process; the others run as commands. */
const inProcess = (c: Case) => c.prefix === undefined;

function script(): string {
  const lines = [
    'cd ' + quote(repo),
    'report() { echo "@@case $1 $2"; echo "@@stdout"; cat /tmp/o; echo "@@stderr"; cat /tmp/e; echo "@@status $3"; }',
  ];
  const command = (c: Case, i: number, who: string, bin: string) => {
    if (c.setup) lines.push(`(${c.setup}) >/dev/null 2>&1`);
    // Found on PATH, as users call them: glibc's getopt messages and lsmod's usage line print argv[0].
    lines.push(
      `env PATH=${bin}:$PATH ${c.prefix ?? ''} ${c.tool} ${c.args.map(quote).join(' ')} >/tmp/o 2>/tmp/e; report ${i} ${who} $?`,
    );
    if (c.cleanup) lines.push(`(${c.cleanup}) >/dev/null 2>&1`);
  };
  CASES.forEach((c, i) => {
    command(c, i, 'kmod', '/usr/sbin');
    if (!inProcess(c)) command(c, i, 'kmodkit', `${dir}/bin`);
  });
  lines.push(`node ${quote(join(repo, 'apps/cli/test/qemu-driver.mjs'))} ${quote(`${dir}/cases.json`)}`);
  // --json is kmodkit's own: checked against /proc/modules read in the same state.
  lines.push(
    `(${PAIR}) >/dev/null 2>&1`,
    'echo "@@json"',
    `${dir}/bin/lsmod --json`,
    'echo "@@proc"',
    'cat /proc/modules',
    `(${UNPAIR})`,
  );
  return `${lines.join('\n')}\n`;
}

/** The driver's input: the in-process cases, each with the argv0 the command on PATH would get. */
function driverCases(): string {
  return JSON.stringify({
    main: join(repo, 'apps/cli/dist/index.js'),
    cases: CASES.flatMap((c, i) =>
      inProcess(c)
        ? [
            {
              key: `${i} kmodkit`,
              argv0: `${dir}/bin/${c.tool}`,
              args: c.args,
              setup: c.setup,
              cleanup: c.cleanup,
            },
          ]
        : [],
    ),
  });
}

interface Run {
  stdout: string;
  stderr: string;
  status: number;
}

describe.skipIf(!enabled)('kmodkit and kmod in the same real kernel (qemu)', () => {
  const runs = new Map<string, Run>();
  let json = '';
  let proc = '';
  beforeAll(() => {
    if (!existsSync(qemuRun)) throw new Error(`${qemuRun} is missing`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(`${dir}/bin`, { recursive: true });
    execFileSync(join(repo, 'scripts/make-module-variants.sh'), [`${dir}/v`], { stdio: 'inherit' });
    for (const tool of ['insmod', 'rmmod', 'lsmod'])
      symlinkSync(join(repo, 'apps/cli/bin/kmodkit.js'), `${dir}/bin/${tool}`);
    // A file, not `sh -c`: qemu-run.sh quotes its arguments for bash, the guest's sh is dash.
    writeFileSync(`${dir}/run.sh`, script());
    writeFileSync(`${dir}/cases.json`, driverCases());
    const out = execFileSync(qemuRun, ['sh', `${dir}/run.sh`], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, KMODKIT_QEMU_TIMEOUT: process.env.KMODKIT_QEMU_TIMEOUT ?? '1800' },
    });
    [, json = '', proc = ''] = out.split(/^@@json\n|^@@proc\n/m);
    for (const m of out.matchAll(
      /^@@case (\d+) (\w+)\n@@stdout\n([\s\S]*?)@@stderr\n([\s\S]*?)@@status (\d+)$/gm,
    )) {
      runs.set(`${m[1]} ${m[2]}`, { stdout: m[3]!, stderr: m[4]!, status: Number(m[5]) });
    }
  }, 1_900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(CASES.map((c, i) => [`${c.tool} ${c.name}`, i] as const))('%s', (_, i) => {
    const kmod = runs.get(`${i} kmod`);
    expect(kmod, 'kmod ran').toBeDefined();
    // kmodkit's --help goes on with examples after kmod's text.
    const ours = runs.get(`${i} kmodkit`);
    expect(ours && { ...ours, stdout: ours.stdout.replace(/\nExamples:\n[\s\S]*$/, '') }).toEqual(kmod);
  });

  test('lsmod --json: one object per line, as /proc/modules has them', () => {
    const objects = json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; size: number; usedBy: string[] });
    const lines = proc
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    expect(objects.map((o) => [o.name, String(o.size)])).toEqual(lines.map((f) => [f[0], f[1]]));
    expect(objects.find((o) => o.name === 'kmodkit_test')).toMatchObject({
      usedBy: ['kmodkit_dep'],
      holders: ['kmodkit_dep'],
      taints: 'OE',
      state: 'Live',
    });
  });
});
