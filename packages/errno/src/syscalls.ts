/**
 * What each errno means when a module system call returns it. Sources: the man pages (man-pages 6.03:
 * init_module(2), delete_module(2), create_module(2), query_module(2), get_kernel_syms(2)), the
 * Linux 6.1 code that returns each value, and the words kmod 30 prints for it (tools/insmod.c
 * mod_strerror, tools/modprobe.c, tools/rmmod.c), which users search for.
 */
import { glibcText, tableOf } from './errno-table.js';
import { isCInt } from './error.js';

/** The module system calls, current and removed (create_module, query_module, get_kernel_syms: gone in 2.6). */
export const MODULE_SYSCALLS = Object.freeze([
  'init_module',
  'finit_module',
  'delete_module',
  'create_module',
  'query_module',
  'get_kernel_syms',
] as const);

export type ModuleSyscall = (typeof MODULE_SYSCALLS)[number];

/** One errno a module system call can return. */
export interface SyscallErrno {
  /** Canonical errno name (`EAGAIN` for delete_module's `EWOULDBLOCK`). */
  readonly name: string;
  /** What the kernel means by it for this call. */
  readonly meaning: string;
  /** What to do about it, with the words kmod prints for it where kmod has its own. */
  readonly hint?: string;
  /** Where the meaning comes from: man page and kernel or kmod source location. */
  readonly source: string;
}

interface LoadErrno {
  readonly name: string;
  readonly meaning: string;
  /** Extra causes that only finit_module has (it reads the module from a file descriptor). */
  readonly finit?: string;
  /** Present only for init_module or only for finit_module. */
  readonly only?: 'init_module' | 'finit_module';
  readonly hint?: string;
  readonly source: string;
}

const KMOD_UNKNOWN_SYMBOL = 'Unknown symbol in module, or unknown parameter (see dmesg)';

