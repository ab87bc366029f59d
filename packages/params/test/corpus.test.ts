// Debian 12's real modules (scripts/fetch-corpus.sh, amd64, ~4000 .ko): every parameter they declare, as
// @kmodkit/elf decodes it, is understood by validateArgs, and a value printed by formatValue for its type
// is accepted back by the module's declaration.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModuleParam, readModule } from '@kmodkit/elf';
import { describe, expect, test } from 'vitest';
import { type Arg, formatArgs, formatValue, parseArgs, validateArgs } from '../src/index.js';

const skip = process.env.KMODKIT_SKIP_CORPUS === '1';
const root = fileURLToPath(new URL('../../..', import.meta.url));

function* modules(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* modules(path);
    else if (entry.name.endsWith('.ko')) yield path;
  }
}

// A value each standard type accepts, as its param_get_* would print it.
const SAMPLE: Record<string, unknown> = {
  byte: 255,
  short: -1,
  ushort: 65535,
  int: -2147483648,
  uint: 4294967295,
  long: -1n,
  ulong: 18446744073709551615n,
  ullong: 18446744073709551615n,
  hexint: 0xbeef,
  charp: 'a b,"c"',
  bool: true,
  invbool: false,
  bint: true,
  bool_enable_only: true,
};

function spelling(p: ModuleParam): string | null {
  if (p.type === 'string') return p.maxLength === undefined ? null : `string:${p.maxLength}`;
  if (p.type === 'array') return `array:${p.elementType}:${p.maxLength}`;
  return p.type;
}

describe.skipIf(skip)('Debian 6.1 amd64 corpus', () => {
  test('every declared parameter is understood, and accepts what formatValue prints', {
    timeout: 300_000,
  }, () => {
    const dir = execFileSync(join(root, 'scripts/fetch-corpus.sh'), { encoding: 'utf8' })
      .trim()
      .split('\n')[0]!;
    const types = new Map<string, number>();
    let checked = 0;
    let files = 0;
    let unsafeSeen = 0;
    for (const path of modules(dir)) {
      files++;
      const declared = readModule(readFileSync(path)).params;
      if (declared.length === 0) continue;
      const args: Arg[] = [];
      const named = new Set<string>();
      for (const p of declared) {
        const type = spelling(p);
        // Some modules link several drivers that declare the same name (wm97xx-ts: three `mask`s); the
        // kernel's parse_one sets the first, and so does validateArgs. Give each name once.
        if (named.has(p.name)) continue;
        named.add(p.name);
        types.set(type ?? p.type, (types.get(type ?? p.type) ?? 0) + 1);
        if (p.type === 'custom' || p.elementType === 'custom' || type === null) continue;
        const element = p.type === 'array' ? p.elementType! : p.type;
        const sample = p.type === 'string' ? 'x'.repeat(Math.min(p.maxLength! - 1, 8)) : SAMPLE[element];
        expect(sample, `${path}: ${p.name} ${type}`).not.toBeUndefined();
        // Array elements are split at commas, so a charp element must not hold one.
        const element0 = element === 'charp' ? 'a b' : sample;
        const value = p.type === 'array' ? Array(Math.min(p.maxLength!, 3)).fill(element0) : sample;
        args.push({ name: p.name, value: formatValue(type, value) });
      }
      // All of a module's parameters at once, through the grammar's own string form.
      const result = validateArgs(parseArgs(formatArgs(args)).args, declared);
      // Parameters flagged KERNEL_PARAM_FL_UNSAFE (kvm-amd's …) taint when set: reported, not refused.
      const unsafe = result.issues.filter((i) => i.kind === 'unsafe');
      expect(unsafe.map((i) => i.name)).toEqual(
        args.filter((a) => (declared.find((d) => d.name === a.name)!.flags & 1) !== 0).map((a) => a.name),
      );
      unsafeSeen += unsafe.length;
      expect(
        result.issues.filter((i) => i.kind !== 'unchecked' && i.kind !== 'unsafe'),
        path,
      ).toEqual([]);
      expect(result.ok, path).toBe(true);
      checked += args.length;
    }
    expect(files).toBeGreaterThan(3000);
    expect(checked).toBeGreaterThan(4000);
    expect(unsafeSeen).toBeGreaterThan(0);
    // Every spelling seen is a standard type, a sized string or array, or module-defined ops.
    for (const type of types.keys()) {
      expect(type).toMatch(
        /^(byte|short|ushort|int|uint|long|ulong|ullong|hexint|charp|bool|invbool|bint|bool_enable_only|string:\d+|array:\w+:\d+|custom)$/,
      );
    }
  });
});
