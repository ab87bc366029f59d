import { type ErrnoTableName, errnoTableFor } from './arch.js';
import {
  ARCH_ERRNO_OVERRIDES,
  type ErrnoDefines,
  GENERIC_ERRNO,
  GLIBC_ERRNO_ALIASES,
  GLIBC_MESSAGES,
  KERNEL_INTERNAL_ERRNO,
} from './tables.js';

/** One errno value of one architecture's table. */
export interface ErrnoInfo {
  /** Canonical name: the one glibc and the generic table use for this number (`EAGAIN`, not `EWOULDBLOCK`). */
  readonly name: string;
  /** The number on this architecture. */
  readonly errno: number;
  /** Other names for the same number on this architecture (`EWOULDBLOCK`, `EDEADLOCK`, `ENOTSUP` …). */
  readonly aliases: readonly string[];
  /** True for include/linux/errno.h codes (`ERESTARTSYS` 512 …) that user space should never see. */
  readonly internal: boolean;
  /** What glibc's strerror prints for the number: its text, or "Unknown error N". */
  readonly message: string;
}

/** One architecture's table, indexed both ways (built on first use, then cached). */
export interface CompiledTable {
  readonly byName: ReadonlyMap<string, ErrnoInfo>;
  readonly byNumber: ReadonlyMap<number, ErrnoInfo>;
  readonly entries: readonly ErrnoInfo[];
}

// Not state: each table is built once from the constant data above, the same whoever asks first, and never changed.
const compiled = new Map<ErrnoTableName, CompiledTable>();

/** glibc's strerror text for `errno`, given the canonical name the table has for it (if any). */
export function glibcText(errno: number, name: string | undefined, internal: boolean): string {
  if (errno === 0) return 'Success';
  const text = name === undefined || internal ? undefined : GLIBC_MESSAGES[name];
  // glibc's __strerror_r: a number with no errlist.h entry prints "Unknown error N".
  return text ?? `Unknown error ${errno}`;
}

/** Builds name and number indexes for one table; aliases resolve through chains (`A B`, `B 5`). */
function compile(table: ErrnoTableName): CompiledTable {
  const byName = new Map<string, ErrnoInfo & { aliases: string[] }>();
  const byNumber = new Map<number, ErrnoInfo & { aliases: string[] }>();
  const add = (defines: ErrnoDefines, internal: boolean): void => {
    for (const [name, value] of Object.entries(defines)) {
      if (typeof value !== 'number') continue;
      const info = { name, errno: value, aliases: [], internal, message: glibcText(value, name, internal) };
      byName.set(name, info);
      byNumber.set(value, info);
    }
    for (const [name, value] of Object.entries(defines)) {
      if (typeof value === 'number') continue;
      let target: number | string | undefined = value;
      while (typeof target === 'string') target = byName.get(target)?.errno ?? defines[target];
      const info = target === undefined ? undefined : byNumber.get(target);
      if (info === undefined) continue;
      info.aliases.push(name);
      byName.set(name, info);
    }
  };
  const overrides = table === 'generic' ? {} : ARCH_ERRNO_OVERRIDES[table];
  add({ ...GENERIC_ERRNO, ...overrides, ...GLIBC_ERRNO_ALIASES }, false);
  add(KERNEL_INTERNAL_ERRNO, true);
  const entries = [...byNumber.values()].sort((a, b) => a.errno - b.errno);
  for (const info of entries) {
    Object.freeze(info.aliases);
    Object.freeze(info);
  }
  return Object.freeze({ byName, byNumber, entries: Object.freeze(entries) });
}

/** The table `arch` uses (no arch: the generic one), or `undefined` for an unknown architecture. */
export function tableOf(arch: string | undefined): CompiledTable | undefined {
  const name = errnoTableFor(arch);
  if (name === undefined) return undefined;
  let table = compiled.get(name);
  if (table === undefined) {
    table = compile(name);
    compiled.set(name, table);
  }
  return table;
}
