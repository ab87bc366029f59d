/**
 * `kmodkit check` in-process over a root directory made here (`-b`): a module tree whose first module
 * gives the kernel's vermagic, and a Module.symvers of the kernel's exports (those the fixtures import,
 * with their CRCs). The prediction itself is tested against the real kernel in @kmodkit/loader.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModule } from '@kmodkit/elf';
import { beforeAll, describe, expect, test } from 'vitest';
import { runMain } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../../../fixtures/modules');
const RELEASE = '6.1.0-56-amd64';

const run = (argv: string[]) => runMain(argv, { cwd: fixtures });

const root = mkdtempSync(join(tmpdir(), 'kmodkit-check-'));
const extra = join(root, 'kmodkit_test.symvers');

beforeAll(() => {
  const moddir = join(root, 'lib/modules', RELEASE);
  mkdirSync(join(moddir, 'kernel'), { recursive: true });
  copyFileSync(join(fixtures, 'kmodkit_test.ko'), join(moddir, 'kernel/first.ko'));
  writeFileSync(join(moddir, 'modules.order'), 'kernel/first.ko\n');
  const headers = join(root, 'usr/src', `linux-headers-${RELEASE}`);
  mkdirSync(headers, { recursive: true });
  const test = readModule(readFileSync(join(fixtures, 'kmodkit_test.ko')));
  const hex = (crc: bigint) => `0x${crc.toString(16).padStart(8, '0')}`;
  // param_ops_bool_enable_only is EXPORT_SYMBOL_GPL in 6.1 (kernel/params.c).
  const gpl = new Set(['param_ops_bool_enable_only']);
  writeFileSync(
    join(headers, 'Module.symvers'),
    test.versions
      .map((v) => `${hex(v.crc)}\t${v.name}\tvmlinux\tEXPORT_SYMBOL${gpl.has(v.name) ? '_GPL' : ''}\t\n`)
      .join(''),
  );
  writeFileSync(join(headers, 'Makefile'), '');
  mkdirSync(join(root, 'boot'));
  writeFileSync(
    join(root, 'boot', `config-${RELEASE}`),
    'CONFIG_MODVERSIONS=y\nCONFIG_MODULE_FORCE_LOAD=y\nCONFIG_MODULE_SIG=y\n',
  );
  writeFileSync(
    extra,
    test.exports
      .map(
        (e) =>
          `${hex(e.crc!)}\t${e.name}\tkmodkit_test\tEXPORT_SYMBOL${e.gpl ? '_GPL' : ''}\t${e.namespace ?? ''}\n`,
      )
      .join(''),
  );
});

describe('kmodkit check', () => {
  const base = ['check', '-b', root, '-k', RELEASE];

  test('a module that loads: exit status 0, the taints it adds', async () => {
    const r = await run([...base, 'kmodkit_test.ko', 'p_int=5']);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\/.*kmodkit_test\.ko: will load, tainting the kernel \(OE\)\n/);
    expect(r.stdout).toContain(
      `target: ${RELEASE} (vermagic '${RELEASE} SMP preempt mod_unload modversions ')`,
    );
  });

  test("--json: willLoad, errno and the kernel's line; exit status 1", async () => {
    const r = await run([...base, '--json', 'kmodkit_test.ko', 'p_byte=256', 'p_int=x']);
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      willLoad: false,
      errno: 'EINVAL',
      errnoMessage: 'Invalid argument',
      reason: "kmodkit_test: `256' invalid for parameter `p_byte'",
      logged: true,
      taints: 'OE',
      target: { release: RELEASE },
    });
    expect(j.findings.filter((f: { status: string }) => f.status === 'fail')).toHaveLength(2);
  });

  test('a missing dependency, and the same with its Module.symvers given', async () => {
    const missing = JSON.parse((await run([...base, '--json', 'kmodkit_dep.ko'])).stdout);
    expect(missing).toMatchObject({ willLoad: false, errno: 'ENOENT' });
    expect(missing.reason).toMatch(/^kmodkit_dep: Unknown symbol kmodkit_test_\w+ \(err -2\)$/);
    const kernel = join(root, 'usr/src', `linux-headers-${RELEASE}`, 'Module.symvers');
    const r = await run([...base, '--symvers', kernel, '--symvers', extra, 'kmodkit_dep.ko']);
    expect(r.status).toBe(0);
  });

  test("another kernel's vermagic: ENOEXEC with the kernel's words", async () => {
    // The same tree, but its first module (the vermagic source) built without preemption.
    const first = join(root, 'lib/modules', RELEASE, 'kernel/first.ko');
    const bytes = readFileSync(first);
    const from = 'SMP preempt mod_unload modversions ';
    const to = 'SMP mod_unload modversions ';
    const other = Buffer.from(bytes);
    // NUL-padded to the same length: .modinfo strings end at their NUL, padding is skipped.
    other.write(to.padEnd(from.length, '\0'), bytes.indexOf(from));
    writeFileSync(first, other);
    try {
      const r = await run([...base, '--json', 'kmodkit_test.ko']);
      expect(JSON.parse(r.stdout)).toMatchObject({
        willLoad: false,
        errno: 'ENOEXEC',
        reason: `kmodkit_test: version magic '${RELEASE} SMP preempt mod_unload modversions ' should be '${RELEASE} SMP mod_unload modversions '`,
      });
      // -f: insmod -f's flags, the vermagic is ignored and the load forced (F).
      const forced = JSON.parse((await run([...base, '-f', '--json', 'kmodkit_test.ko'])).stdout);
      expect(forced).toMatchObject({ willLoad: true, taints: 'FOE' });
    } finally {
      writeFileSync(first, bytes);
    }
  });

  test('bad input: kmod-style messages, exit status 1', async () => {
    expect(await run([...base, 'nosuch.ko'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `check: ERROR: could not read ${fixtures}/nosuch.ko: No such file or directory\n`,
    });
    expect(await run(['check'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'check: ERROR: missing filename.\n',
    });
    expect(await run(['check', '--nosuch', 'kmodkit_test.ko'])).toEqual({
      status: 1,
      stdout: '',
      stderr: "check: unrecognized option '--nosuch'\n",
    });
    expect(await run(['check', '-k'])).toEqual({
      status: 1,
      stdout: '',
      stderr: "check: option requires an argument -- 'k'\n",
    });
  });

  test('-h and -V answer at once, in command-line order, whatever follows', async () => {
    const help = await run(['check', '-b', root, '-h', '--nosuch']);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage:\n\tcheck \[options\] filename \[args\]/);
    const version = (JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as { version: string })
      .version;
    expect(await run(['check', '--version', '-h'])).toEqual({
      status: 0,
      stdout: `kmodkit version ${version}\n`,
      stderr: '',
    });
  });
});
