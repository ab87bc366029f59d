import { mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { openModule, openModuleBytes, openModuleFile, openModules } from './module-file.js';
import { loadDecompressors } from './node-decompress.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/modules');
const plain = readFileSync(join(fixtures, 'kmodkit_test.ko'));

describe('openModuleFile: a module opened as kmod opens it', () => {
  beforeAll(() => loadDecompressors(['xz', 'zstd']));

  test.each(['kmodkit_test.ko', 'kmodkit_test.ko.gz', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst'])(
    '%s: the same module whatever the compression, chosen by magic',
    (name) => {
      const opened = openModuleFile(join(fixtures, name), { sparse: true });
      expect('module' in opened && opened.module.modinfo.find((e) => e.key === 'name')?.value).toBe(
        'kmodkit_test',
      );
    },
  );

  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-open-'));
  beforeAll(() => {
    writeFileSync(join(dir, 'five.ko'), plain.subarray(0, 5));
    writeFileSync(join(dir, 'text.ko'), 'hello world, not a module\n');
    writeFileSync(join(dir, 'header.ko'), plain.subarray(0, 64));
    writeFileSync(join(dir, 'true.ko'), readFileSync('/bin/true'));
    symlinkSync('loop-b.ko', join(dir, 'loop-a.ko'));
    symlinkSync('loop-a.ko', join(dir, 'loop-b.ko'));
    // A module renamed without its extension: the magic decides, not the name.
    writeFileSync(join(dir, 'xz-named-plain.ko'), readFileSync(join(fixtures, 'kmodkit_test.ko.xz')));
  });

  test.each([
    ['five.ko', 'EINVAL'],
    ['text.ko', 'ENOEXEC'],
    ['header.ko', 'EINVAL'],
    ['true.ko', 'ENOENT'],
    ['missing.ko', 'ENOENT'],
    ['loop-a.ko', 'ELOOP'],
    ['.', 'EISDIR'],
  ])('%s: errno %s', (name, errno) => {
    const opened = openModuleFile(join(dir, name));
    expect('errno' in opened && opened.errno).toBe(errno);
  });

  test('a compressed file is read by its magic whatever its name', () => {
    const opened = openModuleFile(join(dir, 'xz-named-plain.ko'));
    expect('module' in opened && opened.compression).toBe('xz');
  });

  test('a 1 GiB file that is not ELF is refused from its first bytes, not read whole', () => {
    const big = join(dir, 'big.ko');
    writeFileSync(big, 'garbage!');
    truncateSync(big, 1 << 30);
    const before = process.memoryUsage().rss;
    const opened = openModuleFile(big, { sparse: true });
    expect('errno' in opened && opened.errno).toBe('ENOEXEC');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
  });

  test('a path given as bytes (not UTF-8) is opened by them', () => {
    const name = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('caf\xe9.ko', 'latin1')]);
    writeFileSync(name, plain);
    const opened = openModuleFile(Uint8Array.from(name));
    expect('module' in opened).toBe(true);
  });

  test('openModuleBytes gives the same answer as the file', () => {
    const opened = openModuleBytes(plain);
    expect('module' in opened && opened.module.modinfo.length).toBeGreaterThan(3);
  });
});

describe('openModule and openModules', () => {
  test('openModule gives the module, or throws LoaderError with kmod errno', async () => {
    const { module } = await openModule(join(fixtures, 'kmodkit_test.ko.zst'));
    expect(module.modinfo.find((e) => e.key === 'name')?.value).toBe('kmodkit_test');
    await expect(openModule('/bin/true')).rejects.toMatchObject({
      name: 'LoaderError',
      code: 'NO_MODINFO',
      errno: 'ENOENT',
    });
    await expect(openModule('/nonexistent.ko')).rejects.toMatchObject({ code: 'ENOENT', errno: 'ENOENT' });
  });

  test('openModules yields each in order', async () => {
    const names: string[] = [];
    for await (const r of openModules([
      join(fixtures, 'kmodkit_dep.ko'),
      '/bin/true',
      join(fixtures, 'kmodkit_test.ko.xz'),
    ])) {
      names.push(
        'module' in r ? r.module.module.modinfo.find((e) => e.key === 'name')!.value : r.error.errno!,
      );
    }
    expect(names).toEqual(['kmodkit_dep', 'ENOENT', 'kmodkit_test']);
  });
});
