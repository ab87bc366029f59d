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
  let line = 0;
  // One pass with indexOf: a kernel's Module.symvers has some 25000 lines.
  for (let at = 0; at < text.length; ) {
    line++;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end > at) out.set(...parseLine(text.slice(at, end), line));
    at = end + 1;
  }
  return out;
}

function parseLine(line: string, number: number): [string, KernelSymbol] {
  const f = line.split('\t');
  const crcText = f[0]!;
  const crc = crcText.startsWith('0x') && crcText.length <= 10 ? Number(crcText) : Number.NaN;
  if (f.length < 3 || crcText.length < 3 || !Number.isInteger(crc)) {
    throw new LoaderError(
      'ESYMVERSFORMAT',
      `line ${number} is not a Module.symvers line: ${JSON.stringify(line)}`,
      {
        line: number,
      },
    );
  }
  let type = f[3] ?? '';
  let namespace = f[4] ?? '';
  if (!EXPORT_TYPES.has(type) && EXPORT_TYPES.has(namespace)) [type, namespace] = [namespace, type];
  const name = f[1]!;
  const module = f[2] === 'vmlinux' ? 'vmlinux' : moduleNameOfPath(f[2]!);
  const gplOnly = type.startsWith('EXPORT_SYMBOL_GPL') || type === 'EXPORT_UNUSED_SYMBOL_GPL';
  return [name, { name, crc, module, namespace, gplOnly }];
}
