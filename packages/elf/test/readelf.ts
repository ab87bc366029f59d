import { execFileSync } from 'node:child_process';
import { haveTool } from './tools.js';

/** binutils' readelf reads every architecture: the oracle for sections, symbols and relocations. */
export const HAVE_READELF = haveTool('readelf');

function readelf(args: string[], file: string): string[] {
  return execFileSync('readelf', ['-W', ...args, file], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n');
}

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  offset: number;
  size: number;
  link: number;
  info: number;
}

/** `readelf -W -S`. */
export function readelfSections(file: string): ReadelfSection[] {
  const re =
    /^\s*\[\s*(\d+)\]\s(.{17})\s(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+\S*\s+(\d+)\s+(\d+)\s+\d+$/;
  const out: ReadelfSection[] = [];
  for (const line of readelf(['-S'], file)) {
    // Names longer than the column push the rest right; match them separately.
    const m =
      re.exec(line) ??
      /^\s*\[\s*(\d+)\]\s(\S+)\s+(\S+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+\S*\s+(\d+)\s+(\d+)\s+\d+$/.exec(
        line,
      );
    if (!m) continue;
    out.push({
      index: Number(m[1]),
      name: m[2]!.trim(),
      type: m[3]!,
      offset: Number.parseInt(m[4]!, 16),
      size: Number.parseInt(m[5]!, 16),
      link: Number(m[6]),
      info: Number(m[7]),
    });
  }
  return out;
}

export interface ReadelfSymbol {
  index: number;
  value: number;
  size: number;
  type: string;
  bind: string;
  visibility: string;
  ndx: string;
  name: string;
}

/** `readelf -W -s` (the .symtab part). */
export function readelfSymbols(file: string): ReadelfSymbol[] {
  const re =
    /^\s*(\d+):\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+\[[^\]]*\])?\s+(\S+)\s?(.*)$/;
  const out: ReadelfSymbol[] = [];
  let inSymtab = false;
  for (const line of readelf(['-s'], file)) {
    if (line.startsWith('Symbol table')) inSymtab = line.includes("'.symtab'");
    if (!inSymtab) continue;
    const m = re.exec(line);
    if (!m) continue;
    out.push({
      index: Number(m[1]),
      value: Number.parseInt(m[2]!, 16),
      size: Number(m[3]),
      type: m[4]!,
      bind: m[5]!,
      visibility: m[6]!,
      ndx: m[7]!,
      name: m[8]!,
    });
  }
  return out;
}

export interface ReadelfRelocation {
  section: string;
  offset: number;
  info: bigint;
  type: string;
  /** RELA only: the addend readelf prints after the symbol ("sym + 10", "sym - 4"). */
  addend: number | undefined;
}

/** `readelf -W -r`. */
export function readelfRelocations(file: string): ReadelfRelocation[] {
  const out: ReadelfRelocation[] = [];
  let section = '';
  for (const line of readelf(['-r'], file)) {
    const head = /^Relocation section '([^']+)'/.exec(line);
    if (head) {
      section = head[1]!;
      continue;
    }
    const m = /^([0-9a-f]{8,16})\s+([0-9a-f]{8,16})\s+(\S+)(.*)$/.exec(line);
    if (!m) continue;
    const add = /\s([+-])\s([0-9a-f]+)$/.exec(m[4]!);
    const rest = m[4]!.trim();
    let addend: number | undefined;
    if (add) addend = (add[1] === '-' ? -1 : 1) * Number.parseInt(add[2]!, 16);
    else if (/^[0-9a-f]+$/.test(rest)) addend = Number.parseInt(rest, 16); // no symbol: "0000… 1a"
    out.push({ section, offset: Number.parseInt(m[1]!, 16), info: BigInt(`0x${m[2]}`), type: m[3]!, addend });
  }
  return out;
}
