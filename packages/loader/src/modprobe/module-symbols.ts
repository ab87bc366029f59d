/**
 * `modprobe --dump-modversions` and `--show-exports` (kmod 30 tools/modprobe.c: show_modversions,
 * show_exports): a module file's `__versions` entries, or the symbols it exports, as `0x%08x\t<name>`.
 */
import { openModuleFile } from '../module-file.js';

/** One line per entry, or the errno name kmod fails with (the file cannot be opened or read). */
export function formatSymbolCrcs(path: string, which: 'versions' | 'exports'): string | { errno: string } {
  const opened = openModuleFile(path);
  if (!('module' in opened)) return { errno: opened.errno };
  let out = '';
  try {
    const list = which === 'versions' ? opened.module.versions : opened.module.exports;
    for (const { name, crc } of list) out += `0x${(crc ?? 0n).toString(16).padStart(8, '0')}\t${name}\n`;
  } catch {
    return { errno: 'EINVAL' };
  }
  return out;
}
