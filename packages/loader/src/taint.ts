/**
 * The kernel's taint flags (Linux 6.1: `include/linux/panic.h` TAINT_*, `kernel/panic.c: taint_flags`,
 * `Documentation/admin-guide/tainted-kernels.rst`) and the decoding of `/proc/sys/kernel/tainted`.
 */

/** One taint flag, as `kernel/panic.c: taint_flags` has it. */
export interface TaintFlag {
  /** The bit number (`TAINT_UNSIGNED_MODULE` is 13). */
  readonly bit: number;
  /** The kernel's macro name. */
  readonly name: string;
  /** The letter printed when the flag is set (`c_true`). */
  readonly letter: string;
  /** The letter printed when it is not (`c_false`: `G` for bit 0, else a space). */
  readonly unsetLetter: string;
  /** Whether a module can carry the flag (the table's `module` field: it shows in /proc/modules). */
  readonly module: boolean;
  /** The reason, in the words of tainted-kernels.rst. */
  readonly reason: string;
}

const flag = (bit: number, name: string, letter: string, module: boolean, reason: string): TaintFlag => ({
  bit,
  name,
  letter,
  unsetLetter: bit === 0 ? 'G' : ' ',
  module,
  reason,
});

/** Every flag of Linux 6.1, by bit. */
export const TAINT_FLAGS: readonly TaintFlag[] = Object.freeze([
  flag(0, 'TAINT_PROPRIETARY_MODULE', 'P', true, 'proprietary module was loaded'),
  flag(1, 'TAINT_FORCED_MODULE', 'F', true, 'module was force loaded'),
  flag(2, 'TAINT_CPU_OUT_OF_SPEC', 'S', false, 'kernel running on an out of specification system'),
  flag(3, 'TAINT_FORCED_RMMOD', 'R', false, 'module was force unloaded'),
  flag(4, 'TAINT_MACHINE_CHECK', 'M', false, 'processor reported a Machine Check Exception (MCE)'),
  flag(5, 'TAINT_BAD_PAGE', 'B', false, 'bad page referenced or some unexpected page flags'),
  flag(6, 'TAINT_USER', 'U', false, 'taint requested by userspace application'),
  flag(7, 'TAINT_DIE', 'D', false, 'kernel died recently, i.e. there was an OOPS or BUG'),
  flag(8, 'TAINT_OVERRIDDEN_ACPI_TABLE', 'A', false, 'ACPI table overridden by user'),
  flag(9, 'TAINT_WARN', 'W', false, 'kernel issued warning'),
  flag(10, 'TAINT_CRAP', 'C', true, 'staging driver was loaded'),
  flag(11, 'TAINT_FIRMWARE_WORKAROUND', 'I', false, 'workaround for bug in platform firmware applied'),
  flag(12, 'TAINT_OOT_MODULE', 'O', true, 'externally-built ("out-of-tree") module was loaded'),
  flag(13, 'TAINT_UNSIGNED_MODULE', 'E', true, 'unsigned module was loaded'),
  flag(14, 'TAINT_SOFTLOCKUP', 'L', false, 'soft lockup occurred'),
  flag(15, 'TAINT_LIVEPATCH', 'K', true, 'kernel has been live patched'),
  flag(16, 'TAINT_AUX', 'X', true, 'auxiliary taint, defined for and used by distros'),
  flag(17, 'TAINT_RANDSTRUCT', 'T', true, 'kernel was built with the struct randomization plugin'),
  flag(18, 'TAINT_TEST', 'N', true, 'an in-kernel test has been run'),
]);

/** A taint mask decoded. */
export interface Taint {
  /** The mask as the kernel holds it (an unsigned long). */
  readonly mask: bigint;
  /** The flags that are set, by bit. */
  readonly flags: readonly TaintFlag[];
  /** Set bits this table does not know (a newer kernel's flags). */
  readonly unknownBits: readonly number[];
  /** What the kernel prints in an oops (`kernel/panic.c: print_tainted`): `Tainted: G           OE     `, or `Not tainted`. */
  readonly text: string;
}

/** Decodes a taint mask (the number in /proc/sys/kernel/tainted). */
export function decodeTaint(mask: bigint | number): Taint {
  const value = BigInt(mask);
  const set = (bit: number) => ((value >> BigInt(bit)) & 1n) === 1n;
  const flags = TAINT_FLAGS.filter((f) => set(f.bit));
  const unknownBits: number[] = [];
  for (let bit = TAINT_FLAGS.length; value >> BigInt(bit) !== 0n; bit++) if (set(bit)) unknownBits.push(bit);
  const text =
    value === 0n
      ? 'Not tainted'
      : `Tainted: ${TAINT_FLAGS.map((f) => (set(f.bit) ? f.letter : f.unsetLetter)).join('')}`;
  return { mask: value, flags, unknownBits, text };
}

/** The flags a module's taint letters (/proc/modules, /sys/module/<m>/taint: `OE`) name. */
export function moduleTaintFlags(letters: string): TaintFlag[] {
  return TAINT_FLAGS.filter((f) => f.module && letters.includes(f.letter));
}
