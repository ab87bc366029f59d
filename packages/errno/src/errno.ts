import { type CompiledTable, type ErrnoInfo, glibcText, tableOf } from './errno-table.js';
import { invalidArgument, isCInt, show } from './error.js';

export type { ErrnoInfo };

/** The table for `arch`, or an `EINVAL` ErrnoError naming the function that needed it. */
export function requireTable(arch: string | undefined, caller: string): CompiledTable {
  const table = tableOf(arch);
  if (table === undefined) {
    throw invalidArgument(caller, `unknown architecture ${show(arch)}`);
  }
  return table;
}

/**
 * The number of errno `name` (canonical name or alias) on `arch` (default: the generic table).
 * `undefined` for an unknown name or an unknown architecture.
 *
 * @example errnoNumber('EAGAIN') === 11; errnoNumber('EAGAIN', 'alpha') === 35
 */
export function errnoNumber(name: string, arch?: string): number | undefined {
  if (typeof name !== 'string') return undefined;
  return tableOf(arch)?.byName.get(name)?.errno;
}

/**
 * The canonical name of errno `code` on `arch` (default: the generic table). `undefined` for a
 * number no header defines there, or an unknown architecture.
 *
 * @example errnoName(11) === 'EAGAIN'; errnoName(1133, 'mips') === 'EDQUOT'
 */
export function errnoName(code: number, arch?: string): string | undefined {
  return tableOf(arch)?.byNumber.get(code)?.name;
}

/** Everything known about one errno (number, or canonical name or alias), or `undefined`. */
export function errnoInfo(codeOrName: number | string, arch?: string): ErrnoInfo | undefined {
  const table = tableOf(arch);
  if (typeof codeOrName === 'string') return table?.byName.get(codeOrName);
  return table?.byNumber.get(codeOrName);
}

/** Every errno of `arch`'s table (user-visible and internal), by number; `undefined` for an unknown arch. */
export function errnoEntries(arch?: string): readonly ErrnoInfo[] | undefined {
  return tableOf(arch)?.entries;
}

/**
 * What glibc's `strerror` prints for an errno on `arch` (default: the generic table): its message,
 * `"Success"` for 0, and `"Unknown error N"` for numbers glibc has no text for — which includes the
 * kernel-internal codes (512 …) and the few arch-only names glibc does not list.
 *
 * Throws an `EINVAL` `ErrnoError` (as `strerror_r` answers EINVAL) for an unknown name, a
 * number that is not a C `int`, or an unknown architecture.
 *
 * @example strerror(129) === 'Key was rejected by service'; strerror('EDQUOT', 'mips') === 'Disk quota exceeded'
 */
export function strerror(codeOrName: number | string, arch?: string): string {
  const table = requireTable(arch, 'strerror');
  if (typeof codeOrName === 'string') {
    const info = table.byName.get(codeOrName);
    if (info === undefined) {
      throw invalidArgument('strerror', `unknown errno name '${codeOrName}'`);
    }
    return info.message;
  }
  if (!isCInt(codeOrName)) throw invalidArgument('strerror', `${show(codeOrName)} is not an errno number`);
  const info = table.byNumber.get(codeOrName);
  return info?.message ?? glibcText(codeOrName, undefined, false);
}
