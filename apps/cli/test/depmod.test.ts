/**
 * `kmodkit depmod` against Debian 12's kmod 30 depmod on the same trees: every index file byte for
 * byte, stdout, stderr (with each root's path replaced by ROOT) and the exit status. Trees: the
 * fixture modules (plain, and edited with binutils into a dependency cycle and a weak dependency),
 * Debian's whole amd64 tree and the trees of the other architectures, compressed copies (.ko.xz,
 * .ko.zst, .ko.gz), depmod.d configurations, Module.symvers and System.map for -e.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fetchCorpus, modulesUnder, skipCorpus } from './corpus.js';
import {
  HAVE_KMOD,
  INDEX_FILES,
  indexes,
  makeRoots,
  normalized,
  type Roots,
  runKmod,
  runKmodkit,
  type TreeSpec,
} from './depmod-tree.js';
import { KMODKIT_BIN, runBin } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Module.symvers of the headers scripts/test.sh installs: the ABI scripts/kernel-abi.sh resolves. */
const kernelSymvers = () => {
  const abi = execFileSync(join(here, '../../../scripts/kernel-abi.sh'), ['image'], {
    encoding: 'utf8',
  }).trim();
  return `/usr/src/linux-headers-${abi}-amd64/Module.symvers`;
};
const fixtures = join(here, '../../../fixtures/modules');
const VERSION = '6.1.0-1-test';
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * Both depmods on two copies of `spec` with `args` (after `-b ROOT`, or made from each root); everything
 * they print and write must be the same.
 */
async function expectSameAsKmod(
  spec: TreeSpec,
  argsOf: readonly string[] | ((root: string) => string[]) = [spec.version],
): Promise<Roots> {
  const roots = makeRoots(spec);
  made.push(roots.base);
  const own = typeof argsOf === 'function';
  const args = own ? [] : argsOf;
  const kmod = normalized(runKmod(roots, own ? argsOf(roots.kmod) : args, own), roots.kmod);
  const mine = normalized(await runKmodkit(roots, own ? argsOf(roots.kmodkit) : args, own), roots.kmodkit);
  expect(mine).toEqual(kmod);
  const theirs = indexes(roots.kmod, roots.version);
  const ours = indexes(roots.kmodkit, roots.version);
  const weakdep = ours.get('modules.weakdep');
  ours.delete('modules.weakdep');
  expect([...ours.keys()]).toEqual([...theirs.keys()]);
  for (const [name, bytes] of theirs) expect(ours.get(name)!.equals(bytes), name).toBe(true);
  // kmod 33 writes modules.weakdep always; with no MODULE_WEAKDEP anywhere it is the header alone.
  if (kmod.status === 0 && !args.includes('-n') && theirs.size > 0) {
    expect(weakdep?.toString()).toBe('# Weak dependencies extracted from modules themselves.\n');
  }
  return roots;
}

const fixtureModules = {
  'kernel/kmodkit/kmodkit_test.ko': join(fixtures, 'kmodkit_test.ko'),
  'kernel/kmodkit/kmodkit_dep.ko': join(fixtures, 'kmodkit_dep.ko'),
};

