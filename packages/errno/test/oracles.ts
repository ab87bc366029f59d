/**
 * The independent answers the tests compare the package with: gcc's preprocessor over the kernel's
 * errno headers, glibc's errlist.h compiled the way glibc compiles it, and the host's C library.
 * Nothing here reads src/tables.ts or the generator.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pkgDir, '..', '..');

function runScript(path: string): string {
  return execFileSync(path, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** The Linux source tree (scripts/fetch-kernel-source.sh downloads it once into the cache). */
export const kernelSource = (): string => runScript(join(repoRoot, 'scripts', 'fetch-kernel-source.sh'));

/** The unpacked glibc source files (packages/errno/scripts/fetch-glibc-source.sh). */
export const glibcSource = (): string => runScript(join(pkgDir, 'scripts', 'fetch-glibc-source.sh'));

/** Every `arch/` directory of the kernel tree. */
export function kernelArches(kernel: string): string[] {
  return readdirSync(join(kernel, 'arch'))
    .filter((a) => statSync(join(kernel, 'arch', a)).isDirectory())
    .sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'kmodkit-errno-'));

/**
 * The -I directory that gives `<asm/errno.h>` for `arch`: its own uapi directory, or for an arch
 * without an errno.h the wrapper that scripts/Makefile.asm-generic generates
 * (`#include <asm-generic/errno.h>`, from include/uapi/asm-generic/Kbuild `mandatory-y += errno.h`).
 */
export function asmIncludeDir(kernel: string, arch: string): string {
  const own = join(kernel, 'arch', arch, 'include', 'uapi');
  if (existsSync(join(own, 'asm', 'errno.h'))) return own;
  const wrapper = join(scratch, 'asm-generic-wrapper');
  mkdirSync(join(wrapper, 'asm'), { recursive: true });
  writeFileSync(join(wrapper, 'asm', 'errno.h'), '#include <asm-generic/errno.h>\n');
  return wrapper;
}

export interface HeaderMacros {
  /** Every E* macro with its value, aliases resolved. */
  readonly values: ReadonlyMap<string, number>;
  /** The names defined as a number (not as another name). */
  readonly numeric: ReadonlySet<string>;
}

/** Runs gcc's preprocessor on `source` and collects the E* macros it ends up defining. */
function preprocessorMacros(source: string, includeDirs: string[]): HeaderMacros {
  const out = execFileSync(
    'gcc',
    ['-E', '-dM', '-undef', '-nostdinc', ...includeDirs.flatMap((d) => ['-I', d]), '-x', 'c', '-'],
    { input: source, encoding: 'utf8' },
  );
  const raw = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^#define (E[A-Z0-9_]+) (\w+)$/.exec(line);
    if (m) raw.set(m[1]!, m[2]!);
  }
  const values = new Map<string, number>();
  const numeric = new Set<string>();
  for (const [name, value] of raw) {
    let v: string | undefined = value;
    while (v !== undefined && !/^\d+$/.test(v)) v = raw.get(v);
    if (v === undefined) throw new Error(`${name} resolves to nothing`);
    values.set(name, Number(v));
    if (/^\d+$/.test(value)) numeric.add(name);
  }
  return { values, numeric };
}

/**
 * The kernel's errno macros for `arch`: `uapi` is what `<asm/errno.h>` defines (user-visible), and
 * `all` adds include/linux/errno.h (the kernel-internal codes), as kernel code sees them.
 */
export function kernelErrnoMacros(kernel: string, arch: string): { uapi: HeaderMacros; all: HeaderMacros } {
  const dirs = [asmIncludeDir(kernel, arch), join(kernel, 'include', 'uapi')];
  return {
    uapi: preprocessorMacros('#include <asm/errno.h>\n', dirs),
    all: preprocessorMacros('#include <linux/errno.h>\n', [join(kernel, 'include'), ...dirs]),
  };
}

/** glibc's name for a kernel arch directory, where its sysdeps directory is named differently. */
const GLIBC_ARCH_DIR: Readonly<Record<string, string>> = { parisc: 'hppa' };

/**
 * glibc's strerror table for `arch`, built as glibc builds it (stdio-common/errlist-data-gen.c):
 * `[ENAME] = "text"` for every `_S(ENAME, …)` of sysdeps/gnu/errlist.h, with the errno macros of
 * glibc's bits/errno.h for that arch over the kernel's headers. Compiled and run on this host; the
 * result is the arch's number → message array.
 */
export function glibcErrlist(kernel: string, glibc: string, arch: string): Map<number, string> {
  const linuxSysdeps = join(glibc, 'sysdeps', 'unix', 'sysv', 'linux');
  const archBits = join(linuxSysdeps, GLIBC_ARCH_DIR[arch] ?? arch, 'bits', 'errno.h');
  const bits = existsSync(archBits) ? archBits : join(linuxSysdeps, 'bits', 'errno.h');
  const source = `#define _ERRNO_H 1
#include "${bits}"
#define N_(s) s
int printf(const char *, ...);
static const char *const list[] = {
#define _S(n, str) [n] = str,
#include "${join(glibc, 'sysdeps', 'gnu', 'errlist.h')}"
};
int main(void) {
  for (unsigned i = 0; i < sizeof list / sizeof list[0]; i++)
    if (list[i]) printf("%u\\t%s\\n", i, list[i]);
  return 0;
}
`;
  const dir = mkdtempSync(join(scratch, `errlist-${arch}-`));
  writeFileSync(join(dir, 'errlist.c'), source);
  const exe = join(dir, 'errlist');
  execFileSync('gcc', [
    '-o',
    exe,
    '-I',
    asmIncludeDir(kernel, arch),
    '-I',
    join(kernel, 'include', 'uapi'),
    join(dir, 'errlist.c'),
  ]);
  const table = new Map<number, string>();
  for (const line of execFileSync(exe, { encoding: 'utf8' }).split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) table.set(Number(line.slice(0, tab)), line.slice(tab + 1));
  }
  return table;
}

/** The host C library's strerror for each number, through python3's os.strerror. */
export function hostStrerror(numbers: readonly number[]): string[] {
  const script = 'import json,os,sys\nprint(json.dumps([os.strerror(n) for n in json.load(sys.stdin)]))';
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input: JSON.stringify(numbers), encoding: 'utf8' }),
  );
}

/** The host's errno names and numbers as python3's errno module has them (from the C headers). */
export function hostErrnoNames(): Record<string, number> {
  const script =
    'import errno,json\nprint(json.dumps({k:v for k,v in vars(errno).items() if k.startswith("E") and isinstance(v,int)}))';
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
}
