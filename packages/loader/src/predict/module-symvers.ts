import { LoaderError } from '../error.js';
import type { KernelSymbol } from './target.js';

/** `drivers/net/dummy` → 'dummy', as the kernel names the module (kbuild's basename, '-' → '_'). */
export function moduleNameOfPath(path: string): string {
  return path
    .slice(path.lastIndexOf('/') + 1)
    .replace(/\.ko$/, '')
    .replaceAll('-', '_');
}

const EXPORT_TYPES = new Set([
  'EXPORT_SYMBOL',
  'EXPORT_SYMBOL_GPL',
  'EXPORT_SYMBOL_GPL_FUTURE',
  'EXPORT_UNUSED_SYMBOL',
  'EXPORT_UNUSED_SYMBOL_GPL',
]);

/**
 * Reads a Module.symvers as scripts/mod/modpost.c write_dump writes it (Linux 5.4+):
 * `0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL]<TAB>namespace`, one export a line. The older
 * order (namespace before the export type, 5.4–5.9) is recognised by where the export type is.
 *
 * @throws LoaderError `ESYMVERSFORMAT` with `line` for a line in neither format.
 */
export function parseModuleSymvers(text: string): Map<string, KernelSymbol> {
  const out = new Map<string, KernelSymbol>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const f = line.split('\t');
    const crcText = f[0] ?? '';
    if (f.length < 3 || !/^0x[0-9a-fA-F]{1,8}$/.test(crcText)) {
      throw new LoaderError(
        'ESYMVERSFORMAT',
        `line ${i + 1} is not a Module.symvers line: ${JSON.stringify(line)}`,
        {
          line: i + 1,
        },
      );
    }
    let type = f[3] ?? '';
    let namespace = f[4] ?? '';
    if (!EXPORT_TYPES.has(type) && EXPORT_TYPES.has(namespace)) [type, namespace] = [namespace, type];
    const symbol: KernelSymbol = {
      name: f[1]!,
      crc: Number.parseInt(crcText, 16),
      module: f[2] === 'vmlinux' ? 'vmlinux' : moduleNameOfPath(f[2]!),
      namespace,
      gplOnly: type.startsWith('EXPORT_SYMBOL_GPL') || type === 'EXPORT_UNUSED_SYMBOL_GPL',
    };
    out.set(symbol.name, symbol);
  }
  return out;
}