describe.skipIf(!HAVE_KMOD)('kmodkit depmod = kmod 30 depmod: the fixture modules', () => {
  test('no modules.order, modules.builtin or modules.builtin.modinfo (kmod warns, writes empty builtin indexes)', async () => {
    await expectSameAsKmod({ version: VERSION, modules: fixtureModules });
  });

  test('modules.order, modules.builtin and modules.builtin.modinfo', async () => {
    await expectSameAsKmod({
      version: VERSION,
      modules: fixtureModules,
      files: {
        'modules.order': 'kernel/kmodkit/kmodkit_dep.ko\nkernel/kmodkit/kmodkit_test.ko\n',
        'modules.builtin': 'kernel/fs/ext4/ext4.ko\nkernel/crypto/crc32c_generic.ko\nnot a path\n',
        'modules.builtin.modinfo':
          'ext4.alias=fs-ext4\0ext4.alias=ext3\0ext4.license=GPL\0crc32c_generic.alias=crypto-crc32c\0' +
          'bad.alias=x[y\0nodot=1\0crc32c_generic.alias=crypto-crc32c-generic',
      },
    });
  });

  test('a modules.order line without its newline voids the order', async () => {
    await expectSameAsKmod({
      version: VERSION,
      modules: fixtureModules,
      files: { 'modules.order': 'kernel/kmodkit/kmodkit_dep.ko\nkernel/kmodkit/kmodkit_test.ko' },
    });
  });

  test('-n prints the text files; -v prints each dependency; -w; -P', async () => {
    for (const args of [
      ['-n', VERSION],
      ['-v', VERSION],
      ['-n', '-v', '-w', VERSION],
      ['--dry-run', VERSION],
      // A symbol prefix, stripped from exports and imports alike (kmodkit_test_add → modkit_test_add).
      ['-P', 'k', VERSION],
      ['-n', '-P', '_', VERSION],
    ]) {
      await expectSameAsKmod({ version: VERSION, modules: fixtureModules }, args);
    }
  });

  test('the compressed fixtures (.ko.xz, .ko.zst) next to plain ones', async () => {
    await expectSameAsKmod({
      version: VERSION,
      modules: {
        'kernel/a/kmodkit_test.ko.xz': join(fixtures, 'kmodkit_test.ko.xz'),
        'kernel/b/kmodkit_dep.ko': join(fixtures, 'kmodkit_dep.ko'),
        'kernel/c/kmodkit_test.ko.zst': join(fixtures, 'kmodkit_test.ko.zst'),
      },
    });
  });

  test('files named on the command line', async () => {
    const roots = makeRoots({ version: VERSION, modules: fixtureModules });
    made.push(roots.base);
    const file = (root: string) => join(root, 'lib/modules', VERSION, 'kernel/kmodkit/kmodkit_dep.ko');
    const kmod = normalized(runKmod(roots, [VERSION, file(roots.kmod)]), roots.kmod);
    const mine = normalized(await runKmodkit(roots, [VERSION, file(roots.kmodkit)]), roots.kmodkit);
    expect(mine).toEqual(kmod);
    expect(indexes(roots.kmodkit, VERSION).get('modules.dep')).toEqual(
      indexes(roots.kmod, VERSION).get('modules.dep'),
    );
  });

  test('bad command lines: version, -P, relative file, missing file, missing tree, unknown option', async () => {
    const cases = [
      ['notaversion'],
      ['-P', 'ab', VERSION],
      [VERSION, 'relative.ko'],
      [VERSION, '/nonexistent/x.ko'],
      ['9.9.9-missing'],
      ['-Z', VERSION],
      ['--frobnicate', VERSION],
      ['-E', '/nonexistent/Module.symvers', VERSION],
      ['-F', '/nonexistent/System.map', VERSION],
      ['-e', VERSION],
      ['-u', '-q', '-r', '-m', VERSION],
      ['-A', '-n', VERSION],
    ];
    for (const args of cases) await expectSameAsKmod({ version: VERSION, modules: fixtureModules }, args);
  });

  test("broken module files, a FIFO and a dangling symlink: kmod's errors, still listed", async () => {
    const test = readFileSync(join(fixtures, 'kmodkit_test.ko'));
    const badShentsize = Buffer.from(test);
    badShentsize[0x3a] = 0x99;
    const roots = makeRoots({
      version: VERSION,
      modules: { 'kernel/kmodkit_dep.ko': join(fixtures, 'kmodkit_dep.ko') },
      files: {
        'kernel/empty.ko': '',
        'kernel/tiny.ko': test.subarray(0, 20),
        'kernel/text.ko': 'hello, not an ELF file\n',
        'kernel/cut.ko': test.subarray(0, 1000),
        'kernel/shentsize.ko': badShentsize,
        'kernel/cut.ko.xz': readFileSync(join(fixtures, 'kmodkit_test.ko.xz')).subarray(0, 3000),
        'kernel/garbage.ko.zst': Buffer.concat([
          Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xc1, 0x3c]),
          Buffer.alloc(64, 0xa5),
        ]),
      },
    });
    made.push(roots.base);
    for (const root of [roots.kmod, roots.kmodkit]) {
      const dir = join(root, 'lib/modules', VERSION, 'kernel');
      mkdirSync(join(dir, 'fifo'));
      execFileSync('mkfifo', [join(dir, 'fifo/x.ko')]);
      symlinkSync('/nonexistent/kmodkit', join(dir, 'dangling.ko'));
    }
    const kmod = normalized(runKmod(roots, [VERSION]), roots.kmod);
    expect(kmod.stderr).toMatch(/failed to load symbols from .*text\.ko: Exec format error/);
    expect(normalized(await runKmodkit(roots, [VERSION]), roots.kmodkit)).toEqual(kmod);
    const theirs = indexes(roots.kmod, VERSION);
    const ours = indexes(roots.kmodkit, VERSION);
    for (const [name, bytes] of theirs) expect(ours.get(name)!.equals(bytes), name).toBe(true);
    // -A walks the same tree with its own messages.
    for (const root of [roots.kmod, roots.kmodkit]) {
      utimesSync(join(root, 'lib/modules', VERSION, 'modules.dep'), new Date(), new Date('2000-01-01'));
    }
    expect(normalized(await runKmodkit(roots, ['-A', VERSION]), roots.kmodkit)).toEqual(
      normalized(runKmod(roots, ['-A', VERSION]), roots.kmod),
    );
  });

  test('a dependency cycle: reported as kmod reports it, nothing written, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmodkit-cycle-'));
    made.push(dir);
    writeFileSync(
      join(dir, 'ref.c'),
      'extern int kmodkit_dep_back(void);\nint kmodkit_ref(void) { return kmodkit_dep_back(); }\n',
    );
    execFileSync('gcc', ['-c', '-O2', join(dir, 'ref.c'), '-o', join(dir, 'ref.o')]);
    // kmodkit_test now needs a symbol that kmodkit_dep (which needs kmodkit_test) exports.
    execFileSync('ld', [
      '-r',
      join(fixtures, 'kmodkit_test.ko'),
      join(dir, 'ref.o'),
      '-o',
      join(dir, 'kmodkit_test.ko'),
    ]);
    execFileSync('objcopy', [
      '--add-symbol',
      '__crc_kmodkit_dep_back=0x12345678',
      join(fixtures, 'kmodkit_dep.ko'),
      join(dir, 'kmodkit_dep.ko'),
    ]);
    const roots = await expectSameAsKmod({
      version: VERSION,
      modules: {
        'kernel/kmodkit_test.ko': join(dir, 'kmodkit_test.ko'),
        'kernel/kmodkit_dep.ko': join(dir, 'kmodkit_dep.ko'),
        'kernel/other/kmodkit_dep2.ko': join(fixtures, 'kmodkit_dep.ko'),
      },
    });
    expect(existsSync(join(roots.kmodkit, 'lib/modules', VERSION, 'modules.dep'))).toBe(false);
  });
});

