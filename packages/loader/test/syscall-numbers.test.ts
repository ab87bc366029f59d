// The syscall numbers and flag values against the Linux 6.1 source (scripts/fetch-kernel-source.sh):
// the .tbl files the kernel generates its unistd headers from, asm-generic/unistd.h through gcc's
// preprocessor, and the fcntl/module headers through gcc's preprocessor.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  DELETE_MODULE_FLAGS,
  MODULE_INIT_COMPRESSED_FILE,
  MODULE_INIT_IGNORE_MODVERSIONS,
  MODULE_INIT_IGNORE_VERMAGIC,
  MODULE_SYSCALL_NUMBERS,
  type ModuleSyscallName,
  resolveSyscallArch,
  SYSCALL_ARCHES,
  type SyscallArch,
} from '../src/index.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const kernel = execFileSync(join(repo, 'scripts/fetch-kernel-source.sh'), {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();

const NAMES: ModuleSyscallName[] = [
  'init_module',
  'delete_module',
  'finit_module',
  'create_module',
  'get_kernel_syms',
  'query_module',
];

/** `#define` values gcc's preprocessor ends up with for `source` (macros resolved by evaluating them). */
function macros(source: string, includes: string[], names: string[]): Map<string, number> {
  const probe = `${source}\n${names.map((n, i) => `kmodkit_value ${i} = ${n};`).join('\n')}\n`;
  const out = execFileSync(
    'gcc',
    ['-E', '-P', '-undef', '-nostdinc', ...includes.flatMap((d) => ['-I', d]), '-x', 'c', '-'],
    { input: probe, encoding: 'utf8' },
  );
  const values = new Map<string, number>();
  for (const m of out.matchAll(/^kmodkit_value (\d+) = (.+);$/gm)) {
    // Values are integer literals or sums of them (`(__NR_Linux + 5)`), octal with a leading 0; a name
    // left as it is was not defined.
    const expr = m[2]!.replace(/\b0([0-7]+)\b/g, '0o$1');
    if (!/^[\s\d()+xo]+$/.test(expr)) continue;
    values.set(names[Number(m[1])]!, Function(`return (${expr})`)() as number);
  }
  return values;
}

/**
 * The numbers one .tbl file gives the ABIs in `abis` (columns: number, abi, name, entry points);
 * a line without entry point still reserves the number.
 */
function table(path: string, abis: string[], offset = 0): Partial<Record<ModuleSyscallName, number>> {
  const out: Partial<Record<ModuleSyscallName, number>> = {};
  for (const line of readFileSync(join(kernel, path), 'utf8').split('\n')) {
    const [nr, abi, name] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (nr === undefined || name === undefined || !abis.includes(abi!)) continue;
    if ((NAMES as string[]).includes(name)) out[name as ModuleSyscallName] = Number(nr) + offset;
  }
  return out;
}

/**
 * What Kbuild's generated wrappers give an arch without its own asm/fcntl.h or asm/bitsperlong.h
 * (`#include <asm-generic/…>`), and an empty linux/types.h: only the macros are wanted.
 */
function kbuildWrappers(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-fcntl-'));
  mkdirSync(join(dir, 'asm'));
  mkdirSync(join(dir, 'linux'));
  writeFileSync(join(dir, 'asm/fcntl.h'), '#include <asm-generic/fcntl.h>\n');
  writeFileSync(join(dir, 'asm/bitsperlong.h'), '#include <asm-generic/bitsperlong.h>\n');
  writeFileSync(join(dir, 'linux/types.h'), '');
  return dir;
}

const wrappers = kbuildWrappers();

function generic(arch: string): Partial<Record<ModuleSyscallName, number>> {
  const values = macros(
    '#include <asm/unistd.h>',
    [join(kernel, 'arch', arch, 'include/uapi'), wrappers, join(kernel, 'include/uapi')],
    NAMES.map((n) => `__NR_${n}`),
  );
  return Object.fromEntries(
    NAMES.flatMap((n) => (values.has(`__NR_${n}`) ? [[n, values.get(`__NR_${n}`)]] : [])),
  );
}

