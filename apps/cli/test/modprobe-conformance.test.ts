/**
 * `kmodkit modprobe` against Debian 12's kmod 30 `modprobe`: both run over the same arguments on a
 * depmod'ed copy of Debian's amd64 tree with the modprobe.d test configuration of
 * packages/loader/test/fixtures/modprobe (two -C directories), and stdout, stderr and exit status must
 * be byte-identical. Every run sees the same kernel command line, bind-mounted over /proc/cmdline in a
 * private mount namespace, so the host's own does not matter. No kernel is needed: these are the
 * printing modes (-n -v, -D, -c, -R), error paths, and what is (not) loaded on the host.
 *
 * Also: install commands run through /bin/sh as kmod runs them, and hostile names and parameters
 * never reach the shell.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { difference, type Run } from './compare.js';
import { fetchCorpus, skipCorpus } from './corpus.js';
import { KMODKIT_BIN } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const bin = KMODKIT_BIN;
const configs = join(repo, 'packages/loader/test/fixtures/modprobe');

const kmod = ['/usr/sbin/modprobe', '/sbin/modprobe'].find((p) => existsSync(p));
const haveDepmod = ['/usr/sbin/depmod', '/sbin/depmod'].some((p) => existsSync(p));
const canUnshare = spawnSync('unshare', ['-m', 'true']).status === 0;
if (process.env.CI && (kmod === undefined || !haveDepmod))
  throw new Error('kmod is not installed: apt-get install kmod');
if (process.env.CI && !canUnshare)
  throw new Error('unshare -m does not work: the tests need a private /proc/cmdline');
const runnable = kmod !== undefined && haveDepmod && canUnshare && !skipCorpus;

/** The kernel command line both tools see: options for configured modules and a blacklist. */
const CMDLINE =
  'root=/dev/sda1 quiet dummy.numdummies=5 modprobe.blacklist=nbd,floppy loop.max_loop="8" "ext4.x=a b" bad-.x';

let work = '';
let root = '';
let version = '';
let cmdlineFile = '';