describe.skipIf(!HAVE_KMOD)('kmodkit depmod: weakdep (kmod 33)', () => {
  test('modules.weakdep as kmod 33 writes it; the kmod 30 files as kmod 30 writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmodkit-weakdep-'));
    made.push(dir);
    const section = join(dir, 'modinfo');
    execFileSync('objcopy', [
      '-O',
      'binary',
      '--only-section=.modinfo',
      join(fixtures, 'kmodkit_dep.ko'),
      section,
    ]);
    writeFileSync(
      section,
      Buffer.concat([readFileSync(section), Buffer.from('weakdep=kmodkit_test\0weakdep=crc32c\0')]),
    );
    execFileSync('objcopy', [
      `--update-section=.modinfo=${section}`,
      join(fixtures, 'kmodkit_dep.ko'),
      join(dir, 'kmodkit_dep.ko'),
    ]);
    const spec: TreeSpec = {
      version: VERSION,
      modules: {
        'kernel/kmodkit_test.ko': join(fixtures, 'kmodkit_test.ko'),
        'kernel/kmodkit_dep.ko': join(dir, 'kmodkit_dep.ko'),
      },
    };
    const roots = makeRoots(spec);
    made.push(roots.base);
    expect(normalized(await runKmodkit(roots, [VERSION]), roots.kmodkit)).toEqual(
      normalized(runKmod(roots, [VERSION]), roots.kmod),
    );
    const ours = indexes(roots.kmodkit, VERSION);
    const theirs = indexes(roots.kmod, VERSION);
    for (const name of INDEX_FILES) expect(ours.get(name)!.equals(theirs.get(name)!), name).toBe(true);
    // tools/depmod.c (v33): output_weakdeps.
    expect(ours.get('modules.weakdep')!.toString()).toBe(
      '# Weak dependencies extracted from modules themselves.\n' +
        'weakdep kmodkit_dep kmodkit_test\n' +
        'weakdep kmodkit_dep crc32c\n',
    );
    // On stdout (-n) the block follows modules.softdep, as kmod 33's file order has it.
    const shown = await runKmodkit(roots, ['-n', VERSION]);
    expect(shown.stdout).toMatch(
      /# Soft dependencies[^#]*# Weak dependencies extracted from modules themselves\.\nweakdep kmodkit_dep kmodkit_test\n[^#]*# Aliases for symbols/,
    );
  });
});

