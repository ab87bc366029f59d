// @kmodkit/loader/predict is browser-safe: its built entry's whole import graph (its own files and the
// packages they import) has no Node built-in, and it runs with Node's globals deleted, as
// test/consumers does for the browser builds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const entry = join(pkg, 'dist/predict/index.js');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Every file reachable from `start` by static or literal dynamic imports, with the specifiers seen. */
function importGraph(start: string): { files: Set<string>; specifiers: Set<string> } {
  const files = new Set<string>();
  const specifiers = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      specifiers.add(spec);
      if (builtins.has(spec) || spec.startsWith('node:')) continue;
      todo.push(spec.startsWith('.') ? resolve(dirname(file), spec) : createRequire(file).resolve(spec));
    }
  }
  return { files, specifiers };
}

describe('the @kmodkit/loader/predict entry', () => {
  test('imports nothing from Node, all the way down', () => {
    const { files, specifiers } = importGraph(entry);
    expect([...specifiers].filter((s) => builtins.has(s) || s.startsWith('node:'))).toEqual([]);
    // It does reach the packages it needs (the graph walk is not vacuous).
    expect([...specifiers]).toEqual(expect.arrayContaining(['@kmodkit/elf', '@kmodkit/params']));
    expect(files.size).toBeGreaterThan(20);
    for (const f of files)
      expect(readFileSync(f, 'utf8')).not.toMatch(/\bprocess\.(env|versions|platform)\b|\bBuffer\.from\b/);
  });

  test('the package.json export map names it, types first', () => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.exports['./predict'])).toEqual(['types', 'default']);
  });

  test('runs with process, Buffer, global and setImmediate deleted', () => {
    const fixture = fileURLToPath(new URL('../../../fixtures/modules/kmodkit_test.ko', import.meta.url));
    const script = `
      import { readFileSync } from 'node:fs';
      const bytes = new Uint8Array(readFileSync(${JSON.stringify(fixture)}));
      const node = process;
      for (const name of ['process', 'Buffer', 'global', 'setImmediate', 'clearImmediate']) delete globalThis[name];
      let out;
      try {
        const { predictLoad, parseModuleSymvers } = await import(${JSON.stringify(`file://${entry}`)});
        const symbols = parseModuleSymvers('0x9060323f\\tmodule_layout\\tvmlinux\\tEXPORT_SYMBOL\\t\\n');
        const p = predictLoad(bytes, 'p_byte=256', { symbols, modversions: true });
        out = JSON.stringify({ errno: p.errno, reason: p.reason });
      } catch (e) {
        out = 'threw: ' + (e && e.stack || e);
      }
      node.stdout.write(out);
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    // The symbols are few, so _printk is unknown: ENOENT is simplify_symbols' answer before parse_args.
    expect(JSON.parse(out)).toMatchObject({ errno: 'ENOENT' });
  });
});