function inNamespace(cmd: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = work): Run {
  const r = spawnSync(
    'unshare',
    ['-m', 'sh', '-c', 'mount --bind "$0" /proc/cmdline && exec "$@"', cmdlineFile, ...cmd],
    {
      cwd,
      env,
      maxBuffer: 1 << 28,
    },
  );
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const common = () => ['-d', root, '-S', version, '-C', join(configs, 'a'), '-C', join(configs, 'b')];
/** kmod's modprobe, called `modprobe` (glibc's getopt messages start with argv[0]). */
const runKmod = (args: readonly string[], env: NodeJS.ProcessEnv = process.env) =>
  inNamespace(['modprobe', ...args], { ...env, PATH: `${dirname(kmod!)}:${env.PATH}` });
const runOurs = (args: readonly string[], env?: NodeJS.ProcessEnv) =>
  // Called by the name `modprobe`, as the multi-call binary is when linked.
  inNamespace([process.execPath, bin, 'modprobe', ...args], env);

function same(args: readonly string[], env?: NodeJS.ProcessEnv): Run {
  const expected = runKmod(args, env);
  const actual = runOurs(args, env);
  expect(difference(expected, actual), `modprobe ${args.join(' ')}`).toBe('');
  return actual;
}

beforeAll(() => {
  if (!runnable) return;
  const [dir] = fetchCorpus('amd64');
  version = basename(dir!);
  work = mkdtempSync(join(tmpdir(), 'kmodkit-modprobe-'));
  root = join(work, 'root');
  mkdirSync(join(root, 'lib'), { recursive: true });
  // A hard-linked copy: depmod writes its indexes into the tree, the cache stays untouched.
  const cp = spawnSync('cp', ['-al', dirname(dir!), join(root, 'lib/modules')]);
  if (cp.status !== 0) cpSync(dirname(dir!), join(root, 'lib/modules'), { recursive: true });
  const depmod = spawnSync('depmod', ['-b', root, version]);
  if (depmod.status !== 0) throw new Error(`depmod failed: ${depmod.stderr}`);
  cmdlineFile = join(work, 'cmdline');
  writeFileSync(cmdlineFile, `${CMDLINE}\n`);
  // git keeps no empty directory: the one kmod complains about is made here.
  mkdirSync(join(configs, 'a/dir.conf'), { recursive: true });
});

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** Cases run with the test configuration; each line is one modprobe command line. */
const CASES: readonly string[] = [
  // printing the plan: names, aliases (config globs first, then modules.alias), options merged from
  // files, the kernel command line and the command line
  '-n -v dummy',
  '-n -v dummy extra=1 v=x_y',
  '-n -v dummy name=a\u0020b',
  '-n -v dummy quoted="a b"',
  '-n -v mynet',
  '-n -v my-glob-abc',
  '-n -v my-a-net',
  '-n -v my-c-net',
  '-n -v tabbed',
  '-n -v two-targets',
  '-n -v chained',
  '-n -v alias-to-nothing',
  '-n -v from-b',
  '-n -v pci:v00008086d000010D3sv0sd0bc0sc0i0',
  '-n -v pci:v00008086d0000153Asv0sd0bc0sc0i0',
  '-n -v symbol:jbd2_journal_start',
  '-n -v fs-btrfs',
  // dependencies and softdeps (pre/post, globbed, through aliases, unknown names, blacklisted targets)
  '-n -v ext4',
  '-n -v btrfs',
  '-n -v xfs',
  '-n -v sd_mod',
  '-n -v snd-sof-pci-intel-tgl',
  '-D snd-sof-pci-intel-tgl',
  '-D ext4',
  '-D btrfs',
  '-D -i ext4',
  '-n -v -i ext4',
  // install/remove commands, blacklist, built-in modules
  '-n -v mpt3sas',
  '-n -v mpt3sas a=1 b=2',
  '-n -v fake-install a=1',
  '-n -v -i mpt3sas',
  '-n -v nbd',
  '-n -v snd-hda-intel',
  '-n -v fake-remove',
  '-n -v e1000e',
  '-n -v -b e1000e',
  '-n -v -b xfs',
  '-n -v floppy',
  '-n -v -b floppy',
  '-D zswap',
  '-n -v zswap',
  '-n -v --first-time zswap',
  '-n -v --first-time dummy',
  // -a, -R, -q, -r
  '-a -n -v dummy unknown loop',
  '-a -n -v dummy loop ext4',
  '-R pci:v00008086d000010D3sv0sd0bc0sc0i0',
  '-R two-targets',
  '-R dummy',
  '-R unknown',
  '-r -n -v loop',
  '-r -n -v zswap',
  '-r -n -v unknown',
  '-r -a -n -v loop zswap',
  '-r -n -v fake-remove',
  '-r -n -v --first-time dummy',
  '-r -n -v -i loop',
  // errors
  '-n -v unknownmod',
  '-q -n -v unknownmod',
  '-n -v bad]',
  '-n',
  '',
  '-w x -r dummy',
  '--no-such-option dummy',
  '-c',
];

describe.skipIf(!runnable)('kmodkit modprobe and kmod 30 modprobe agree', () => {
  test.each(CASES)('modprobe %s', (line) => {
    same([...common(), ...(line === '' ? [] : line.split(' ').map((w) => w.replaceAll('\u0020', ' ')))]);
  });

  test('-c with the default search path under an empty root, and with a single file', () => {
    same(['-c', '-d', root, '-S', version, '-C', join(configs, 'a/20-options.conf')]);
    same(['-c', '-d', root, '-S', 'no-such-version', '-C', '/dev/null']);
  });

  test('--show-exports and --dump-modversions of module files', () => {
    const kernel = join(root, 'lib/modules', version, 'kernel');
    const files = [
      join(kernel, 'fs/jbd2/jbd2.ko'), // __crc_ symbols: .symtab order
      join(kernel, 'fs/ext4/ext4.ko'), // exports nothing
      join(kernel, 'drivers/usb/core/usbcore.ko'),
      join(repo, 'fixtures/modules/kmodkit_test.ko'),
      join(repo, 'fixtures/modules/kmodkit_test.ko.xz'),
      join(repo, 'fixtures/modules/kmodkit_test-stripped.ko'),
      join(repo, 'fixtures/modules/kmodkit_dep.ko'),
      join(repo, 'fixtures/modules/README.md'), // not ELF
      join(work, 'no-such-file.ko'),
    ];
    for (const file of files) {
      for (const option of [
        '--show-exports',
        '--dump-modversions',
        '-a --show-exports',
        '-q --dump-modversions',
      ])
        same([...option.split(' '), file]);
    }
  });

  test('MODPROBE_OPTIONS is read before the arguments', () => {
    same(['-d', root, '-S', version, 'dummy'], {
      ...process.env,
      MODPROBE_OPTIONS: `-n -v -C ${join(configs, 'a')}`,
    });
  });

  test('every module of the tree: -D prints what kmod prints', () => {
    // One process per tool for many names: -a takes them all.
    const names = readFileSync(join(root, 'lib/modules', version, 'modules.dep'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => basename(l.slice(0, l.indexOf(':'))).replace(/\.ko.*$/, ''));
    same([...common(), '-a', '-D', ...names]);
    same([...common(), '-a', '-n', '-v', ...names]);
  });
});

describe.skipIf(!runnable)('install commands', () => {
  test('run through /bin/sh with MODPROBE_MODULE, options in $CMDLINE_OPTS; hostile text stays text', () => {
    const out = join(work, 'commands');
    mkdirSync(out, { recursive: true });
    const pwned = join(work, 'pwned');
    const conf = join(work, 'commands.conf');
    writeFileSync(
      conf,
      [
        `install fake-install printf '%s|' "$MODPROBE_MODULE" $CMDLINE_OPTS >> ${out}/log; echo >> ${out}/log`,
        `alias hostile-alias evil$(touch_${pwned}-name)`,
        // (a backslash in a modprobe.d line escapes the next character, so no printf '\n' here)
        `install evil* echo "$MODPROBE_MODULE" >> ${out}/log`,
        `options fake-install from_config=1`,
      ].join('\n'),
    );
    const hostile = [
      `a=$(touch ${pwned})`,
      `b=\`touch ${pwned}\``,
      `c=1;touch ${pwned}`,
      `d=x\ntouch ${pwned}`,
      `e='$(touch ${pwned})'`,
      `f="x y" g=|touch${pwned}`,
    ];
    const base = ['-d', root, '-S', version, '-C', conf];
    const r1 = runOurs([...base, 'fake-install', ...hostile]);
    expect(r1.stderr.toString()).toBe('');
    expect(r1.status).toBe(0);
    const r2 = runOurs([...base, 'hostile-alias']);
    expect(r2.status).toBe(0);
    const r3 = runOurs([...base, `$(touch ${pwned})`, `x=$(touch ${pwned})`]);
    expect(r3.status).toBe(1);
    expect(readdirSync(work).filter((f) => f.startsWith('pwned'))).toEqual([]);
    const log = readFileSync(join(out, 'log'), 'utf8');
    // The command got the kernel's words of the options (options_from_array quoted the values with
    // spaces), each as one shell word, unevaluated.
    const words = [
      'from_config=1',
      `a="$(touch ${pwned})"`,
      `b="\`touch ${pwned}\`"`,
      `c="1;touch ${pwned}"`,
      `d="x\ntouch ${pwned}"`,
      `e='$(touch`,
      `${pwned})'`,
      'f="x y"',
      `g=|touch${pwned}`,
    ];
    expect(log.startsWith(`fake_install|${words.join('|')}|\n`)).toBe(true);
    expect(log).toContain(`\nevil$(touch_${pwned.replaceAll('-', '_')}_name)\n`);
  });

  test('a failing install command: kmod`s message and status', () => {
    const conf = join(work, 'failing.conf');
    writeFileSync(conf, 'install dummy exit 3\n');
    same(['-d', root, '-S', version, '-C', conf, 'dummy']);
    same(['-d', root, '-S', version, '-C', conf, '-q', 'dummy']);
  });
});