describe.skipIf(!HAVE_KMOD)('kmodkit depmod: depmod.d (-C)', () => {
  let external = '';
  beforeAll(() => {
    external = mkdtempSync(join(tmpdir(), 'kmodkit-external-'));
    mkdirSync(join(external, 'sub'));
    made.push(external);
    writeFileSync(join(external, 'sub/kmodkit_test.ko'), readFileSync(join(fixtures, 'kmodkit_test.ko')));
  });
  const tree = (conf: Record<string, string>): TreeSpec => ({
    version: VERSION,
    modules: {
      'kernel/kmodkit/kmodkit_test.ko': join(fixtures, 'kmodkit_test.ko'),
      'kernel/kmodkit/kmodkit_dep.ko': join(fixtures, 'kmodkit_dep.ko'),
      'updates/kmodkit_test.ko': join(fixtures, 'kmodkit_test-stripped.ko'),
      'extra/kmodkit_test.ko.xz': join(fixtures, 'kmodkit_test.ko.xz'),
      'extra/deeper/kmodkit_dep.ko': join(fixtures, 'kmodkit_dep.ko'),
      'build/kmodkit_x.ko': join(fixtures, 'kmodkit_dep.ko'),
      'skipme/kmodkit_y.ko': join(fixtures, 'kmodkit_dep.ko'),
    },
    files: Object.fromEntries(
      Object.entries(conf).map(([name, text]) => [`../../../depmod.d/${name}`, text]),
    ),
  });
  const cases: [string, Record<string, string>][] = [
    ['no file: search updates', {}],
    ['search order', { 'a.conf': 'search extra built-in updates\n' }],
    [
      'search split over files and lines',
      { 'b.conf': 'search updates\n', 'a.conf': 'search extra\nsearch built-in\n' },
    ],
    [
      'override',
      { 'o.conf': 'override kmodkit_test * extra\noverride kmodkit_dep 6\\.1\\..* extra/deeper\n' },
    ],
    ['override for another kernel', { 'o.conf': 'override kmodkit_test 5.10.* extra\n' }],
    ['exclude', { 'e.conf': 'exclude skipme extra\n' }],
    [
      'bad lines, comments, continuations',
      {
        'x.conf':
          '# comment\n\nfrobnicate a b\noverride x\nsearch \\\n  extra updates\n  # not a comment\ninclude foo\nmake_map_files\n',
      },
    ],
    ['not .conf, a directory named .conf', { 'notes.txt': 'search extra\n', 'dir.conf/x': 'search extra\n' }],
  ];
  for (const [what, conf] of cases) {
    test(what, async () => {
      await expectSameAsKmod(tree(conf), (root) => ['-b', root, '-C', join(root, 'depmod.d'), VERSION]);
    });
  }

  test('external directories, by search position; a missing one is reported', async () => {
    for (const conf of [
      `search external updates built-in\nexternal * ${external}/sub\nexternal * /nonexistent/kmodkit\n`,
      `search updates external\nexternal 6.* ${external}/sub\n`,
      `external * ${external}\n`,
    ]) {
      await expectSameAsKmod(tree({ 'ext.conf': conf }), (root) => [
        '-b',
        root,
        '-C',
        join(root, 'depmod.d/ext.conf'),
        VERSION,
      ]);
    }
  });
});