// init_module(2) and finit_module(2) share load_module() (kernel/module/main.c), so they share most
// errors; the `finit` text adds what kernel_read_file_from_fd (fs/kernel_read_file.c) contributes.
const LOAD_ERRNOS: readonly LoadErrno[] = [
  {
    name: 'EPERM',
    meaning:
      'The caller lacks CAP_SYS_MODULE, module loading is disabled (/proc/sys/kernel/modules_disabled is 1), ' +
      'the module is named in the module_blacklist= boot parameter, or kernel lockdown refuses a module ' +
      'without a valid signature.',
    finit: 'A security module (e.g. LoadPin) may also refuse the file.',
    hint:
      'Run as root; check /proc/sys/kernel/modules_disabled (once 1 it stays 1 until reboot); dmesg says ' +
      '"Module <name> is blacklisted" or names the lockdown.',
    source:
      'man 2 init_module; kernel/module/main.c: may_init_module, load_module (blacklisted); ' +
      'kernel/module/signing.c: module_sig_check (security_locked_down)',
  },
  {
    name: 'ENOENT',
    meaning:
      'A symbol the module needs is exported by neither the kernel nor any loaded module (or is GPL-only and ' +
      'the module is not GPL-compatible); dmesg: "<module>: Unknown symbol <sym> (err -2)". Or a parameter ' +
      'was given that the module does not have; dmesg: "<module>: Unknown parameter `<name>\'".',
    hint:
      `kmod says "${KMOD_UNKNOWN_SYMBOL}" (insmod: "Unknown symbol in module"). Load the modules it depends ` +
      'on first (modprobe does this, insmod does not) and compare the parameter names with `modinfo -p`.',
    source: 'kernel/module/main.c: simplify_symbols; kernel/params.c: parse_args; kmod tools/modprobe.c',
  },
  {
    name: 'ESRCH',
    meaning:
      'Linux 6.1 does not return it from module loading; kmod (after module-init-tools) still translates it ' +
      'as a symbol version mismatch, which current kernels report as EINVAL. Only a module init function ' +
      'returning -ESRCH produces it today.',
    hint: 'kmod insmod says "Module has wrong symbol version".',
    source: 'kmod tools/insmod.c: mod_strerror',
  },
  {
    name: 'EINTR',
    meaning: 'A signal arrived while waiting for another load of a module with the same name to finish.',
    source: 'kernel/module/main.c: add_unformed_module (wait_event_interruptible)',
  },
  {
    name: 'EBADF',
    only: 'finit_module',
    meaning: 'fd is not an open file descriptor, or was not opened for reading.',
    source: 'man 2 init_module; fs/kernel_read_file.c: kernel_read_file_from_fd',
  },
  {
    name: 'ENOMEM',
    meaning:
      'Out of memory: no room for the copy of the image, its sections, its per-cpu area or the signature check.',
    source: 'man 2 init_module; kernel/module/main.c: load_module, layout_and_allocate',
  },
  {
    name: 'EACCES',
    only: 'finit_module',
    meaning: 'A security module refused to let the kernel read the file (IMA appraisal failed).',
    hint: 'dmesg and the audit log name the policy rule.',
    source: 'fs/kernel_read_file.c: kernel_read_file (security_kernel_read_file); security/integrity/ima',
  },
  {
    name: 'EFAULT',
    meaning:
      "An address argument (module_image or param_values) points outside the process's accessible address space.",
    finit: 'For finit_module only param_values is an address.',
    source: 'man 2 init_module; kernel/module/main.c: copy_module_from_user',
  },
  {
    name: 'EBUSY',
    meaning:
      'A module with the same name was being loaded or removed at the same moment and did not end up live, or ' +
      'a symbol this module needs belongs to a module whose init is still running and 30 s passed waiting ' +
      '(dmesg: "<module>: gave up waiting for init of module <owner>").',
    hint: 'Retry after the other load or unload has finished.',
    source: 'man 2 init_module; kernel/module/main.c: add_unformed_module, resolve_symbol_wait',
  },
  {
    name: 'EEXIST',
    meaning: 'A module with this name is already loaded.',
    hint:
      'modprobe says "Module already in kernel", insmod says "File exists"; check lsmod or /sys/module/<name>. ' +
      'Unload it first to load another build of it.',
    source: 'man 2 init_module; kernel/module/main.c: add_unformed_module; kmod tools/modprobe.c',
  },
  {
    name: 'EINVAL',
    meaning:
      'A parameter value does not parse for its type (dmesg: "`<value>\' invalid for parameter `<name>\'"), ' +
      'a symbol\'s CRC in __versions disagrees with the kernel\'s (dmesg: "disagrees about version of symbol" ' +
      'or "no symbol version for"), the module uses a namespaced symbol without MODULE_IMPORT_NS ' +
      '(dmesg: "module uses symbol (<sym>) from namespace <ns>, but does not import it"), or the ELF image ' +
      'is inconsistent in a way the kernel reports as EINVAL (misaligned, both .ctors and .init_array).',
    finit:
      'For finit_module also: flags has bits other than MODULE_INIT_IGNORE_MODVERSIONS, ' +
      'MODULE_INIT_IGNORE_VERMAGIC and MODULE_INIT_COMPRESSED_FILE; fd is not a regular file or is empty; or ' +
      'MODULE_INIT_COMPRESSED_FILE data does not decompress.',
    hint: 'kmod insmod says "Invalid parameters"; dmesg says which of these it was.',
    source:
      'man 2 init_module; kernel/params.c: parse_args; kernel/module/version.c: check_version; ' +
      'kernel/module/main.c: verify_namespace_is_imported, SYSCALL_DEFINE3(finit_module); ' +
      'fs/kernel_read_file.c: kernel_read_file; kernel/module/decompress.c',
  },
  {
    name: 'EFBIG',
    only: 'finit_module',
    meaning: 'The file is too large (more than INT_MAX bytes).',
    source: 'man 2 init_module; fs/kernel_read_file.c: kernel_read_file',
  },
  {
    name: 'ETXTBSY',
    only: 'finit_module',
    meaning:
      'The file is open for writing (the kernel denies writes while it reads a module; since Linux 4.7).',
    hint: 'Close whatever is writing the .ko (a build or copy still running) and retry.',
    source: 'man 2 init_module; fs/kernel_read_file.c: kernel_read_file (deny_write_access)',
  },
  {
    name: 'ENOSPC',
    meaning:
      "A string parameter's value is longer than its buffer (dmesg: \"`<value>' too large for parameter `<name>'\").",
    source: 'kernel/params.c: parse_args, param_set_copystring',
  },
  {
    name: 'ENOSYS',
    meaning: 'The kernel has no module support (CONFIG_MODULES=n), so the system call does not exist.',
    finit: 'finit_module also does not exist before Linux 3.8; kmod then falls back to init_module.',
    source: 'kernel/sys_ni.c; kmod libkmod/libkmod-module.c: kmod_module_insert_module',
  },
  {
    name: 'ENOEXEC',
    meaning:
      'The image is not a module for this kernel: not ELF, wrong class or machine, malformed section headers or ' +
      'symbol table, no symbol table at all (a stripped module; dmesg: "module has no symbols (stripped?)"), ' +
      'no .gnu.linkonce.this_module (dmesg: "No module found in object"), ' +
      "a version magic that differs from the kernel's " +
      "(dmesg: \"version magic '<x>' should be '<y>'\"), a struct module layout that differs (module_layout CRC), " +
      'or a common symbol (dmesg: "please compile with -fno-common").',
    finit:
      'man 2 init_module also lists ENOEXEC for an fd that does not refer to an open file; Linux 6.1 returns ' +
      'EBADF for that.',
    hint:
      'kmod says "Invalid module format". Compare `modinfo -F vermagic <file>` with `uname -r` and rebuild the ' +
      'module against the running kernel.',
    source:
      'man 2 init_module; kernel/module/main.c: elf_validity_check, setup_load_info, check_modinfo, ' +
      'check_modstruct_version, ' +
      'simplify_symbols; kmod tools/insmod.c: mod_strerror',
  },
  {
    name: 'EBADMSG',
    meaning:
      'The signature appended to the module is malformed (module shorter than its signature, bad ' +
      'module_signature fields, unparsable PKCS#7). Since Linux 3.7.',
    source:
      'man 2 init_module; kernel/module/signing.c: mod_verify_sig; kernel/module_signature.c: mod_check_sig',
  },
  {
    name: 'EOPNOTSUPP',
    only: 'finit_module',
    meaning:
      'MODULE_INIT_COMPRESSED_FILE was given but the kernel was built without CONFIG_MODULE_DECOMPRESS.',
    hint: 'Decompress the module in user space and load it without the flag (kmod does this on its own).',
    source: 'kernel/module/internal.h: module_decompress',
  },
  {
    name: 'ENOKEY',
    meaning:
      "Older kernels: signatures were enforced and the kernel has no key for this module's signature " +
      '(man 2 init_module). Linux 6.1 returns EKEYREJECTED in that case.',
    source: 'man 2 init_module; kernel/module/signing.c: module_sig_check',
  },
  {
    name: 'EKEYREJECTED',
    meaning:
      'The signature was checked and failed (wrong key, digest mismatch, blacklisted hash), or signatures are ' +
      'enforced (CONFIG_MODULE_SIG_FORCE or module.sig_enforce=1) and the module is unsigned, signed with a key ' +
      'the kernel does not have, or uses an unsupported algorithm (dmesg: "Loading of unsigned module is ' +
      'rejected").',
    hint:
      'Sign the module with a key the kernel trusts (scripts/sign-file; with Secure Boot, enrol the key with ' +
      'mokutil), or boot without module.sig_enforce. --force (ignoring vermagic or modversions) discards the ' +
      'signature.',
    source: 'kernel/module/signing.c: module_sig_check, mod_verify_sig',
  },
];

