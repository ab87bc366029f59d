/** modules.dep and modules.dep.bin (`tools/depmod.c: output_deps`, `output_deps_bin`). */
import type { DepmodTree } from './depmod-tree.js';
import { IndexTrie } from './index-trie.js';
import type { DepmodLog } from './log.js';

function depLine(tree: DepmodTree, i: number): string {
  const mod = tree.modules[i]!;
  let line = `${mod.written}:`;
  for (const d of mod.dependencies) line += ` ${tree.modules[d]!.written}`;
  return line;
}

/** `PATH: DEP DEP …`, one line per module in depmod's order. */
export function modulesDep(tree: DepmodTree): string {
  const lines: string[] = [];
  for (let i = 0; i < tree.modules.length; i++) lines.push(`${depLine(tree, i)}\n`);
  return lines.join('');
}

/** The same lines keyed by module name, each with the module's index as its priority. */
export function modulesDepBin(tree: DepmodTree, warnDuplicates: boolean, log: DepmodLog): Uint8Array {
  const index = new IndexTrie();
  for (let i = 0; i < tree.modules.length; i++) {
    const line = depLine(tree, i);
    if (index.insert(tree.modules[i]!.name, line, i) && warnDuplicates) {
      log('warning', `duplicate module deps:\n${line}\n`);
    }
  }
  return index.write();
}
