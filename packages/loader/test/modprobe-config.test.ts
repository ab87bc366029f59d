/**
 * modprobe.d parsing against kmod 30 itself: random configuration files (words from modprobe.d's
 * vocabulary, globs, brackets, tabs, backslash continuations, comments, NUL bytes …) read by
 * readModprobeConfig and by `modprobe -c -C <file>`; the configuration part of the output and the
 * messages on stderr must be the same. The kernel command line kmod reads is bind-mounted from a file in
 * a private mount namespace; cmdline tests of @kmodkit/params cover that parser.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { emptyConfig, parseConfigText, readModprobeConfig } from '../src/modprobe/config.js';
import { formatConfig } from '../src/modprobe/show-config.js';

const kmod = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p));
const canUnshare = spawnSync('unshare', ['-m', 'true']).status === 0;
if (process.env.CI && (kmod === undefined || !canUnshare)) throw new Error('needs kmod and unshare -m');
const work = mkdtempSync(join(tmpdir(), 'kmodkit-modprobe-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const WORDS = [
  'alias',
  'options',
  'install',
  'remove',
  'softdep',
  'blacklist',
  'include',
  'config',
  'pre:',
  'post:',
  'dummy',
  'my-mod',
  'a_b',
  'x*',
  'pci:v*d[0-9]*',
  'bad]',
  '[x',
  'p=1',
  'q="a b"',
  '$CMDLINE_OPTS',
  '#',
  '\\',
  'é',
];
const SEPARATORS = [' ', '  ', '\t', '\n', '\\\n', ' \\\n', '\0', '\r', '\v'];
const configText = fc
  .array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...SEPARATORS)), { maxLength: 40 })
  .map((parts) => parts.map(([w, s]) => w + s).join(''));

/** kmod's `modprobe -c` over one file: the configuration part of stdout, and stderr. */
function kmodConfig(files: readonly string[], cmdline: string): { config: string; stderr: string } {
  const cmdlineFile = join(work, 'cmdline');
  writeFileSync(cmdlineFile, cmdline);
  const script = files
    .map(
      (f) => `${kmod} -c -d ${work}/root -S none -C '${f}'; echo "@@rc $?" 1>&2; echo @@end; echo @@end 1>&2`,
    )
    .join('\n');
  const r = spawnSync(
    'unshare',
    ['-m', 'sh', '-c', `mount --bind '${cmdlineFile}' /proc/cmdline && ${script}`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  return { config: r.stdout, stderr: r.stderr };
}

describe('modprobe.d parsing', () => {
  test('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), configText, (a, b) => {
        const config = emptyConfig();
        parseConfigText(config, a, 'a.conf');
        parseConfigText(config, b, 'b.conf');
        formatConfig(config);
      }),
    );
  });

  test.skipIf(kmod === undefined || !canUnshare)('is kmod 30`s, on random files', () => {
    mkdirSync(join(work, 'root/lib/modules/none'), { recursive: true });
    const samples = fc.sample(configText, { numRuns: 300, seed: 0x6d6f64 });
    const files = samples.map((text, i) => {
      const f = join(work, `c${i}.conf`);
      writeFileSync(f, text);
      return f;
    });
    const cmdline = 'quiet a.b=1 modprobe.blacklist=x,y';
    const theirs = kmodConfig(files, `${cmdline}\n`);
    const stdouts = theirs.config.split('@@end\n');
    const stderrs = theirs.stderr.split('@@end\n');
    files.forEach((f, i) => {
      const config = readModprobeConfig({ dirname: `${work}/root/lib/modules/none`, paths: [f], cmdline });
      const ours = formatConfig(config);
      // No .bin indexes under the empty root: kmod's stdout is the configuration part alone.
      expect(ours, JSON.stringify(samples[i])).toBe(stdouts[i]);
      const messages = config.messages.map((m) => `${m}\n`).join('');
      expect(`${messages}@@rc 0\n`, JSON.stringify(samples[i])).toBe(stderrs[i]!);
    });
  });
});
