/**
 * depmod's `.bin` indexes read as kmod 30 reads them, against kmod itself: a depmod'ed copy of Debian's
 * amd64 tree, every entry of every index the same from the `.bin` and from the text file, and lookups
 * the same as `modprobe --resolve-alias` answers them. Corpus tests skip when KMODKIT_SKIP_CORPUS=1;
 * in CI a missing depmod or modprobe fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { LoaderError } from './error.js';
import { IndexFile, memoryIndex } from './index-file.js';
import { ModuleDirectory } from './module-directory.js';

const repo = join(import.meta.dirname, '../../..');
const sbin = ['/usr/sbin', '/sbin', '/usr/bin'].find((d) => existsSync(join(d, 'depmod')));
if (sbin === undefined && process.env.CI) throw new Error('kmod is not installed: apt-get install kmod');
const skipCorpus = process.env.KMODKIT_SKIP_CORPUS === '1';

describe('memoryIndex: the trie depmod builds', () => {
  const index = memoryIndex([
    ['ask', 'A', 2],
    ['ate', 'B', 1],
    ['on', 'C', 0],
    ['once', 'D', 0],
    ['one', 'E', 0],
    ['on', 'F', 0],
    ['pci:v*d1*', 'G', 3],
    ['pci:v*', 'H', 3],
  ]);
  test('exact lookups take the first value of the lowest priority', () => {
    expect(index.search('on')).toBe('F');
    expect(index.search('o')).toBeUndefined();
    expect(index.search('onc')).toBeUndefined();
    expect(index.search('ask')).toBe('A');
  });
  test('the dump is in key order, values by priority, the later of equal ones first', () => {
    expect([...index.entries()].map((e) => `${e.key}=${e.value}`)).toEqual([
      'ask=A',
      'ate=B',
      'on=F',
      'on=C',
      'once=D',
      'one=E',
      'pci:v*=H',
      'pci:v*d1*=G',
    ]);
  });
  test('wildcard lookups: the patterns matching, by priority, the one found last first among equals', () => {
    expect(index.searchWild('pci:vXd1Y').map((v) => v.value)).toEqual(['H', 'G']);
    expect(index.searchWild('pci:vX').map((v) => v.value)).toEqual(['H']);
    // Stored F, C; added one by one, each before the equal ones already there.
    expect(index.searchWild('on').map((v) => v.value)).toEqual(['C', 'F']);
  });
});

describe('IndexFile: damaged files', () => {
  test('a bad header is refused with the offset', () => {
    expect(() => new IndexFile(new Uint8Array(8))).toThrow(LoaderError);
    const bytes = new Uint8Array(12);
    try {
      new IndexFile(bytes);
    } catch (e) {
      expect((e as LoaderError).code).toBe('BAD_INDEX');
      expect((e as LoaderError).offset).toBe(0);
    }
  });
  test('a node that points at itself is an error, not an endless walk', () => {
    // Header, then at 12 a node with children '*'..'*' whose one child offset is the node itself.
    const bytes = Uint8Array.from([
      0xb0, 0x07, 0xf4, 0x57, 0, 2, 0, 1, 0x20, 0, 0, 12, 0x2a, 0x2a, 0x20, 0, 0, 12,
    ]);
    const index = new IndexFile(bytes);
    expect(() => index.searchWild('x')).toThrow(/not below its parent/);
    expect(() => [...index.entries()]).toThrow(LoaderError);
  });
});

describe.skipIf(skipCorpus || sbin === undefined)('against depmod and modprobe on Debian amd64', () => {
  let dir: string;
  let textDir: string;
  let root: string;
  let version: string;
  beforeAll(() => {
    const r = spawnSync('bash', [join(repo, 'scripts/fetch-corpus.sh'), 'amd64'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('scripts/fetch-corpus.sh amd64 failed');
    const tree = r.stdout.trim().split('\n')[0]!;
    version = tree.split('/').pop()!;
    root = mkdtempSync(join(tmpdir(), 'kmodkit-index-'));
    dir = join(root, 'lib/modules', version);
    mkdirSync(join(root, 'lib/modules'), { recursive: true });
    // Hard links: depmod only reads the modules.
    if (spawnSync('cp', ['-al', tree, dir]).status !== 0) throw new Error('cp -al failed');
    const depmod = spawnSync(join(sbin!, 'depmod'), ['-b', root, version]);
    if (depmod.status !== 0) throw new Error(`depmod failed: ${depmod.stderr}`);
    // The same directory without any .bin: everything is read from the text files.
    textDir = mkdtempSync(join(tmpdir(), 'kmodkit-index-text-'));
    for (const f of [
      'modules.dep',
      'modules.alias',
      'modules.symbols',
      'modules.builtin',
      'modules.builtin.modinfo',
    ]) {
      symlinkSync(join(dir, f), join(textDir, f));
    }
  }, 120_000);

  const names = [
    'modules.dep',
    'modules.alias',
    'modules.symbols',
    'modules.builtin',
    'modules.builtin.alias',
  ] as const;
  test.each(names)('%s: the .bin and the text give the same entries, priorities and order', (name) => {
    const bin = new ModuleDirectory(dir).index(name);
    expect(bin).toBeInstanceOf(IndexFile);
    const fromBin = [...bin.entries()];
    const fromText = [...new ModuleDirectory(textDir).index(name).entries()];
    expect(fromBin.length).toBeGreaterThan(50);
    expect(fromText).toEqual(fromBin);
  });

  /** `modprobe -R` (kmod_module_new_from_lookup, no configuration) for each alias: the module names. */
  function resolve(aliases: readonly string[]): (string[] | undefined)[] {
    return aliases.map((alias) => {
      const r = spawnSync(
        join(sbin!, 'modprobe'),
        ['-C', '/dev/null', '-d', root, '-S', version, '-R', alias],
        {
          encoding: 'utf8',
        },
      );
      return r.status === 0 ? r.stdout.trim().split('\n') : undefined;
    });
  }

  test('lookups answer as modprobe --resolve-alias does, from the .bin and from the text', () => {
    const alias = readFileSync(join(dir, 'modules.alias'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('alias '));
    // Concrete aliases each pattern matches (wildcards dropped, a bracket's first member taken), and
    // the patterns themselves (which match every pattern that covers them, as kmod reads them).
    const concrete = alias
      .filter((_, i) => i % 150 === 0)
      .map((l) => l.split(' ')[1]!)
      .flatMap((p) => [
        p
          .replaceAll('*', '')
          .replace(/\[(.)[^\]]*\]/g, '$1')
          .replaceAll('?', 'x'),
        p,
      ]);
    const symbols = readFileSync(join(dir, 'modules.symbols'), 'utf8')
      .split('\n')
      .filter((_, i) => i % 1000 === 1)
      .map((l) => l.split(' ')[1]!);
    const builtin = readFileSync(join(dir, 'modules.builtin.modinfo'), 'latin1')
      .split('\0')
      .filter((s) => /^[^.]+\.alias=/.test(s))
      .filter((_, i) => i % 20 === 0)
      .map((s) => s.slice(s.indexOf('=') + 1).replaceAll('*', 'x'));
    const aliases = [
      ...concrete,
      ...symbols,
      ...builtin,
      'fs-vfat',
      'snd-hda-intel',
      'nosuch',
      'symbol:nosuch',
    ];
    expect(aliases.length).toBeGreaterThan(300);
    const expected = resolve(aliases);
    for (const d of [dir, textDir]) {
      const md = new ModuleDirectory(d);
      const actual = aliases.map((a) => {
        const found = md.lookup(a);
        return found === undefined || found.length === 0 ? undefined : found.map((l) => l.name);
      });
      const wrong = aliases.flatMap((a, i) =>
        JSON.stringify(actual[i]) === JSON.stringify(expected[i])
          ? []
          : [{ a, kmod: expected[i], ours: actual[i] }],
      );
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  }, 300_000);

  test('a damaged modules.builtin.bin reads or throws LoaderError, never anything else', () => {
    const good = readFileSync(join(dir, 'modules.builtin.bin'));
    const keys = [...new IndexFile(good).entries()].map((e) => e.key);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const bytes = Uint8Array.from(good);
          for (const [at, b] of edits) bytes[at] = b;
          try {
            const index = new IndexFile(bytes);
            for (const k of keys.slice(0, 20)) index.search(k);
            index.searchWild('a*');
            for (const _ of index.entries());
          } catch (e) {
            if (!(e instanceof LoaderError)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
