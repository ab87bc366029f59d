/**
 * `kmodkit params` in-process on the fixture module (every standard parameter type): typed values, the
 * kernel's log lines and insmod's message for refused strings, and kmod-style errors for bad operands.
 * The wording is predict's, which @kmodkit/loader checks against the real kernel under qemu.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { runMain } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../../../fixtures/modules');
const run = (...argv: string[]) => runMain(['params', ...argv], { cwd: fixtures });

describe('kmodkit params', () => {
  test.each([
    [['p_int=3'], 'p_int = 3 (int)\n'],
    [['p_charp="two words"'], 'p_charp = "two words" (charp)\n'],
    [['p_int_array=1,-2,3'], 'p_int_array = [1, -2, 3] (array of int)\n'],
    [['p_bool=n'], 'p_bool = false (bool)\n'],
    [['p_bool'], 'p_bool = true (bool)\n'],
    [['p_ullong=18446744073709551615'], 'p_ullong = 18446744073709551615 (ullong)\n'],
    [['p_int=1', 'p_int=2'], 'p_int = 2 (int)\n'],
    [['p_hexint=0x10'], 'p_hexint = 16 (hexint)\n'],
    [[], ''],
  ])('%j gives typed values', async (args, out) => {
    const r = await run('kmodkit_test.ko', ...args);
    expect(r).toEqual({ status: 0, stdout: out, stderr: '' });
  });

  test.each([
    [
      ['p_int=x'],
      "kernel: kmodkit_test: `x' invalid for parameter `p_int'\n" +
        'params: ERROR: could not insert module kmodkit_test.ko: Invalid parameters\n',
    ],
    [
      ['p_invbool'],
      "kernel: kmodkit_test: `' invalid for parameter `p_invbool'\n" +
        'params: ERROR: could not insert module kmodkit_test.ko: Invalid parameters\n',
    ],
    [
      ['p_byte=256'],
      "kernel: kmodkit_test: `256' invalid for parameter `p_byte'\n" +
        'params: ERROR: could not insert module kmodkit_test.ko: Numerical result out of range\n',
    ],
    [
      ['p_string=12345678901234567890'],
      "kernel: p_string: string doesn't fit in 15 chars.\n" +
        "kernel: kmodkit_test: `12345678901234567890' too large for parameter `p_string'\n" +
        'params: ERROR: could not insert module kmodkit_test.ko: No space left on device\n',
    ],
  ])("%j is refused with the kernel's lines", async (args, err) => {
    const r = await run('kmodkit_test.ko', ...args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(err);
    expect(r.status).toBe(1);
  });

  test('an unknown parameter only warns, as the kernel does', async () => {
    const r = await run('kmodkit_test.ko', 'nope=1', 'p_int=4');
    expect(r).toEqual({
      status: 0,
      stdout: 'p_int = 4 (int)\n',
      stderr: "kernel: kmodkit_test: unknown parameter 'nope' ignored\n",
    });
  });

  test('--json: one object with typed values (bigints as strings) and the errno', async () => {
    const ok = await run('--json', 'kmodkit_test.ko', 'p_long=-5', 'p_charp_array=a,b');
    expect(ok.status).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc).toMatchObject({
      ok: true,
      errno: null,
      values: {
        p_long: { type: 'long', value: '-5' },
        p_charp_array: { type: 'array of charp', value: ['a', 'b'] },
      },
    });
    const bad = JSON.parse((await run('--json', 'kmodkit_test.ko', 'p_short=70000')).stdout);
    expect(bad).toMatchObject({ ok: false, errno: 'ERANGE', errnoMessage: 'Numerical result out of range' });
  });

  test('every int in range comes back as given; one past the end is ERANGE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), async (n) => {
        const r = await run('kmodkit_test.ko', `p_int=${n}`);
        expect(r.stdout).toBe(`p_int = ${n} (int)\n`);
      }),
      { numRuns: 50, seed: 12 },
    );
    const over = await run('--json', 'kmodkit_test.ko', `p_int=${2 ** 31}`);
    expect(JSON.parse(over.stdout).errno).toBe('ERANGE');
  });

  test.each([
    [['../../README.md'], 'params: ERROR: could not read ../../README.md: Exec format error\n'],
    [['/nonexistent.ko'], 'params: ERROR: could not read /nonexistent.ko: No such file or directory\n'],
    [[], 'params: ERROR: missing filename.\n'],
    [['--nope'], null],
  ])('bad operand %j', async (args, err) => {
    const r = await run(...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    if (err !== null) expect(r.stderr).toBe(err);
    else expect(r.stderr).toMatch(/unrecognized option/);
  });
});
