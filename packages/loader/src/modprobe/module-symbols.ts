/**
 * `modprobe --dump-modversions` and `--show-exports` (kmod 30 tools/modprobe.c: show_modversions,
 * show_exports): a module file's `__versions` entries, or the symbols it exports, as `0x%08x\t<name>`.
 */
import { statSync } from 'node:fs';
import type { KernelModule } from '@kmodkit/elf';
import { openModuleFile } from '../module-file.js';

/**
 * One line per entry; or why kmod fails: `found: false` when there is no such file
 * (kmod_module_new_from_path only stats it), else the errno of reading it.
 */
export function formatSymbolCrcs(
  path: string,
  which: 'versions' | 'exports',
): string | { errno: string; found: boolean } {
  if (statSync(path, { throwIfNoEntry: false }) === undefined) return { errno: 'ENOENT', found: false };
  const opened = openModuleFile(path);
  if (!('module' in opened)) return { errno: opened.errno, found: true };
  let out = '';
  try {
    const list = which === 'versions' ? opened.module.versions : exportsInKmodOrder(opened.module);
    // kmod_elf_get_modversions / kmod_elf_get_symbols_symtab: no section to read is ENOENT.
    if (list.length === 0) return { errno: 'ENOENT', found: true };
    for (const { name, crc } of list) out += `0x${(crc ?? 0n).toString(16).padStart(8, '0')}\t${name}\n`;
  } catch {
    return { errno: 'EINVAL', found: true };
  }
  return out;
}

/**
 * libkmod-elf.c: kmod_elf_get_symbols — the `__crc_*` symbols in `.symtab` order when there are any
 * (their CRCs as @kmodkit/elf resolves them from `__kcrctab*`), else `__ksymtab_strings` order.
 */
function exportsInKmodOrder(module: KernelModule): { name: string; crc: bigint | undefined }[] {
  const exports = module.exports;
  const symtab = module.elf.symbols;
  if (!symtab) return [...exports];
  const crcs = new Map(exports.map((e) => [e.name, e.crc]));
  const out: { name: string; crc: bigint | undefined }[] = [];
  for (let i = 1; i < symtab.count; i++) {
    const name = symtab.nameOf(i);
    if (name.startsWith('__crc_')) out.push({ name: name.slice(6), crc: crcs.get(name.slice(6)) });
  }
  return out.length > 0 ? out : [...exports];
}
