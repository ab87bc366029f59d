/**
 * Architecture names, as the kernel names its `arch/` directories (Linux 6.1), and the errno table
 * each one uses. Only five architectures carry their own `arch/<a>/include/uapi/asm/errno.h`; every
 * other one gets the `asm/errno.h` that `scripts/Makefile.asm-generic` generates from
 * `include/uapi/asm-generic/Kbuild` (`mandatory-y += errno.h`), which just includes
 * `asm-generic/errno.h`.
 */

/** The errno tables that exist: the generic one and the five architectures whose numbers differ. */
export type ErrnoTableName = 'generic' | 'alpha' | 'mips' | 'parisc' | 'powerpc' | 'sparc';

/** Every `arch/` directory of Linux 6.1, mapped to the errno table it uses. */
export const ARCHITECTURES: Readonly<Record<string, ErrnoTableName>> = Object.freeze({
  alpha: 'alpha',
  arc: 'generic',
  arm: 'generic',
  arm64: 'generic',
  csky: 'generic',
  hexagon: 'generic',
  ia64: 'generic',
  loongarch: 'generic',
  m68k: 'generic',
  microblaze: 'generic',
  mips: 'mips',
  nios2: 'generic',
  openrisc: 'generic',
  parisc: 'parisc',
  powerpc: 'powerpc',
  riscv: 'generic',
  s390: 'generic',
  sh: 'generic',
  sparc: 'sparc',
  um: 'generic',
  x86: 'generic',
  xtensa: 'generic',
});

/**
 * Other spellings of an architecture that name exactly one kernel `arch/` directory: `uname -m`
 * machine names, Debian architecture names, GNU triplet CPUs and Node's `process.arch`.
 */
export const ARCH_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  // x86: uname -m, Debian, Node (x64, ia32)
  x86_64: 'x86',
  amd64: 'x86',
  x64: 'x86',
  x32: 'x86',
  i386: 'x86',
  i486: 'x86',
  i586: 'x86',
  i686: 'x86',
  ia32: 'x86',
  // arm64
  aarch64: 'arm64',
  aarch64_be: 'arm64',
  // 32-bit arm
  armhf: 'arm',
  armel: 'arm',
  armeb: 'arm',
  armv5tel: 'arm',
  armv6l: 'arm',
  armv7l: 'arm',
  armv8l: 'arm',
  // powerpc (Debian ppc64el, uname ppc64le, Node ppc64)
  ppc: 'powerpc',
  ppc64: 'powerpc',
  ppc64le: 'powerpc',
  ppc64el: 'powerpc',
  powerpc64: 'powerpc',
  powerpc64le: 'powerpc',
  powerpcspe: 'powerpc',
  // mips, every ABI and endianness
  mipsel: 'mips',
  mips64: 'mips',
  mips64el: 'mips',
  mipsr6: 'mips',
  mipsr6el: 'mips',
  mips64r6: 'mips',
  mips64r6el: 'mips',
  // others
  s390x: 's390',
  sparc64: 'sparc',
  hppa: 'parisc',
  parisc64: 'parisc',
  riscv32: 'riscv',
  riscv64: 'riscv',
  loong64: 'loongarch',
  loongarch64: 'loongarch',
  or1k: 'openrisc',
  sh4: 'sh',
  microblazeel: 'microblaze',
});

/**
 * The kernel `arch/` directory name for `name` (an `arch/` name, an alias from
 * {@link ARCH_ALIASES}, or `'generic'`), or `undefined` when the name is not known.
 */
export function resolveArch(name: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  if (name === 'generic' || Object.hasOwn(ARCHITECTURES, name)) return name;
  return Object.hasOwn(ARCH_ALIASES, name) ? ARCH_ALIASES[name] : undefined;
}

/** The errno table for an architecture name; `undefined` (no argument) means the generic table. */
export function errnoTableFor(arch: string | undefined): ErrnoTableName | undefined {
  if (arch === undefined) return 'generic';
  const resolved = resolveArch(arch);
  if (resolved === undefined) return undefined;
  return resolved === 'generic' ? 'generic' : ARCHITECTURES[resolved];
}