function loadErrnos(syscall: 'init_module' | 'finit_module'): SyscallErrno[] {
  return LOAD_ERRNOS.filter((e) => e.only === undefined || e.only === syscall).map((e) => ({
    name: e.name,
    meaning: syscall === 'finit_module' && e.finit !== undefined ? `${e.meaning} ${e.finit}` : e.meaning,
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    source: e.source,
  }));
}

/** Orders a list by errno number (generic numbering) and freezes it and its entries. */
function finish(list: SyscallErrno[]): readonly SyscallErrno[] {
  const generic = tableOf(undefined)!;
  const number = (e: SyscallErrno): number => generic.byName.get(e.name)!.errno;
  return Object.freeze(list.sort((a, b) => number(a) - number(b)).map((e) => Object.freeze(e)));
}

const REMOVED_IN_2_6 =
  'The system call was removed in Linux 2.6 (the module loader moved into the kernel); architectures ' +
  'added since do not even have its number.';

const ERRNOS: Readonly<Record<ModuleSyscall, readonly SyscallErrno[]>> = {
  init_module: finish(loadErrnos('init_module')),
  finit_module: finish(loadErrnos('finit_module')),
  delete_module: finish([
    {
      name: 'EPERM',
      meaning:
        'The caller lacks CAP_SYS_MODULE, or module unloading is disabled (/proc/sys/kernel/modules_disabled is 1).',
      hint: 'Run as root; modules_disabled stays 1 until reboot.',
      source: 'man 2 delete_module; kernel/module/main.c: SYSCALL_DEFINE2(delete_module)',
    },
    {
      name: 'ENOENT',
      meaning:
        'No module by that name is loaded (or the name is empty or MODULE_NAME_LEN bytes or longer). ' +
        'Built-in modules cannot be removed either.',
      hint: 'rmmod says "Module <name> is not currently loaded" or "Module <name> is builtin"; check lsmod.',
      source: 'man 2 delete_module; kernel/module/main.c: SYSCALL_DEFINE2(delete_module); kmod tools/rmmod.c',
    },
    {
      name: 'EINTR',
      meaning: 'A signal arrived while waiting for the module mutex.',
      source: 'kernel/module/main.c: SYSCALL_DEFINE2(delete_module) (mutex_lock_interruptible)',
    },
    {
      name: 'EAGAIN',
      meaning:
        'EWOULDBLOCK: other modules depend on this one (listed in /sys/module/<name>/holders), or its ' +
        'reference count is not zero and O_TRUNC (force) was not given. Linux 6.1 never waits for the count ' +
        'to drop, whatever O_NONBLOCK says (the blocking mode delete_module(2) describes is gone).',
      hint:
        'rmmod says "Module <name> is in use by: <holders>" or "Module <name> is in use". Remove the holders ' +
        'first (modprobe -r does it in order) or stop what holds it open.',
      source: 'man 2 delete_module; kernel/module/main.c: SYSCALL_DEFINE2(delete_module), try_stop_module',
    },
    {
      name: 'EFAULT',
      meaning: "name points outside the process's accessible address space.",
      source: 'man 2 delete_module',
    },
    {
      name: 'EBUSY',
      meaning:
        'The module is not live (its init is still running, or it is already being removed), or it has an init ' +
        'function but no exit function and O_TRUNC (force) was not given.',
      hint:
        'rmmod --force (O_TRUNC) works only with CONFIG_MODULE_FORCE_UNLOAD and taints the kernel; a module ' +
        'without an exit function is meant to stay.',
      source: 'man 2 delete_module; kernel/module/main.c: SYSCALL_DEFINE2(delete_module), try_force_unload',
    },
    {
      name: 'ENOSYS',
      meaning: 'The kernel was built without CONFIG_MODULE_UNLOAD (or without modules at all).',
      hint: 'rmmod says "Module unloading is not supported".',
      source: 'kernel/sys_ni.c; kmod tools/rmmod.c: check_module_inuse',
    },
  ]),
  create_module: finish([
    {
      name: 'EPERM',
      meaning: 'Linux 2.4 and earlier: the caller lacks CAP_SYS_MODULE.',
      source: 'man 2 create_module',
    },
    {
      name: 'EFAULT',
      meaning: 'Linux 2.4 and earlier: name is outside the accessible address space.',
      source: 'man 2 create_module',
    },
    {
      name: 'ENOMEM',
      meaning: 'Linux 2.4 and earlier: no contiguous block of kernel memory large enough for the module.',
      source: 'man 2 create_module',
    },
    {
      name: 'EEXIST',
      meaning: 'Linux 2.4 and earlier: a module by that name already exists.',
      source: 'man 2 create_module',
    },
    {
      name: 'EINVAL',
      meaning: 'Linux 2.4 and earlier: the size is too small even for the module header.',
      source: 'man 2 create_module',
    },
    {
      name: 'ENOSYS',
      meaning: `Not supported by this kernel (Linux 2.6 or later). ${REMOVED_IN_2_6}`,
      hint: 'Load modules with finit_module or init_module, which take the whole image.',
      source: 'man 2 create_module',
    },
  ]),
  query_module: finish([
    {
      name: 'ENOENT',
      meaning: 'Linux 2.4 and earlier: no module by that name exists.',
      source: 'man 2 query_module',
    },
    {
      name: 'EFAULT',
      meaning: 'Linux 2.4 and earlier: name, buf or ret is outside the accessible address space.',
      source: 'man 2 query_module',
    },
    {
      name: 'EINVAL',
      meaning:
        'Linux 2.4 and earlier: invalid which, or name is NULL ("the kernel") where that value of which does ' +
        'not allow it.',
      source: 'man 2 query_module',
    },
    {
      name: 'ENOSPC',
      meaning: 'Linux 2.4 and earlier: the buffer is too small; ret holds the size needed.',
      source: 'man 2 query_module',
    },
    {
      name: 'ENOSYS',
      meaning: `Not supported by this kernel (Linux 2.6 or later). ${REMOVED_IN_2_6}`,
      hint: 'Read /proc/modules, /sys/module/<name>/ and /proc/kallsyms instead.',
      source: 'man 2 query_module',
    },
  ]),
  get_kernel_syms: finish([
    {
      name: 'ENOSYS',
      meaning: `Not supported by this kernel (Linux 2.6 or later); its only error. ${REMOVED_IN_2_6}`,
      hint: 'Read /proc/kallsyms instead.',
      source: 'man 2 get_kernel_syms',
    },
  ]),
};

