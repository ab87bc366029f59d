// modprobe.d options and their merge order against the real kmod 30 tools: `modprobe -c -C <file>` prints
// the options kmod read, and `modprobe -n -v` prints the exact insmod line (fixture module in a temp tree).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { cmdlineModuleOptions, modprobeParams, parseModprobeOptions } from '../src/index.js';

const skip = process.env.KMODKIT_SKIP_KMOD === '1';
const SEED = 0x6b6d6f64;
const work = mkdtempSync(join(tmpdir(), 'kmodkit-params-modprobe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function modprobe(args: string[]): string {
  return execFileSync('modprobe', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function optionsLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('options '));
}

const MODULES = ['kmodkit_test', 'kmodkit-test', 'other', 'a[-]b', 'bad]x', 'x[y', 'snd-hda-intel'];
const SEPARATORS = [' ', '\t', '  ', ' \t', '\t\t'];
const OPTION_TEXT = fc
  .array(fc.constantFrom('a=1', 'b="x y"', 'c', ' ', '\t', 'd=\\x', '-', 'e=é', '"', 'f-g=2', 'p=a,b'), {
    maxLength: 5,
  })
  .map((parts) => parts.join(''));
const LINE = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', ' ', '\t'),
      fc.constantFrom(...MODULES),
      fc.constantFrom(...SEPARATORS),
      OPTION_TEXT,
    )
    .map(([lead, module, sep, text]) => `${lead}options${sep}${module}${sep}${text}`),
  fc.constantFrom(
    '',
    '# options kmodkit_test hidden=1',
    ' # x',
    'alias foo bar',
    'options',
    'options kmodkit_test',
    'options kmodkit_test ',
    'blacklist other',
  ),
  fc
    .tuple(fc.constantFrom(...MODULES), OPTION_TEXT, OPTION_TEXT)
    .map(([m, a, b]) => `options ${m} ${a}\\\n${b}`),
);
const FILE = fc
  .tuple(fc.array(LINE, { maxLength: 6 }), fc.boolean())
  .map(([lines, newline]) => lines.join('\n') + (newline ? '\n' : ''));

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const KVER = '6.1.0-kmodkit';
let tree: string | undefined;
/** A modules tree holding the fixture module, indexed by the real depmod (made once). */
function moduleTree(): string {
  if (tree !== undefined) return tree;
  const dir = join(work, 'root/lib/modules', KVER);
  mkdirSync(dir, { recursive: true });
  copyFileSync(
    new URL('../../../fixtures/modules/kmodkit_test.ko', import.meta.url),
    join(dir, 'kmodkit_test.ko'),
  );
  execFileSync('depmod', ['-b', join(work, 'root'), KVER], { stdio: 'ignore' });
  tree = join(work, 'root');
  return tree;
}

// Runs real `modprobe -c` and `modprobe -n -v kmodkit_test` with each text bind-mounted over
// /proc/cmdline in a private mount namespace.
function modprobeWithCmdlines(cmdlines: readonly string[]): Array<{ config: string; insmod: string }> {
  const root = moduleTree();
  const dir = join(work, 'cmdlines');
  mkdirSync(dir, { recursive: true });
  cmdlines.forEach((text, i) => {
    writeFileSync(join(dir, String(i).padStart(5, '0')), text);
  });
  const script = `for f in "${dir}"/*; do mount --bind "$f" /proc/cmdline; modprobe -c -C /dev/null 2>/dev/null; echo '@@@'; modprobe -d '${root}' -S ${KVER} -C /dev/null -n -v kmodkit_test 2>/dev/null; echo '@@@'; umount /proc/cmdline; done`;
  const out = execFileSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const parts = out.split('@@@\n');
  return cmdlines.map((_, i) => ({ config: parts[2 * i]!, insmod: parts[2 * i + 1]! }));
}

const CMDLINE_PARTS = [
  'foo',
  'bar-baz',
  'x_y',
  '.',
  '=',
  '"',
  ' ',
  '  ',
  '\t',
  '\n',
  '1',
  'a b',
  ',',
  'modprobe.blacklist=',
  'modprobe',
  '--',
  'é',
  '[',
  ']',
  'kmodkit_test',
  'kmodkit-test',
  'p_int=',
];

