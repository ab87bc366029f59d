import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readModule } from '../src/index.js';
import { haveTool } from './tools.js';

const HAVE_GCC = haveTool('gcc');

/**
 * A module object as Linux 2.4 built them (gcc -DMODULE -c, no modpost): `init_module` and
 * `cleanup_module`, and the MODULE_* strings 2.4's include/linux/module.h put in `.modinfo`, with
 * `kernel_version=` (from UTS_RELEASE) — but no `.gnu.linkonce.this_module`: modutils' insmod built
 * struct module in user space for the old create_module/init_module calls.
 */
const SOURCE = `
static const char __module_kernel_version[] __attribute__((section(".modinfo"), used)) = "kernel_version=2.4.37";
static const char __module_license[] __attribute__((section(".modinfo"), used)) = "license=GPL";
int init_module(void) { return 0; }
void cleanup_module(void) {}
`;

function compile(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-24-'));
  try {
    writeFileSync(join(dir, 'old.c'), source);
    execFileSync('gcc', ['-c', '-O2', '-o', join(dir, 'old.ko'), join(dir, 'old.c')]);
    return new Uint8Array(readFileSync(join(dir, 'old.ko')));
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe.skipIf(!HAVE_GCC)('a Linux 2.4 module object', () => {
  test('is read, and refused by validate() as the 6.1 kernel refuses it (setup_load_info: ENOEXEC)', () => {
    const mod = readModule(compile(SOURCE));
    expect(mod.info('kernel_version')).toBe('2.4.37');
    expect(mod.license).toBe('GPL');
    expect(mod.thisModule).toBeUndefined();
    const [first] = mod.validate();
    expect(first).toMatchObject({ code: 'LINUX_2_4_MODULE', errno: 'ENOEXEC' });
    expect(first?.offset).toBe(mod.section('.modinfo')?.offset);
    // kernel/module/main.c setup_load_info logs "%s: No module found in object" (no name field here).
    expect(first?.message).toContain('(missing .modinfo section or name field): No module found in object');
    expect(first?.message).toContain('Linux 2.4.37 module object');
  });

  test('without kernel_version= it is the generic NO_THIS_MODULE', () => {
    const mod = readModule(compile(SOURCE.replace(/.*kernel_version.*\n/, '')));
    expect(mod.validate()[0]).toMatchObject({ code: 'NO_THIS_MODULE', errno: 'ENOEXEC' });
  });
});