describe.skipIf(!HAVE_KMOD)('kmodkit depmod -A', () => {
  test('up to date: nothing done; a newer module: everything redone', async () => {
    const roots = await expectSameAsKmod({ version: VERSION, modules: fixtureModules });
    const dep = (root: string) => join(root, 'lib/modules', VERSION, 'modules.dep');
    const before = statSync(dep(roots.kmodkit)).mtimeMs;
    for (const root of [roots.kmod, roots.kmodkit])
      utimesSync(dep(root), new Date(), new Date(Date.now() + 10_000));
    const stamp = statSync(dep(roots.kmodkit)).mtimeMs;
    expect(normalized(await runKmodkit(roots, ['-A', VERSION]), roots.kmodkit)).toEqual(
      normalized(runKmod(roots, ['-A', VERSION]), roots.kmod),
    );
    expect(statSync(dep(roots.kmodkit)).mtimeMs).toBe(stamp);
    expect(stamp).not.toBe(before);
    // A module newer than modules.dep (kmod compares whole seconds).
    for (const root of [roots.kmod, roots.kmodkit]) utimesSync(dep(root), new Date(), new Date('2000-01-01'));
    expect(normalized(await runKmodkit(roots, ['-A', VERSION]), roots.kmodkit)).toEqual(
      normalized(runKmod(roots, ['-A', VERSION]), roots.kmod),
    );
    expect(statSync(dep(roots.kmodkit)).mtimeMs).toBeGreaterThan(Date.now() - 5_000);
    // No modules.dep at all: kmod reports it and does the work.
    for (const root of [roots.kmod, roots.kmodkit]) rmSync(dep(root));
    expect(normalized(await runKmodkit(roots, ['-A', VERSION]), roots.kmodkit)).toEqual(
      normalized(runKmod(roots, ['-A', VERSION]), roots.kmod),
    );
    expect(indexes(roots.kmodkit, VERSION).get('modules.dep')).toEqual(
      indexes(roots.kmod, VERSION).get('modules.dep'),
    );
  });
});

