/**
 * `kmodkit modinfo` against the real thing: Debian 12's kmod 30 `modinfo` and the built
 * `bin/kmodkit.js` run over the same arguments, and their stdout, stderr and exit status must be
 * byte-identical — on the fixture modules (plain, compressed, signed, stripped, and patched copies),
 * every option, the error cases, all 4023 modules of Debian's 6.1 amd64 image (plain and compressed),
 * the modules of five more architectures, and names looked up in a depmod'ed copy of the tree.
 *
 * Corpus tests skip when KMODKIT_SKIP_CORPUS=1. kmod must be installed (`apt-get install kmod`); in
 * CI its absence is a failure, elsewhere the suite skips.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { difference, type Run } from './compare.js';
import { fetchCorpus, modulesUnder, skipCorpus } from './corpus.js';
import { KMODKIT_BIN } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const bin = KMODKIT_BIN;
const fixtures = join(repo, 'fixtures/modules');

const kmod = ['/usr/sbin/modinfo', '/sbin/modinfo', '/usr/bin/modinfo'].find((p) => existsSync(p));
if (kmod === undefined && process.env.CI) throw new Error('kmod is not installed: apt-get install kmod');

/** kmod's modinfo, called `modinfo` (its messages start with argv[0]). */
function runKmod(args: readonly string[], cwd = repo): Run {
  const r = spawnSync('modinfo', args, {
    cwd,
    maxBuffer: 1 << 30,
    env: { ...process.env, PATH: `${dirname(kmod!)}:${process.env.PATH}` },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function runOurs(args: readonly string[], cwd = repo): Run {
  const r = spawnSync(process.execPath, [bin, 'modinfo', ...args], { cwd, maxBuffer: 1 << 30 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Runs both tools over `args` and requires identical results; returns the run. */
function same(args: readonly string[], cwd = repo): Run {
  const expected = runKmod(args, cwd);
  const actual = runOurs(args, cwd);
  const problem = difference(expected, actual);
  expect(problem, `modinfo ${args.join(' ')}`).toBe('');
  return actual;
}

/**
 * Runs both tools over `files` in batches (one process per batch per tool, as modinfo takes many
 * files) and requires identical output. On a difference, finds the first file that differs on its
 * own and shows its diff.
 */
function sameOverFiles(options: readonly string[], files: readonly string[], batch = 1000): void {
  for (let i = 0; i < files.length; i += batch) {
    const slice = files.slice(i, i + batch);
    const expected = runKmod([...options, ...slice]);
    const actual = runOurs([...options, ...slice]);
    if (difference(expected, actual) === '') continue;
    for (const file of slice) {
      const problem = difference(runKmod([...options, file]), runOurs([...options, file]));
      if (problem !== '')
        expect.fail(`modinfo ${options.join(' ')} ${file}: first file that differs\n${problem}`);
    }
    expect.fail(
      `modinfo ${options.join(' ')} over files ${i}..${i + slice.length}: differs, but no single file does\n${difference(expected, actual)}`,
    );
  }
}

function compressedCopies(tree: string, kind: 'xz' | 'zst', nth: number): string {
  const r = spawnSync('bash', [join(here, '../bench/compressed-copies.sh'), tree, kind, String(nth)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`compressed-copies.sh ${tree} ${kind} failed`);
  return r.stdout.trim();
}

const FIXTURES = [
  'kmodkit_test.ko',
  'kmodkit_test.ko.xz',
  'kmodkit_test.ko.zst',
  'kmodkit_test-signed.ko',
  'kmodkit_test-stripped.ko',
  'kmodkit_dep.ko',
].map((f) => join(fixtures, f));

/** Every option modinfo has that selects or shapes output, alone and combined. */
const OPTION_SETS = [
  [],
  ['-0'],
  ['-a'],
  ['-d'],
  ['-l'],
  ['-p'],
  ['-n'],
  ['-0', '-p'],
  ['-0', '-n'],
  ['-F', 'signer'],
  ['-F', 'signature'],
  ['-F', 'sig_key'],
  ['-F', 'sig_id'],
  ['-F', 'sig_hashalgo'],
  ['-F', 'parm'],
  ['-F', 'parmtype'],
  ['-F', 'alias'],
  ['-F', 'author'],
  ['-F', 'name'],
  ['-F', 'vermagic'],
  ['-F', 'depends'],
  ['-F', 'filename'],
  ['-F', 'nothere'],
  ['-0', '-F', 'alias'],
  ['-0', '-F', 'signature'],
  ['-Fdescription'],
  ['--field=license'],
  ['--field', 'srcversion'],
  ['--fie=version'],
  ['-ad'],
  ['-F', 'author', '-l'],
];

describe.skipIf(kmod === undefined)('kmodkit modinfo is byte-identical to kmod 30 modinfo', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'kmodkit-conformance-'));
  });

  describe('fixture modules', () => {
    test.each(FIXTURES.map((f) => [relative(repo, f), f]))('%s', (_, file) => {
      same([file]);
    });

    test.each(OPTION_SETS.map((o) => [o.join(' ') || '(no option)', o]))(
      'all fixtures with %s',
      (_, options) => {
        same([...options, ...FIXTURES]);
      },
    );

    test('relative paths keep their ./ and ../ in filename:', () => {
      same(['./kmodkit_dep.ko', '../modules/kmodkit_test.ko', 'kmodkit_test.ko.xz'], fixtures);
    });

    test('a module and its compressed copies in one call, and one file twice', () => {
      same([FIXTURES[0]!, FIXTURES[1]!, FIXTURES[2]!, FIXTURES[0]!]);
    });

    test('.ko.gz: Debian builds kmod without zlib, kmodkit reads it like kmod built with zlib', () => {
      const gz = join(fixtures, 'kmodkit_test.ko.gz');
      const kmodRun = runKmod([gz]);
      expect(kmodRun.status).toBe(1);
      expect(kmodRun.stderr.toString()).toBe(`modinfo: ERROR: Module ${gz} not found.\n`);
      const plain = runKmod([FIXTURES[0]!]).stdout.toString();
      const ours = runOurs([gz]);
      expect(ours.status).toBe(0);
      expect(ours.stdout.toString()).toBe(plain.replace(FIXTURES[0]!, gz));
    });
  });

  describe('modules patched to hit kmod’s corner cases', () => {
    /** A copy of kmodkit_test.ko with `from` replaced by `to` (same length) in its .modinfo. */
    function patched(name: string, from: string, to: string): string {
      expect(to.length).toBe(from.length);
      const bytes = readFileSync(FIXTURES[0]!);
      const at = bytes.indexOf(Buffer.from(from));
      expect(at).toBeGreaterThan(0);
      bytes.write(to, at, 'latin1');
      const file = join(scratch, name);
      writeFileSync(file, bytes);
      return file;
    }

    test.each([
      [
        'a key longer than 15 characters',
        'kmodkit_note=custom modinfo entry',
        'kmodkit_note_custom_modinfo=entry',
      ],
      [
        'a key of exactly 15 characters',
        'kmodkit_note=custom modinfo entry',
        'kmodkit_note_cu=tom modinfo entry',
      ],
      [
        'a key of exactly 16 characters',
        'kmodkit_note=custom modinfo entry',
        'kmodkit_note_cus=om modinfo entry',
      ],
      ['a string without =', 'kmodkit_note=custom modinfo entry', 'kmodkit_note_custom_modinfo_entry'],
      ['a value with a second =', 'kmodkit_note=custom modinfo entry', 'kmodkit_note=custom=modinfo entry'],
      ['a parm without :', 'parm=p_byte:A byte', 'parm=p_byte_A byte'],
      ['a parmtype without :', 'parmtype=p_short:short', 'parmtype=p_short_short'],
      ['an empty key', 'kmodkit_note=custom modinfo entry', '=kmodkit_note custom modinfo entr'],
      ['a non-UTF-8 value', 'kmodkit_note=custom modinfo entry', 'kmodkit_note=cust\xf6m modinfo entry'],
    ])('%s', (name, from, to) => {
      const file = patched(`${name.replaceAll(' ', '_')}.ko`, from, to);
      for (const options of [[], ['-0'], ['-p'], ['-F', 'kmodkit_note']]) same([...options, file]);
    });
  });

  describe('signature trailers kmod reads by its own rules (libkmod-signature.c)', () => {
    /** The signed fixture with bytes of `struct module_signature` (12 bytes before the magic) replaced. */
    function trailer(name: string, fields: Record<number, number>): string {
      const bytes = Buffer.from(readFileSync(FIXTURES[3]!));
      const ms = bytes.length - 28 - 12;
      for (const [at, value] of Object.entries(fields)) bytes[ms + Number(at)] = value;
      const file = join(scratch, name);
      writeFileSync(file, bytes);
      return file;
    }

    // Field offsets: 0 algo, 1 hash, 2 id_type, 3 signer_len, 4 key_id_len, 8..11 sig_len (big-endian).
    test.each([
      ['PGP id type (fill_default: raw bytes, no PKCS#7)', { 0: 1, 1: 4, 2: 0, 3: 3, 4: 8 }],
      ['X.509 id type', { 0: 1, 1: 2, 2: 1, 3: 5, 4: 4 }],
      ['a hash number past kmod’s table: no signature fields', { 1: 9 }],
      ['an id type past the table: no signature fields', { 2: 3 }],
      ['sig_len 0: no signature fields', { 8: 0, 9: 0, 10: 0, 11: 0 }],
      ['sig_len larger than the file: no signature fields', { 8: 0x7f }],
    ])('%s', (name, fields) => {
      const file = trailer(`${name.replace(/\W+/g, '_')}.ko`, fields);
      same([file]);
      same(['-F', 'signer', file]);
    });

    // The kernel's mod_check_sig refuses a PKCS#7 trailer with non-zero algo/hash; kmod still shows it.
    test('PKCS#7 with non-zero algo and hash, which the kernel refuses and kmod shows', () => {
      same([trailer('pkcs7-params.ko', { 0: 1, 1: 4 })]);
    });
  });

  /** `bytes` compressed by zstd from a file, as `make modules_install` does: the size is in the header. */
  function zstdFile(bytes: Uint8Array): Buffer {
    const file = join(scratch, 'zstd-input');
    writeFileSync(file, bytes);
    return spawnSync('zstd', ['-q', '-c', file], { maxBuffer: 1 << 26 }).stdout;
  }

  describe('errors', () => {
    beforeAll(() => {
      const elf = readFileSync(FIXTURES[5]!);
      const xz = readFileSync(FIXTURES[1]!);
      const zst = readFileSync(FIXTURES[2]!);
      const corrupt = (b: Buffer, at: number) => {
        const c = Buffer.from(b);
        c[at]! ^= 0xff;
        return c;
      };
      const files: Record<string, Uint8Array> = {
        'empty.ko': new Uint8Array(0),
        'five.ko': elf.subarray(0, 5),
        'not-elf.ko': Buffer.from('hello world\n'),
        'ident-only.ko': elf.subarray(0, 16),
        'header-only.ko': elf.subarray(0, 64),
        'truncated.ko': elf.subarray(0, elf.length >> 1),
        'bad-class.ko': (() => {
          const c = Buffer.from(elf);
          c[4] = 3;
          return c;
        })(),
        'bad-shentsize.ko': (() => {
          const c = Buffer.from(elf);
          c.writeUInt16LE(65, 0x3a);
          return c;
        })(),
        'no-modinfo.ko': readFileSync('/bin/true'),
        'truncated.ko.xz': xz.subarray(0, xz.length >> 1),
        'corrupt.ko.xz': corrupt(xz, 100),
        'corrupt.ko.zst': corrupt(zst, 100),
        'xz-inside.ko': xz,
        'plain-inside.ko.xz': elf,
      };
      // A module followed by zeros, zstd-compressed: several 128 KiB blocks, the ELF in the first.
      const padded = Buffer.concat([readFileSync(FIXTURES[0]!), Buffer.alloc(300 * 1024)]);
      const paddedZst = spawnSync('zstd', ['-q', '-c'], { input: padded, maxBuffer: 1 << 26 }).stdout;
      Object.assign(files, {
        'truncated-early.ko.zst': zst.subarray(0, 20),
        'truncated-late.ko.zst': zst.subarray(0, zst.length - 3),
        'padded-truncated.ko.zst': paddedZst.subarray(0, Math.floor(paddedZst.length * 0.9)),
        'padded-truncated-early.ko.zst': paddedZst.subarray(0, Math.floor(paddedZst.length * 0.3)),
        // Compressed from a pipe: no content size in the frame header, so no one-shot decoding.
        'unsized.ko.zst': spawnSync('zstd', ['-q', '-c'], { input: elf, maxBuffer: 1 << 26 }).stdout,
        // xz cut inside the index or the footer, padded right and wrong, two streams, garbage after.
        'xz-cut-footer.ko.xz': xz.subarray(0, xz.length - 6),
        'xz-cut-index.ko.xz': xz.subarray(0, xz.length - 20),
        'xz-padded.ko.xz': Buffer.concat([xz, Buffer.alloc(4)]),
        'xz-bad-padding.ko.xz': Buffer.concat([xz, Buffer.alloc(3)]),
        'xz-two-streams.ko.xz': Buffer.concat([xz, xz]),
        'xz-garbage.ko.xz': Buffer.concat([xz, Buffer.from('trailing garbage\n')]),
        // A complete frame whose checksum does not match: kmod's libzstd refuses it.
        'bad-checksum.ko.zst': (() => {
          const c = Buffer.from(zst);
          c[c.length - 1] = c[c.length - 1]! ^ 0x01;
          return c;
        })(),
        // After the frame: something that is not one, and the first bytes of a magic number.
        'trailing-garbage.ko.zst': Buffer.concat([zst, Buffer.from('trailing garbage\n')]),
        'trailing-magic.ko.zst': Buffer.concat([zst, Buffer.from([0x28, 0xb5])]),
        // Two frames, each with its content size: the one-shot decoders stop at the first.
        'two-frames.ko.zst': Buffer.concat([
          zstdFile(elf.subarray(0, elf.length >> 1)),
          zstdFile(elf.subarray(elf.length >> 1)),
        ]),
      });
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(scratch, name), bytes);
      mkdirSync(join(scratch, 'dir.ko'), { recursive: true });
    });

    test.each([
      'empty.ko',
      'five.ko',
      'not-elf.ko',
      'ident-only.ko',
      'header-only.ko',
      'truncated.ko',
      'bad-class.ko',
      'bad-shentsize.ko',
      'no-modinfo.ko',
      'truncated.ko.xz',
      'corrupt.ko.xz',
      'corrupt.ko.zst',
      'truncated-early.ko.zst',
      'truncated-late.ko.zst',
      'padded-truncated.ko.zst',
      'padded-truncated-early.ko.zst',
      'unsized.ko.zst',
      'two-frames.ko.zst',
      'xz-cut-footer.ko.xz',
      'xz-cut-index.ko.xz',
      'xz-padded.ko.xz',
      'xz-bad-padding.ko.xz',
      'xz-two-streams.ko.xz',
      'xz-garbage.ko.xz',
      'bad-checksum.ko.zst',
      'trailing-garbage.ko.zst',
      'trailing-magic.ko.zst',
      'xz-inside.ko',
      'plain-inside.ko.xz',
      'dir.ko',
      'missing.ko',
    ])('%s', (name) => {
      const file = join(scratch, name);
      same([file]);
      same(['-n', file]);
      same(['-F', 'name', file]);
    });

    describe('paths that stat or open refuse, and big files that are not ELF', () => {
      const long = `${'a'.repeat(300)}.ko`;
      beforeAll(() => {
        const dir = join(scratch, 'paths');
        mkdirSync(dir, { recursive: true });
        symlinkSync('loop-b.ko', join(dir, 'loop-a.ko'));
        symlinkSync('loop-a.ko', join(dir, 'loop-b.ko'));
        symlinkSync('nowhere.ko', join(dir, 'dangling.ko'));
        writeFileSync(join(dir, 'file.ko'), 'not a directory\n');
        // 1 GiB that is not ELF, sparse so the test writes 8 bytes.
        writeFileSync(join(dir, 'big.ko'), 'garbage!');
        truncateSync(join(dir, 'big.ko'), 1 << 30);
        // A module whose name is not UTF-8 (Latin-1 "café.ko").
        copyFileSync(
          FIXTURES[5]!,
          Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('caf\xe9.ko', 'latin1')]),
        );
      });

      // ELOOP, ENOTDIR, ENOENT through a dangling link, ENAMETOOLONG: kmod looks the operand up as a name.
      test.each(['loop-a.ko', 'file.ko/x.ko', 'dangling.ko', long, 'big.ko'])('%s', (name) => {
        same([name], join(scratch, 'paths'));
        same(['-F', 'name', name, 'loop-b.ko'], join(scratch, 'paths'));
      });

      test('a name that is not UTF-8 is opened by its bytes, and printed as them', () => {
        // Node cannot pass such an argument itself: bash makes it from printf.
        const words = '"$(printf \'caf\\351.ko\')" "$(printf \'nof\\351.ko\')"';
        const cwd = join(scratch, 'paths');
        const k = spawnSync('bash', ['-c', `exec "$0" ${words}`, kmod!], { cwd });
        const o = spawnSync('bash', ['-c', `exec "$0" "$1" modinfo ${words}`, process.execPath, bin], {
          cwd,
        });
        const expected = { stdout: k.stdout, stderr: k.stderr, status: k.status };
        expect(expected.stdout.includes(Buffer.from('caf\xe9.ko', 'latin1'))).toBe(true);
        expect(difference(expected, { stdout: o.stdout, stderr: o.stderr, status: o.status })).toBe('');
      });
    });

    test('a bad file among good ones: the others are still shown, exit status 1', () => {
      const run = same([FIXTURES[0]!, join(scratch, 'not-elf.ko'), FIXTURES[5]!]);
      expect(run.status).toBe(1);
    });

    test.each([
      [[]],
      [['-x']],
      [['-ax', 'x.ko']],
      [['--bogus']],
      [['--bogus=3']],
      [['-F']],
      [['--field']],
      [['-k']],
      [['-b']],
      [['--version=3']],
      [['--author=']],
      [['--f', 'x']],
      [['--f=x']],
      [['-m']],
      [['-0']],
      [['--', '-x']],
      [['-']],
      [['nosuchmodule']],
      [['-m', 'nosuchmodule']],
      [['bad]alias']],
      [['-b', '/nonexistent', 'ext4']],
      [['-k', '0.0.0-none', 'ext4']],
      [['-x', '-h']],
    ])('modinfo %j', (args) => {
      same(args);
    });

    test.each([[['--help']], [['-h', '-x']], [['-0', '-h']]])(
      'modinfo %j: kmod’s help plus the --json line and the examples',
      (args) => {
        const expected = runKmod(args);
        const ours = runOurs(args);
        expect(ours.status).toBe(expected.status);
        expect(
          ours.stdout
            .toString()
            .replace(/\t {4}--json[^\n]*\n/, '')
            .replace(/\nExamples:\n[\s\S]*$/, ''),
        ).toBe(expected.stdout.toString());
      },
    );
  });

  describe.skipIf(skipCorpus)('Debian 6.1 corpus', () => {
    let amd64: string;
    let files: string[];
    beforeAll(() => {
      [amd64] = fetchCorpus('amd64') as [string];
      files = modulesUnder(amd64);
    });

    test('all amd64 modules', () => {
      expect(files.length).toBeGreaterThan(4000);
      sameOverFiles([], files);
    });

    test.each([
      ['-0'],
      ['-p'],
      ['-F', 'signer'],
      ['-F', 'signature'],
      ['-a'],
      ['-d'],
      ['-l'],
      ['-n'],
      ['-F', 'alias'],
    ])('all amd64 modules with %s', (...options) => {
      sameOverFiles(options, files);
    });

    test.each([['xz'], ['zst']] as const)('every 8th amd64 module as .ko.%s', (kind) => {
      const dir = compressedCopies(amd64, kind, 8);
      const copies = modulesUnder(dir, `.ko.${kind}`);
      expect(copies.length).toBeGreaterThan(500);
      sameOverFiles([], copies);
    });

    test.each([['arm64'], ['armhf'], ['i386'], ['s390x'], ['ppc64el']])('all %s modules', (arch) => {
      const [tree] = fetchCorpus(arch) as [string];
      const mods = modulesUnder(tree);
      expect(mods.length).toBeGreaterThan(2000);
      sameOverFiles([], mods);
    });

    test.each([
      ['riscv64', 'Debian 13, a 6.12 kernel'],
      ['loong64', 'Debian 14, a 7.x kernel'],
    ])('all %s modules (%s, shipped as .ko.xz)', (arch) => {
      const [tree] = fetchCorpus(arch) as [string];
      const mods = modulesUnder(tree, '.ko.xz');
      expect(mods.length).toBeGreaterThan(2000);
      sameOverFiles([], mods);
    });

    describe('names and aliases looked up in a depmod’ed tree (-b/-k)', () => {
      let root: string;
      let version: string;
      beforeAll(() => {
        version = amd64.split('/').pop()!;
        root = join(scratch, 'root');
        const dest = join(root, 'lib/modules', version);
        mkdirSync(join(root, 'lib/modules'), { recursive: true });
        // Hard links: depmod only reads the modules; the tree stays untouched.
        const cp = spawnSync('cp', ['-al', amd64, dest]);
        if (cp.status !== 0) {
          for (const name of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
            mkdirSync(dest, { recursive: true });
            copyFileSync(join(amd64, name), join(dest, name));
          }
        }
        const depmod = spawnSync(join(dirname(kmod!), 'depmod'), ['-b', root, version]);
        if (depmod.status !== 0) throw new Error(`depmod failed: ${depmod.stderr}`);
      });

      const names = () => files.filter((_, i) => i % 7 === 0).map((f) => f.slice(f.lastIndexOf('/') + 1, -3));

      test('module names (every 7th module), full output', () => {
        same(['-b', root, '-k', version, ...names()]);
      });

      test('module names with -m and -n', () => {
        same(['-b', root, '-k', version, '-m', '-n', ...names()]);
      });

      test('device aliases made from every 40th modules.alias pattern (several modules may answer, duplicates kept)', () => {
        const patterns = readFileSync(join(root, 'lib/modules', version, 'modules.alias'), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('alias '))
          .filter((_, i) => i % 40 === 0)
          .map((l) => l.split(' ')[1]!);
        // A concrete alias each pattern matches: wildcards dropped, a bracket's first member taken.
        const aliases = patterns.map((p) =>
          p
            .replaceAll('*', '')
            .replace(/\[(.)[^\]]*\]/g, '$1')
            .replaceAll('?', 'x'),
        );
        expect(aliases.length).toBeGreaterThan(500);
        same(['-b', root, '-k', version, '-F', 'name', ...aliases]);
        same(['-b', root, '-k', version, '-n', ...aliases.slice(0, 100)]);
      });

      test('built-in modules, aliases, symbols and misses', () => {
        const builtin = readFileSync(join(amd64, 'modules.builtin'), 'utf8')
          .trim()
          .split('\n')
          .filter((_, i) => i % 5 === 0)
          .map((p) => p.slice(p.lastIndexOf('/') + 1, -3));
        const aliases = [
          'fs-vfat',
          'char-major-10-229',
          'pci:v00008086d000010D3sv00000000sd00000000bc02sc00i00',
          'cpu-amd-uncore',
          'nosuch',
          'symbol:nosuch',
        ];
        for (const extra of [[], ['-m'], ['-0'], ['-p'], ['-F', 'description'], ['-F', 'name'], ['-n']]) {
          same(['-b', root, '-k', version, ...extra, ...builtin, ...aliases]);
        }
      });
    });
  });
});