describe.skipIf(skip || !canUnshare())('kernel command line options = kmod 30 reading /proc/cmdline', () => {
  test('generated command lines give the options and blacklist modprobe -c shows, and the insmod line', () => {
    const lines = [
      ...fc.sample(
        fc.array(fc.constantFrom(...CMDLINE_PARTS), { maxLength: 16 }).map((p) => p.join('')),
        { numRuns: 400, seed: SEED },
      ),
      'parport.dyndbg="file drivers/parport/ieee1284_ops.c +mpf"',
      '"parport.dyndbg=file drivers/parport/ieee1284_ops.c +mpf" x.y=1',
      `${'a.b=1 '.repeat(700)}last.one=2`,
      'BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet snd-hda-intel.model=auto -- init.arg=1',
      'kmodkit-test.p_int=5 "kmodkit_test.p_charp=a b" kmodkit_test.p_bool other.x=1 kmodkit_test.p_int=6',
    ];
    const outputs = modprobeWithCmdlines(lines);
    lines.forEach((cmdline, i) => {
      const kmod = outputs[i]!.config.split('\n').filter(
        (l) => l.startsWith('options ') || l.startsWith('blacklist '),
      );
      const parsed = cmdlineModuleOptions(cmdline);
      const ours = [
        ...parsed.blacklist.map((m) => `blacklist ${m}`),
        ...parsed.options.map((o) => `options ${o.module} ${o.options}`),
      ];
      expect(ours, JSON.stringify(cmdline)).toEqual(kmod);
      // One module's share of the command line, as modprobe passes it to init_module.
      const path = join(moduleTree(), 'lib/modules', KVER, 'kmodkit_test.ko');
      const params = modprobeParams({ module: 'kmodkit_test', cmdline });
      expect(outputs[i]!.insmod, JSON.stringify(cmdline)).toBe(`insmod ${path} ${params.options}\n`);
    });
  });
});

describe.skipIf(skip)('modprobe.d options = kmod 30', () => {
  const hostCmdline = readFileSync('/proc/cmdline', 'utf8').replace(/\n$/, '');
  const hostOptions = optionsLines(modprobe(['-c', '-C', '/dev/null']));

  test('the kernel command line yields the options kmod reads from /proc/cmdline', () => {
    const ours = cmdlineModuleOptions(hostCmdline).options.map((o) => `options ${o.module} ${o.options}`);
    expect(ours).toEqual(hostOptions);
  });

  test('options lines of generated modprobe.d files read as kmod reads them', () => {
    const files = fc.sample(FILE, { numRuns: 200, seed: SEED });
    files.forEach((text, i) => {
      const path = join(work, `gen-${i}.conf`);
      writeFileSync(path, text);
      const kmod = optionsLines(modprobe(['-c', '-C', path]));
      const ours = parseModprobeOptions(text).map((o) => `options ${o.module} ${o.options}`);
      expect([...ours, ...hostOptions], JSON.stringify(text)).toEqual(kmod);
    });
  });

  test('config, command line and modprobe arguments merge into the exact insmod parameter string', () => {
    const kver = KVER;
    const dir = join(moduleTree(), 'lib/modules', kver);
    const extra = fc.array(fc.constantFrom('k=l m', 'z=1', 'q="a b"', "r='s t'", 'flag', 'v=a\tb', 'e='), {
      maxLength: 3,
    });
    const cases = fc.sample(fc.tuple(fc.array(FILE, { minLength: 1, maxLength: 2 }), extra), {
      numRuns: 60,
      seed: SEED,
    });
    cases.forEach(([files, args], i) => {
      const confDir = join(work, `conf-${i}`);
      mkdirSync(confDir);
      files.forEach((text, j) => {
        writeFileSync(join(confDir, `${j}.conf`), text);
      });
      const line = modprobe([
        '-d',
        join(work, 'root'),
        '-S',
        kver,
        '-C',
        confDir,
        '-n',
        '-v',
        'kmodkit_test',
        ...args,
      ]);
      const ours = modprobeParams({
        module: 'kmodkit_test',
        config: files,
        cmdline: hostCmdline,
        extra: args,
      });
      expect(line, JSON.stringify({ files, args })).toBe(
        `insmod ${join(dir, 'kmodkit_test.ko')} ${ours.options}\n`,
      );
    });
  });
});
