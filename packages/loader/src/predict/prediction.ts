/** One check of load_module, in the kernel's order. */
export interface Finding {
  /**
   * Stable id: 'permission', 'signature', 'elf', 'blacklist', 'modversions', 'vermagic', 'modinfo',
   * 'license', 'layout', 'loaded', 'exports', 'symbols', 'duplicates', 'params'.
   */
  readonly check: string;
  /** 'fail' stops the load; 'warn' is a kernel warning or taint; 'unknown': the target lacks what it needs. */
  readonly status: 'ok' | 'fail' | 'warn' | 'unknown';
  /** For 'fail': the errno name init_module(2) returns. */
  readonly errno?: string;
  /** What the kernel logs for it (in its words, without the level), or what the check found. */
  readonly message: string;
  /** More about it where the kernel's words say little (e.g. which section is out of bounds). */
  readonly detail?: string;
  /** For 'fail' and 'warn': `message` is a line the kernel logs (false: the kernel is silent, and it explains). */
  readonly logged?: boolean;
}

/** predictLoad's answer. */
export interface Prediction {
  readonly willLoad: boolean;
  /**
   * 'ENOEXEC', 'EINVAL' … or null when it loads. `willLoad: false` with `errno: null`: the module could not
   * be read far enough to tell (`reason` says what stopped it).
   */
  readonly errno: string | null;
  /** What the kernel would log for the first failure, in its own words; for a load, a one-line summary. */
  readonly reason: string;
  /** `reason` is the kernel's log line (false where the kernel fails silently, e.g. EEXIST). */
  readonly logged: boolean;
  /** Every check made, in the kernel's order, warnings and taints included. */
  readonly findings: readonly Finding[];
  /** Taint flags the load would add ('O', 'E', 'P', 'F', 'C', 'T', 'U'), in the kernel's letter order. */
  readonly taints: string;
}