describe.skipIf(!HAVE_KMOD || skipCorpus)("kmodkit depmod = kmod 30 depmod: Debian's trees", () => {
  const ARCHES = ['amd64', 'arm64', 'i386', 'ppc64el', 's390x', 'armhf', 'mips64el', 'riscv64', 'loong64'];
  let dirs: string[] = [];
  beforeAll(() => {
    dirs = fetchCorpus(...ARCHES);
  }, 1_800_000);
  const treeOf = (dir: string): TreeSpec => {
    const files: Record<string, Uint8Array> = {};
    for (const name of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
      if (existsSync(join(dir, name))) files[name] = readFileSync(join(dir, name));
    }
    return { version: dir.slice(dir.lastIndexOf('/') + 1), links: { kernel: join(dir, 'kernel') }, files };
  };

  test.each(ARCHES)('%s: the whole tree', async (arch) => {
    const dir = dirs[ARCHES.indexOf(arch)]!;
    await expectSameAsKmod(treeOf(dir), [treeOf(dir).version]);
  });

  test('amd64 with -e and a Module.symvers (some CRCs changed, some symbols left out) or a System.map', async () => {
    const dir = dirs[0]!;
    const spec = treeOf(dir);
    const symvers = readFileSync(kernelSymvers(), 'latin1')
      .split('\n')
      .filter((_line, i) => i % 97 !== 0)
      .map((line, i) =>
        i % 89 === 0 ? line.replace(/^0x([0-9a-f])/, (_m, d: string) => `0x${d === '0' ? '1' : '0'}`) : line,
      );
    symvers.splice(5, 0, 'zz12\tbroken_crc\tvmlinux\tEXPORT_SYMBOL\t', '0x1\tthree_fields\tvmlinux');
    const roots = makeRoots(spec);
    made.push(roots.base);
    const symversPath = join(roots.base, 'Module.symvers');
    writeFileSync(symversPath, symvers.join('\n'));
    const map = symvers.map((line) => `ffffffff81000000 r __ksymtab_${line.split('\t')[1]}`);
    map.push('badline', 'ffffffff81000000 T not_a_ksymtab');
    const mapPath = join(roots.base, 'System.map');
    writeFileSync(mapPath, map.join('\n'));
    for (const args of [
      ['-e', '-E', symversPath],
      ['-e', '-F', mapPath],
      ['-E', symversPath],
    ]) {
      const kmod = normalized(runKmod(roots, [...args, spec.version]), roots.kmod);
      const mine = normalized(await runKmodkit(roots, [...args, spec.version]), roots.kmodkit);
      expect(mine.stderr.split('\n').length).toBeGreaterThan(args.includes('-e') ? 2 : 0);
      expect(mine).toEqual(kmod);
      const theirs = indexes(roots.kmod, spec.version);
      const ours = indexes(roots.kmodkit, spec.version);
      for (const [name, bytes] of theirs) expect(ours.get(name)!.equals(bytes), name).toBe(true);
    }
  });

  describe('compressed copies of part of the amd64 tree', () => {
    let base = '';
    let subset: string[] = [];
    const KINDS = [
      ['xz', ['xz', '--check=crc32', '--lzma2=dict=1MiB', '-T1', '-k', '-f']],
      ['zst', ['zstd', '-q', '-k', '-f', '-19']],
      ['gz', ['gzip', '-k', '-f', '-9', '-n']],
    ] as const;
    beforeAll(() => {
      const dir = dirs[0]!;
      base = mkdtempSync(join(tmpdir(), 'kmodkit-compressed-'));
      made.push(base);
      // Networking and its drivers: about 400 modules with many dependencies between them.
      subset = modulesUnder(join(dir, 'kernel/net')).concat(
        modulesUnder(join(dir, 'kernel/drivers/net/ethernet')),
      );
      for (const file of subset) {
        const rel = file.slice(dir.length + 1);
        mkdirSync(dirname(join(base, rel)), { recursive: true });
        writeFileSync(join(base, rel), readFileSync(file));
      }
      for (const [, command] of KINDS) {
        for (let i = 0; i < subset.length; i += 100) {
          const batch = subset.slice(i, i + 100).map((f) => join(base, f.slice(dir.length + 1)));
          execFileSync(command[0], [...command.slice(1), ...batch]);
        }
      }
    }, 900_000);

    test.each(KINDS.map(([ext]) => ext))('.ko.%s', async (ext) => {
      const dir = dirs[0]!;
      const modules: Record<string, string> = {};
      for (const file of subset) {
        const rel = file.slice(dir.length + 1);
        modules[`${rel}.${ext}`] = join(base, `${rel}.${ext}`);
      }
      const order = readFileSync(join(dir, 'modules.order'));
      const spec: TreeSpec = { version: VERSION, modules, files: { 'modules.order': order } };
      if (ext !== 'gz') {
        await expectSameAsKmod(spec);
        return;
      }
      // Debian's kmod is built without zlib and ignores .ko.gz; kmodkit reads them as a kmod with
      // zlib does. Oracle: kmod's output for the same tree in .ko.xz, with the extension changed.
      const xzModules = Object.fromEntries(
        Object.entries(modules).map(([rel, src]) => [
          rel.replace(/\.gz$/, '.xz'),
          src.replace(/\.gz$/, '.xz'),
        ]),
      );
      const roots = makeRoots({ ...spec, modules: xzModules });
      made.push(roots.base);
      expect(runKmod(roots, [VERSION]).status).toBe(0);
      rmSync(join(roots.kmodkit, 'lib/modules', VERSION), { recursive: true });
      const gzRoots = makeRoots(spec);
      made.push(gzRoots.base);
      const mine = await runKmodkit(gzRoots, [VERSION]);
      expect(mine.status).toBe(0);
      const theirs = indexes(roots.kmod, VERSION);
      const ours = indexes(gzRoots.kmodkit, VERSION);
      for (const [name, bytes] of theirs) {
        const expected = Buffer.from(bytes.toString('latin1').split('.ko.xz').join('.ko.gz'), 'latin1');
        expect(ours.get(name)!.equals(expected), name).toBe(true);
      }
    });
  });

  describe('atomic index writing', () => {
    test('SIGKILL while writing: every index is the old file or the new one, complete', async () => {
      const dir = dirs[0]!;
      const spec = treeOf(dir);
      const roots = makeRoots(spec);
      made.push(roots.base);
      const out = join(roots.kmodkit, 'lib/modules', spec.version);
      expect(runKmod(roots, [spec.version]).status).toBe(0);
      const complete = indexes(roots.kmod, spec.version);
      // Old indexes that differ from the new ones in every byte count.
      for (const name of INDEX_FILES) writeFileSync(join(out, name), `old ${name}\n`);
      const old = indexes(roots.kmodkit, spec.version);
      for (const delay of [300, 600, 900, 1200, 1500, 2000]) {
        const child = spawn(process.execPath, [KMODKIT_BIN, 'depmod', '-b', roots.kmodkit, spec.version], {
          stdio: 'ignore',
        });
        // Listened for from the start: a run that ends before the kill must not be waited for forever.
        const exited = new Promise((r) => child.on('exit', r));
        await new Promise((r) => setTimeout(r, delay));
        child.kill('SIGKILL');
        await exited;
        const now = indexes(roots.kmodkit, spec.version);
        for (const name of INDEX_FILES) {
          const bytes = now.get(name)!;
          const isOld = bytes.equals(old.get(name)!);
          const isNew = bytes.equals(complete.get(name)!);
          expect(isOld || isNew, `${name} after SIGKILL at ${delay} ms`).toBe(true);
        }
        // Left-over temporary files are never the index itself.
        for (const name of readdirSync(out)) if (/\.\d+\.\d+\.\d+$/.test(name)) rmSync(join(out, name));
        for (const name of INDEX_FILES) writeFileSync(join(out, name), `old ${name}\n`);
      }
    }, 600_000);

    test.skipIf(process.getuid?.() !== 0)(
      'a full file system: kmod-style error, exit 1, old indexes intact',
      async () => {
        const dir = dirs[0]!;
        const spec = treeOf(dir);
        const roots = makeRoots(spec);
        made.push(roots.base);
        const mount = join(roots.base, 'small');
        mkdirSync(mount);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1200k', 'tmpfs', mount]);
        try {
          const tree = join(mount, 'lib/modules', spec.version);
          mkdirSync(tree, { recursive: true });
          spawnSync('ln', ['-s', join(dir, 'kernel'), join(tree, 'kernel')]);
          for (const name of ['modules.order', 'modules.builtin', 'modules.builtin.modinfo']) {
            writeFileSync(join(tree, name), readFileSync(join(dir, name)));
          }
          for (const name of INDEX_FILES) writeFileSync(join(tree, name), `old ${name}\n`);
          const run = runBin(['depmod', '-b', mount, spec.version]);
          expect(run.status).toBe(1);
          expect(run.stderr).toMatch(
            /^depmod: ERROR: Could not create index 'modules\.[a-z.]+'\. Output is truncated: No space left on device\n$/,
          );
          const failed = /'(modules\.[a-z.]+)'/.exec(run.stderr)![1]!;
          const after = indexes(mount, spec.version);
          // Files before the one that failed are new; it and the ones after are the old ones.
          const at = INDEX_FILES.indexOf(failed);
          INDEX_FILES.forEach((name, i) => {
            if (i >= at) expect(after.get(name)!.toString(), name).toBe(`old ${name}\n`);
            else expect(after.get(name)!.toString().startsWith('old ')).toBe(false);
          });
          expect(readdirSync(tree).filter((n) => /\.\d+\.\d+\.\d+$/.test(n))).toEqual([]);
        } finally {
          execFileSync('umount', [mount]);
        }
      },
      120_000,
    );
  });
});
