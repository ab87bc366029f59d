/** One exported symbol of the target kernel or of a module it has (Module.symvers, one line). */
export interface KernelSymbol {
  readonly name: string;
  /** The modversions CRC (Module.symvers column 1), if known. */
  readonly crc?: number;
  /** 'vmlinux' or the exporting module's name (normalised with '_'). */
  readonly module: string;
  /** EXPORT_SYMBOL_NS's namespace; '' or absent = none. */
  readonly namespace?: string;
  /** EXPORT_SYMBOL_GPL; absent = unknown. */
  readonly gplOnly?: boolean;
}

/** kernel/module/main.c try_to_force_load, lockdown levels (security/lockdown/lockdown.c). */
export type Lockdown = 'none' | 'integrity' | 'confidentiality';

/**
 * A plain description of the kernel a module would be loaded into. Every field is optional: absent means
 * unknown, and the checks that need it report `unknown` instead of guessing.
 */
export interface LoadTarget {
  /** `uname -r`. */
  readonly release?: string;
  /** The kernel's VERMAGIC_STRING, e.g. '6.1.0-56-amd64 SMP preempt mod_unload modversions '. */
  readonly vermagic?: string;
  /** CONFIG_MODVERSIONS: the kernel's exports carry CRCs. */
  readonly modversions?: boolean;
  /** What the kernel and its modules export, by name. */
  readonly symbols?: ReadonlyMap<string, KernelSymbol>;
  /**
   * Names of the loaded modules (normalised with '_'). Known: a symbol exported by a module that is not
   * in it is missing, as for insmod. Absent: such a symbol counts as available once its module is loaded
   * first, as modprobe would.
   */
  readonly loaded?: ReadonlySet<string>;
  /** /proc/modules taint letters of loaded modules, by name ('P' = proprietary: kernel/module/main.c inherit_taint). */
  readonly taints?: ReadonlyMap<string, string>;
  /** e_machine of the kernel (elf_check_arch), e.g. 62 for x86_64. */
  readonly machine?: number;
  /** /proc/sys/kernel/modules_disabled. */
  readonly modulesDisabled?: boolean;
  /** The loading process has CAP_SYS_MODULE (may_init_module). */
  readonly capSysModule?: boolean;
  /** module.sig_enforce (/sys/module/module/parameters/sig_enforce, CONFIG_MODULE_SIG_FORCE). */
  readonly sigEnforce?: boolean;
  /** The kernel checks signatures at all (CONFIG_MODULE_SIG). */
  readonly moduleSig?: boolean;
  /** /sys/kernel/security/lockdown. */
  readonly lockdown?: Lockdown;
  /** Names in `module_blacklist=` on the kernel command line. */
  readonly blacklist?: readonly string[];
  /** CONFIG_MODULE_FORCE_LOAD: a module without vermagic or __versions loads and taints (F). */
  readonly forceLoad?: boolean;
  /** CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS: a missing import_ns only warns. */
  readonly allowMissingNamespaceImports?: boolean;
  /**
   * The signing keys the kernel trusts, as `signer` (the key's issuer common name) and `keyId` (its
   * serial number, lower-case hex) — what `modinfo` prints as signer and sig_key. Absent = unknown.
   */
  readonly trustedKeys?: readonly { readonly signer: string; readonly keyId: string }[];
}
