// insmod, rmmod and lsmod in-process, on this host and on the state captured from the real kernel
// (packages/loader/test/fixtures/guest-root, with kmod's own lsmod output beside it). The real
// kernel's answers, compared with kmod's tools in the same guest, are test/qemu.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { guestRoot as materialisedGuestRoot } from '../../../packages/loader/test/guest-root.js';
import { runMain } from './run-main.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const guestRoot = materialisedGuestRoot();

const run = (argv: string[], root = '/') => runMain(argv, { cwd: repo, root });

/** lsmod lines with each holder list sorted: the capture kept the names of holders/, not their order. */
const sortedHolders = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/ (\S+,\S+)$/, (_, h: string) => ` ${h.split(',').sort().join(',')}`));

describe('lsmod', () => {
  test("on the captured guest, kmod's lsmod output", async () => {
    const r = await run(['lsmod'], guestRoot);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(sortedHolders(r.stdout)).toEqual(
      sortedHolders(readFileSync(join(guestRoot, 'lsmod.txt'), 'utf8')),
    );
  });

  test('--json on the captured guest: one object per module, in /proc/modules order', async () => {
    const r = await run(['lsmod', '--json'], guestRoot);
    const objects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objects).toHaveLength(12);
    expect(objects[1]).toEqual({
      name: 'kmodkit_test',
      size: 16384,
      refcount: 1,
      usedBy: ['kmodkit_dep'],
      holders: ['kmodkit_dep'],
      permanent: false,
      state: 'Live',
      taints: 'OE',
      address: '0xffffffffc02c7000',
    });
  });

  test.each([[['x']], [['--json', 'x']], [['-h']]])('%j: the usage line, status 1', async (args) => {
    expect(await run(['lsmod', ...args], guestRoot)).toEqual({
      status: 1,
      stdout: '',
      stderr: 'Usage: lsmod\n',
    });
  });

  test('without /proc/modules: libkmod’s and lsmod’s lines, status 1', async () => {
    const r = await run(['lsmod'], join(repo, 'fixtures'));
    expect(r).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'libkmod: ERROR ../libkmod/libkmod-module.c:1725 kmod_module_new_from_loaded: could not open /proc/modules: No such file or directory\n' +
        'Error: could not get list of modules: No such file or directory\n',
    });
  });
});

describe('insmod and rmmod: what is decided before the kernel is asked', () => {
  test.each([
    [['insmod'], 'insmod: ERROR: missing filename.\n'],
    [['insmod', '-'], 'insmod: ERROR: this tool does not support loading from stdin!\n'],
    [['insmod', 'nosuch.ko'], 'insmod: ERROR: could not load module nosuch.ko: No such file or directory\n'],
    [['insmod', '-x', 'a.ko'], "insmod: invalid option -- 'x'\n"],
    [['insmod', '--p', 'a.ko'], "insmod: unrecognized option '--p'\n"],
    [['rmmod'], 'rmmod: ERROR: missing module name.\n'],
    [['rmmod', '-w', 'x'], "rmmod: ERROR: unexpected getopt_long() value 'w'.\n"],
    [['rmmod', 'nosuch'], 'rmmod: ERROR: Module nosuch is not currently loaded\n'],
    [['rmmod', 'kmodkit_test'], 'rmmod: ERROR: Module kmodkit_test is in use by: kmodkit_dep\n'],
  ])('%j', async (argv, stderr) => {
    expect(await run(argv, guestRoot)).toEqual({ status: 1, stdout: '', stderr });
  });

  test('insmod --help and rmmod -h print kmod’s help', async () => {
    expect((await run(['insmod', '--he'])).stdout).toMatch(
      /^Usage:\n\tinsmod \[options\] filename \[args\]\nOptions:\n\t-V, --version {5}show version\n\t-h, --help {8}show this help\n\nExamples:\n/,
    );
    expect((await run(['rmmod', '-h'])).stdout).toMatch(/^Usage:\n\trmmod \[options\] modulename \.\.\.\n/);
  });
});
