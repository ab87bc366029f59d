import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { inspectFile } from './inspect.js';
import { buildCommand } from './param-builder.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../fixtures/modules/${name}`, import.meta.url))));

describe('inspectFile', () => {
  test.each(['kmodkit_test.ko', 'kmodkit_test.ko.xz', 'kmodkit_test.ko.zst', 'kmodkit_test.ko.gz'])(
    '%s reads as kmodkit_test',
    (name) => {
      const r = inspectFile(name, fixture(name));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(Object.fromEntries(r.summary)).toMatchObject({ name: 'kmodkit_test', license: 'GPL' });
      expect(r.problems).toEqual([]);
    },
  );

  test('a file that is not ELF is reported with the errno the kernel would return', () => {
    const r = inspectFile('notes.txt', new TextEncoder().encode('hello, not a module'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errno).toBe('ENOEXEC (Exec format error)');
    expect(r.error.offset).toBe(0);
  });
});

describe('buildCommand', () => {
  const mod = inspectFile('kmodkit_test.ko', fixture('kmodkit_test.ko'));
  const params = mod.ok ? mod.module.params : [];

  test('quotes values with spaces and leaves empty inputs out', () => {
    const built = buildCommand(
      'kmodkit_test.ko',
      params,
      new Map([
        ['p_charp', 'two words'],
        ['p_int', ''],
      ]),
    );
    expect(built.command).toBe('insmod kmodkit_test.ko p_charp="two words"');
    expect(built.problems).toEqual([]);
  });

  test('reports what the kernel would refuse', () => {
    const built = buildCommand('kmodkit_test.ko', params, new Map([['p_byte', '300']]));
    expect(built.problems).toHaveLength(1);
    expect(built.problems[0]).toMatch(/^p_byte: ERANGE \(Numerical result out of range\)/);
  });
});
