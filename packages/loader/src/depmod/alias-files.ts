/**
 * modules.alias, modules.alias.bin, modules.symbols and modules.symbols.bin (`tools/depmod.c:
 * output_aliases`, `output_aliases_bin`, `output_symbols`, `output_symbols_bin`).
 */
import type { DepmodTree } from './depmod-tree.js';
import { IndexTrie } from './index-trie.js';
import type { DepmodLog } from './log.js';

/**
 * `shared/util.c: alias_normalize`: '-' becomes '_' except inside a `[…]` range; undefined for an
 * unmatched bracket. kmod's buffer is PATH_MAX bytes, so the result is cut at 4095.
 */
export function normalizeAlias(alias: string): string | undefined {
  let out = '';
  let i = 0;
  for (; i < Math.min(alias.length, 4095); i++) {
    const c = alias[i]!;
    if (c === '-') out += '_';
    else if (c === ']') return undefined;
    else if (c === '[') {
      const close = alias.indexOf(']', i);
      if (close < 0) return undefined;
      out += alias.slice(i, close + 1);
      i = close;
    } else out += c;
  }
  return out;
}

/** `alias PATTERN MODULE` for each `alias` of each module, as written in `.modinfo`. */
export function modulesAlias(tree: DepmodTree): string {
  const lines = ['# Aliases extracted from modules themselves.\n'];
  for (const mod of tree.modules) {
    for (const [key, value] of mod.info) if (key === 'alias') lines.push(`alias ${value} ${mod.name}\n`);
  }
  return lines.join('');
}

/** The aliases, normalized, keyed to module names. */
export function modulesAliasBin(tree: DepmodTree, warnDuplicates: boolean, log: DepmodLog): Uint8Array {
  const index = new IndexTrie();
  tree.modules.forEach((mod, i) => {
    for (const [key, value] of mod.info) {
      if (key !== 'alias') continue;
      const alias = normalizeAlias(value);
      if (alias === undefined) {
        log('warning', `Unmatched bracket in ${value}\n`);
        continue;
      }
      if (index.insert(alias, mod.name, i) && warnDuplicates) {
        log('warning', `duplicate module alias:\n${alias} ${mod.name}\n`);
      }
    }
  });
  return index.write();
}

/** `alias symbol:NAME MODULE` for each symbol a module exports. */
export function modulesSymbols(tree: DepmodTree): string {
  const lines = ['# Aliases for symbols, used by symbol_request().\n'];
  for (const sym of tree.symbols) {
    if (sym.owner !== undefined) lines.push(`alias symbol:${sym.name} ${tree.modules[sym.owner]!.name}\n`);
  }
  return lines.join('');
}

export function modulesSymbolsBin(tree: DepmodTree, warnDuplicates: boolean, log: DepmodLog): Uint8Array {
  const index = new IndexTrie();
  for (const sym of tree.symbols) {
    if (sym.owner === undefined) continue;
    const owner = tree.modules[sym.owner]!.name;
    if (index.insert(`symbol:${sym.name}`, owner, sym.owner) && warnDuplicates) {
      log('warning', `duplicate module syms:\nsymbol:${sym.name} ${owner}\n`);
    }
  }
  return index.write();
}
