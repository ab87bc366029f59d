/**
 * depmod's table of symbols (`tools/depmod.c: depmod_symbol_add`, `depmod_symbol_find`,
 * `depmod_load_symvers`, `depmod_load_system_map`): the kernel's own exports from Module.symvers
 * (`-E`) or System.map (`-F`), without an owner, then every module's exports, a later one replacing
 * an earlier one of the same name (kmod's `hash_add` replaces).
 */
import { inHashOrder, SYMBOLS_BUCKETS } from './kmod-hash.js';
import type { DepmodLog } from './log.js';

/** A symbol and the module (its index in depmod's module order) that exports it, if any. */
export interface SymbolOwner {
  readonly name: string;
  readonly crc: number;
  /** undefined for the kernel's symbols (from -E/-F) and the fake ones. */
  readonly owner: number | undefined;
}

/** glibc's `fgets(line, size, fp)`: lines with their '\n', cut into pieces of at most size - 1 bytes. */
export function fgetsLines(text: string, size: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const end = Math.min(nl < 0 ? text.length : nl + 1, at + size - 1);
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * `strtoull(text, &end, 16)` where kmod then requires `*end == '\0'`: the value, or undefined when
 * anything is left over. Leading white space, a sign and `0x` are accepted; overflow saturates.
 */
export function parseHexU64(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)$/.exec(text);
  if (m === null) return undefined;
  const value = BigInt(`0x${m[2]}`);
  if (value > 0xffffffffffffffffn) return 2 ** 64 - 1;
  return Number(m[1] === '-' ? BigInt.asUintN(64, -value) : value);
}

export class SymbolTable {
  readonly #symbols = new Map<string, SymbolOwner>();
  /** `-P`: a character stripped from the front of names; '' for none. */
  readonly #prefix: string;

  constructor(prefix = '') {
    this.#prefix = prefix;
  }

  get size(): number {
    return this.#symbols.size;
  }

  /** `depmod_symbol_add`: the prefix is stripped unless the caller has done it. */
  add(name: string, prefixSkipped: boolean, crc: number, owner: number | undefined): void {
    const key = !prefixSkipped && this.#prefix !== '' && name[0] === this.#prefix ? name.slice(1) : name;
    this.#symbols.set(key, { name: key, crc, owner });
  }

  /** `depmod_symbol_find`: a leading '.' (ppc64 function descriptors) and then the prefix are ignored. */
  find(name: string): SymbolOwner | undefined {
    let key = name[0] === '.' ? name.slice(1) : name;
    if (this.#prefix !== '' && key[0] === this.#prefix) key = key.slice(1);
    return this.#symbols.get(key);
  }

  /** `depmod_add_fake_syms`: symbols the kernel's loader provides, never a dependency. */
  addFakeSymbols(): void {
    this.add('__this_module', true, 0, undefined);
    this.add('_GLOBAL_OFFSET_TABLE_', true, 0, undefined);
    if (this.find('TOC.') === undefined) this.add('TOC.', true, 0, undefined);
  }

  /**
   * `depmod_load_symvers`: the `vmlinux` lines of a Module.symvers (`CRC\tNAME\tvmlinux\tEXPORT…`).
   * `errnoText` is what kmod's `%m` prints for a bad CRC, where nothing failed: whatever errno was
   * left (see `analyseModules`).
   */
  loadSymvers(text: string, file: string, log: DepmodLog, errnoText = 'Success'): void {
    let lineNumber = 0;
    for (const line of fgetsLines(text, 10240)) {
      lineNumber++;
      const [ver, sym, where] = line.split(/[ \t]+/).filter((w) => w !== '');
      if (ver === undefined || sym === undefined || where === undefined) continue;
      if (where !== 'vmlinux') continue;
      const crc = parseHexU64(ver);
      if (crc === undefined) {
        log('error', `${file}:${lineNumber} Invalid symbol version ${ver}: ${errnoText}\n`);
        continue;
      }
      this.add(sym, false, crc, undefined);
    }
    this.addFakeSymbols();
  }

  /** `depmod_load_system_map`: the `__ksymtab_NAME` symbols of a System.map (`ADDR TYPE NAME`). */
  loadSystemMap(text: string, file: string, log: DepmodLog): void {
    let lineNumber = 0;
    for (const line of fgetsLines(text, 10240)) {
      lineNumber++;
      const first = line.indexOf(' ');
      const second = first < 0 ? -1 : line.indexOf(' ', first + 1);
      if (second < 0) {
        log('error', `${file}:${lineNumber}: invalid line: ${line}\n`);
        continue;
      }
      let name = line.slice(second + 1);
      if (this.#prefix !== '' && name[0] === this.#prefix) name = name.slice(1);
      if (!name.startsWith('__ksymtab_')) continue;
      const nl = name.indexOf('\n');
      if (nl >= 0) name = name.slice(0, nl);
      this.add(name.slice('__ksymtab_'.length), true, 0, undefined);
    }
    this.addFakeSymbols();
  }

  /** The symbols in the order depmod writes them (its hash table's). */
  ordered(): SymbolOwner[] {
    return inHashOrder([...this.#symbols.values()], (s) => s.name, SYMBOLS_BUCKETS);
  }
}
