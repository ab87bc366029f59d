import { LoaderError } from '../error.js';
import type { KernelSymbol } from './target.js';

const KSYMTAB = '__ksymtab_';
const CRC = '__crc_';

/**
 * The exports named in a symbol listing in the `nm` format: `/proc/kallsyms` (kernel/kallsyms.c
 * s_show: `address type name[\t[module]]`) or a `System.map`. An export is a `__ksymtab_<name>` entry.
 * What the listing can tell beyond the name:
 * - the CRC, only where `__crc_<name>` is an absolute symbol (`A`) whose value is the CRC (kernels before
 *   5.19; since then `__crc_` labels point at the CRC in `__kcrctab`, so it is unknown);
 * - EXPORT_SYMBOL_GPL, for vmlinux, from `__start___ksymtab_gpl`…`__stop___ksymtab_gpl` when addresses
 *   are shown (kptr_restrict hides them as zeros: unknown);
 * - no namespace (unknown).
 *
 * @throws LoaderError `EKALLSYMSFORMAT` with `line` for a line not in that format.
 */
export function parseKallsyms(text: string): Map<string, KernelSymbol> {
  const crcs = new Map<string, number>();
  const exports: { name: string; module: string; address: bigint }[] = [];
  let gplStart: bigint | undefined;
  let gplStop: bigint | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const m = /^([0-9a-fA-F]+) (\S) (\S+)(?:\t\[(\S+)\])?$/.exec(line);
    if (!m) {
      throw new LoaderError(
        'EKALLSYMSFORMAT',
        `line ${i + 1} is not a symbol listing line: ${JSON.stringify(line)}`,
        {
          line: i + 1,
        },
      );
    }
    const address = BigInt(`0x${m[1]}`);
    const name = m[3]!;
    const module = m[4] ?? 'vmlinux';
    if (module === 'vmlinux' && name === '__start___ksymtab_gpl') gplStart = address;
    else if (module === 'vmlinux' && name === '__stop___ksymtab_gpl') gplStop = address;
    else if (name.startsWith(KSYMTAB) && name !== '__ksymtab_gpl' && name !== '__ksymtab_strings') {
      exports.push({ name: name.slice(KSYMTAB.length), module, address });
    } else if (name.startsWith(CRC) && (m[2] === 'A' || m[2] === 'a')) {
      crcs.set(name.slice(CRC.length), Number(address & 0xffffffffn));
    }
  }
  const gplKnown = gplStart !== undefined && gplStop !== undefined && gplStop > 0n;
  const out = new Map<string, KernelSymbol>();
  for (const e of exports) {
    if (out.has(e.name)) continue; // vmlinux comes first, as find_symbol searches it first
    const crc = crcs.get(e.name);
    const gplOnly =
      e.module === 'vmlinux' && gplKnown ? e.address >= gplStart! && e.address < gplStop! : undefined;
    out.set(e.name, {
      name: e.name,
      module: e.module,
      ...(crc === undefined ? {} : { crc }),
      ...(gplOnly === undefined ? {} : { gplOnly }),
    });
  }
  return out;
}