function isModuleSyscall(name: string): name is ModuleSyscall {
  return (MODULE_SYSCALLS as readonly string[]).includes(name);
}

/**
 * The errnos a module system call can return, with meaning, hint and source; `undefined` for a
 * name that is not in {@link MODULE_SYSCALLS}. init_module and finit_module can also return any
 * errno the module's own init function returns; {@link explain} covers those.
 */
export function syscallErrors(syscall: string): readonly SyscallErrno[] | undefined {
  if (typeof syscall !== 'string' || !isModuleSyscall(syscall)) return undefined;
  return ERRNOS[syscall];
}

/**
 * What `codeOrName` means when `syscall` returns it: the meaning, then `Hint: …` when there is one.
 * Numbers are read on `arch`'s table (default: the generic table); names may be aliases
 * (`EWOULDBLOCK`). For init_module and finit_module an errno the loader itself never returns is
 * explained as the module's init function's own return value. `undefined` for an unknown syscall,
 * name or architecture, and for an errno the (removed) call cannot return.
 */
export function explain(syscall: string, codeOrName: number | string, arch?: string): string | undefined {
  const errors = syscallErrors(syscall);
  const table = tableOf(arch);
  if (errors === undefined || table === undefined) return undefined;
  const info = typeof codeOrName === 'string' ? table.byName.get(codeOrName) : table.byNumber.get(codeOrName);
  const entry = info === undefined ? undefined : errors.find((e) => e.name === info.name);
  if (entry !== undefined)
    return entry.hint === undefined ? entry.meaning : `${entry.meaning} Hint: ${entry.hint}`;
  if (syscall !== 'init_module' && syscall !== 'finit_module') return undefined;
  if (info === undefined && !isCInt(codeOrName)) return undefined;
  const errno = info?.errno ?? (codeOrName as number);
  const label = info === undefined ? `-${errno}` : `-${info.name}`;
  const text = info?.message ?? glibcText(errno, undefined, false);
  // An init function returning a kernel-internal code (e.g. -EPROBE_DEFER) leaks it as is.
  const leak = info?.internal
    ? ', a kernel-internal code (include/linux/errno.h) that leaks to user space this way'
    : '';
  return (
    `Not an error the module loader returns itself: the module's init function returned ${label} ("${text}")${leak}, ` +
    "and the load was undone. Hint: dmesg usually has the driver's own message."
  );
}