/** mips n64: `__NR_Linux` of the _MIPS_SIM_ABI64 block of arch/mips/include/uapi/asm/unistd.h. */
function mipsN64Offset(): number {
  const header = readFileSync(join(kernel, 'arch/mips/include/uapi/asm/unistd.h'), 'utf8');
  const block = header.split('#if _MIPS_SIM == _MIPS_SIM_ABI64')[1]!;
  return Number(/#define __NR_Linux\s+(\d+)/.exec(block)![1]);
}

const KERNEL_TABLES: Record<SyscallArch, () => Partial<Record<ModuleSyscallName, number>>> = {
  x86_64: () => table('arch/x86/entry/syscalls/syscall_64.tbl', ['common', '64']),
  i386: () => table('arch/x86/entry/syscalls/syscall_32.tbl', ['i386']),
  arm64: () => generic('arm64'),
  armhf: () => table('arch/arm/tools/syscall.tbl', ['common', 'eabi']),
  s390x: () => table('arch/s390/kernel/syscalls/syscall.tbl', ['common', '64']),
  ppc64le: () => table('arch/powerpc/kernel/syscalls/syscall.tbl', ['common', '64', 'nospu']),
  riscv64: () => generic('riscv'),
  loongarch64: () => generic('loongarch'),
  mips64: () => table('arch/mips/kernel/syscalls/syscall_n64.tbl', ['n64'], mipsN64Offset()),
};

const FCNTL_DIR: Record<SyscallArch, string> = {
  x86_64: 'x86',
  i386: 'x86',
  arm64: 'arm64',
  armhf: 'arm',
  s390x: 's390',
  ppc64le: 'powerpc',
  riscv64: 'riscv',
  loongarch64: 'loongarch',
  mips64: 'mips',
};

describe('module syscall numbers', () => {
  test.each(SYSCALL_ARCHES)('%s: the kernel table', (arch) => {
    expect(MODULE_SYSCALL_NUMBERS[arch]).toEqual(KERNEL_TABLES[arch]());
  });

  test('every architecture has the three current calls, and some keep the removed ones', () => {
    for (const arch of SYSCALL_ARCHES) {
      expect(Object.keys(MODULE_SYSCALL_NUMBERS[arch])).toEqual(
        expect.arrayContaining(['init_module', 'delete_module', 'finit_module']),
      );
    }
    expect(MODULE_SYSCALL_NUMBERS.x86_64.create_module).toBe(174);
    expect(MODULE_SYSCALL_NUMBERS.arm64.create_module).toBeUndefined();
  });
});

describe('flags', () => {
  test.each(SYSCALL_ARCHES)("%s: delete_module's O_NONBLOCK and O_TRUNC from asm/fcntl.h", (arch) => {
    const dir = FCNTL_DIR[arch];
    // The arch's own asm/fcntl.h where it has one, else asm-generic's (what Kbuild's wrapper includes).
    const values = macros(
      '#include <asm/fcntl.h>',
      [join(kernel, 'arch', dir, 'include/uapi'), wrappers, join(kernel, 'include/uapi')],
      ['O_NONBLOCK', 'O_TRUNC'],
    );
    expect(DELETE_MODULE_FLAGS[arch]).toEqual({
      O_NONBLOCK: values.get('O_NONBLOCK'),
      O_TRUNC: values.get('O_TRUNC'),
    });
  });

  test('finit_module flags from linux/module.h', () => {
    const values = macros(
      '#include <linux/module.h>',
      [join(kernel, 'include/uapi')],
      ['MODULE_INIT_IGNORE_MODVERSIONS', 'MODULE_INIT_IGNORE_VERMAGIC', 'MODULE_INIT_COMPRESSED_FILE'],
    );
    expect([
      MODULE_INIT_IGNORE_MODVERSIONS,
      MODULE_INIT_IGNORE_VERMAGIC,
      MODULE_INIT_COMPRESSED_FILE,
    ]).toEqual([
      values.get('MODULE_INIT_IGNORE_MODVERSIONS'),
      values.get('MODULE_INIT_IGNORE_VERMAGIC'),
      values.get('MODULE_INIT_COMPRESSED_FILE'),
    ]);
  });
});

describe('resolveSyscallArch', () => {
  test.each([
    ['x64', 'x86_64'],
    ['ia32', 'i386'],
    ['arm', 'armhf'],
    ['arm64', 'arm64'],
    ['ppc64', 'ppc64le'],
    ['loong64', 'loongarch64'],
    ['mips64el', 'mips64'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64'],
    ['sparc64', undefined],
    ['toString', undefined],
  ])('%s → %s', (name, arch) => {
    expect(resolveSyscallArch(name)).toBe(arch);
  });
});
