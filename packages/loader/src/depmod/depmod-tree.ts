/** The result of depmod's analysis, from which every output file is written. */
import type { SymbolOwner } from './symbol-table.js';

/** One module, at its place in depmod's order (the index is the priority in the `.bin` indexes). */
export interface TreeModule {
  readonly name: string;
  /** The path as modules.dep writes it (relative to the module directory when inside it), as latin1 bytes. */
  readonly written: string;
  /** The `alias`, `softdep` and `weakdep` entries of `.modinfo`, in order. */
  readonly info: readonly (readonly [string, string])[];
  /** Every module this one needs, directly or not, in kmod's order: indexes into `modules`. */
  readonly dependencies: readonly number[];
}

export interface DepmodTree {
  /** `BASEDIR/lib/modules/VERSION`. */
  readonly moduleDirectory: string;
  readonly modules: readonly TreeModule[];
  /** The symbol table in depmod's (hash table) order, owners as indexes into `modules`. */
  readonly symbols: readonly SymbolOwner[];
}

/** Text as latin1 bytes (every char of a depmod string is one byte). */
export function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}
