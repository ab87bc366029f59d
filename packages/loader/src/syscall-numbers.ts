/**
 * The vocabulary of the module system calls: their raw numbers per architecture (for `syscall(2)`),
 * and the flag values they take. Pure data, checked by the tests against the kernel's own tables
 * (`arch/x86/entry/syscalls/syscall_{32,64}.tbl`, `include/uapi/asm-generic/unistd.h`,
 * `arch/{arm/tools,s390,powerpc,mips}/…/syscall*.tbl`, `include/uapi/asm-generic/fcntl.h`,
 * `arch/mips/include/uapi/asm/fcntl.h`, `include/uapi/linux/module.h`) of Linux 6.1.
 */

/** The architectures kmodkit knows the module system call numbers of, by their `uname -m`-style names. */
export const SYSCALL_ARCHES = Object.freeze([
  'x86_64',
  'i386',
  'arm64',
  'armhf',
  's390x',
  'ppc64le',
  'riscv64',
  'loongarch64',
  'mips64',
] as const);

export type SyscallArch = (typeof SYSCALL_ARCHES)[number];

/** The module system calls: the current three, and the 2.0–2.4 ones removed in Linux 2.6. */
export type ModuleSyscallName =
  | 'init_module'
  | 'delete_module'
  | 'finit_module'
  | 'create_module'
  | 'get_kernel_syms'
  | 'query_module';

/** One architecture's numbers; a removed call is absent where the table has no number left for it. */
export type SyscallNumbers = Readonly<Partial<Record<ModuleSyscallName, number>>>;

/** The numbers of `include/uapi/asm-generic/unistd.h`, which the newer ports use as they are. */
const GENERIC: SyscallNumbers = { init_module: 105, delete_module: 106, finit_module: 273 };

/**
 * Raw numbers per architecture. The removed calls keep their numbers where the table still reserves
 * them (the kernel answers them with `sys_ni_syscall`, ENOSYS); armhf's EABI table dropped them
 * ("127 was sys_create_module"), and the asm-generic ports never had them. mips64 is the n64 ABI,
 * whose table numbers are offset by `__NR_Linux` = 5000.
 */
export const MODULE_SYSCALL_NUMBERS: Readonly<Record<SyscallArch, SyscallNumbers>> = Object.freeze({
  x86_64: {
    create_module: 174,
    init_module: 175,
    delete_module: 176,
    get_kernel_syms: 177,
    query_module: 178,
    finit_module: 313,
  },
  i386: {
    create_module: 127,
    init_module: 128,
    delete_module: 129,
    get_kernel_syms: 130,
    query_module: 167,
    finit_module: 350,
  },
  arm64: GENERIC,
  armhf: { init_module: 128, delete_module: 129, finit_module: 379 },
  s390x: {
    create_module: 127,
    init_module: 128,
    delete_module: 129,
    get_kernel_syms: 130,
    query_module: 167,
    finit_module: 344,
  },
  ppc64le: {
    create_module: 127,
    init_module: 128,
    delete_module: 129,
    get_kernel_syms: 130,
    query_module: 166,
    finit_module: 353,
  },
  riscv64: GENERIC,
  loongarch64: GENERIC,
  mips64: {
    create_module: 5167,
    init_module: 5168,
    delete_module: 5169,
    get_kernel_syms: 5170,
    query_module: 5171,
    finit_module: 5307,
  },
});

/** `include/uapi/linux/module.h`: the flags of finit_module(2). */
export const MODULE_INIT_IGNORE_MODVERSIONS = 1;
export const MODULE_INIT_IGNORE_VERMAGIC = 2;
export const MODULE_INIT_COMPRESSED_FILE = 4;

/** The open(2) flags delete_module(2) takes, which differ by architecture. */
export interface DeleteModuleFlags {
  /** Fail with EWOULDBLOCK instead of waiting (kmod always passes it). */
  readonly O_NONBLOCK: number;
  /** Force the removal (rmmod -f; needs CONFIG_MODULE_FORCE_UNLOAD, taints the kernel). */
  readonly O_TRUNC: number;
}

// include/uapi/asm-generic/fcntl.h: octal 04000 and 01000; mips overrides O_NONBLOCK
// (arch/mips/include/uapi/asm/fcntl.h). alpha, parisc and sparc differ too, but are not in the table.
const GENERIC_FCNTL: DeleteModuleFlags = { O_NONBLOCK: 0o4000, O_TRUNC: 0o1000 };

export const DELETE_MODULE_FLAGS: Readonly<Record<SyscallArch, DeleteModuleFlags>> = Object.freeze({
  x86_64: GENERIC_FCNTL,
  i386: GENERIC_FCNTL,
  arm64: GENERIC_FCNTL,
  armhf: GENERIC_FCNTL,
  s390x: GENERIC_FCNTL,
  ppc64le: GENERIC_FCNTL,
  riscv64: GENERIC_FCNTL,
  loongarch64: GENERIC_FCNTL,
  mips64: { O_NONBLOCK: 0x80, O_TRUNC: 0x200 },
});

/** Names the architectures go by elsewhere (Node's `process.arch`, Debian, `uname -m`) → ours. */
const ARCH_ALIASES: Readonly<Record<string, SyscallArch>> = {
  x64: 'x86_64',
  amd64: 'x86_64',
  ia32: 'i386',
  i686: 'i386',
  aarch64: 'arm64',
  arm: 'armhf',
  armv7l: 'armhf',
  ppc64: 'ppc64le',
  ppc64el: 'ppc64le',
  loong64: 'loongarch64',
  mips64el: 'mips64',
};

/**
 * The table name for `arch` (one of {@link SYSCALL_ARCHES} or an alias: `process.arch`, Debian or
 * `uname -m` names); undefined for an architecture kmodkit has no numbers for.
 */
export function resolveSyscallArch(arch: string): SyscallArch | undefined {
  if ((SYSCALL_ARCHES as readonly string[]).includes(arch)) return arch as SyscallArch;
  return Object.hasOwn(ARCH_ALIASES, arch) ? ARCH_ALIASES[arch] : undefined;
}
