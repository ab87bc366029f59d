/**
 * modules.builtin.bin and modules.builtin.alias.bin, from the kernel build's modules.builtin and
 * modules.builtin.modinfo (`tools/depmod.c: output_builtin_bin`, `output_builtin_alias_bin`). Both
 * readers are reproduced byte for byte, quirks included, since the files come from outside.
 */
import { normalizeAlias } from './alias-files.js';
import { IndexTrie } from './index-trie.js';
import type { DepmodLog } from './log.js';
import { modnameOf } from './module-scan.js';
import { fgetsLines } from './symbol-table.js';

/** kmod's line and field buffers are PATH_MAX bytes. */
const PATH_MAX = 4096;

/** Each `kernel/…/NAME.ko` line of modules.builtin gives the key NAME with one empty value. */
export function modulesBuiltinBin(text: string, log: DepmodLog): Uint8Array {
  const index = new IndexTrie();
  // path_to_modname fails on a line ending in '/', and kmod then reuses the previous name.
  let modname = '';
  for (const line of fgetsLines(text, PATH_MAX)) {
    if (!/^[A-Za-z]/.test(line)) {
      log('error', `Invalid modules.builtin line: ${line}\n`);
      continue;
    }
    const name = modnameOf(line);
    if (line.slice(line.lastIndexOf('/') + 1) !== '') modname = name;
    index.insert(modname, '', 0);
  }
  return index.write();
}

/**
 * The `MODULE.alias=PATTERN` strings of modules.builtin.modinfo (NUL-separated `module.key=value`),
 * normalized alias → module, read as kmod's flush_stream_to reads the stream.
 */
export function modulesBuiltinAliasBin(text: string, log: DepmodLog): Uint8Array {
  const index = new IndexTrie();
  let at = 0;
  let eof = false;
  const getc = (): number => {
    if (at < text.length) return text.charCodeAt(at++);
    eof = true;
    return -1;
  };
  /** `flush_stream_to`: up to `end`, NUL or EOF; '' unless it stopped at `end`. */
  const readTo = (end: number): string => {
    let out = '';
    let c = getc();
    while (c !== -1 && c !== end && c !== 0 && out.length < PATH_MAX) {
      out += String.fromCharCode(c);
      c = getc();
    }
    if (out.length === PATH_MAX) {
      log('warning', `Could not flush stream: 28. Partial content: ${out}\n`);
      out = out.slice(0, -1);
    }
    return c === end ? out : '';
  };
  /** `flush_stream`: skip to `end`, NUL or EOF. */
  const skipTo = (end: number): void => {
    let c = getc();
    while (c !== -1 && c !== end && c !== 0) c = getc();
  };
  while (!eof) {
    const modname = readTo(0x2e);
    if (modname === '') continue;
    const key = readTo(0x3d);
    if (key !== 'alias') {
      skipTo(0);
      continue;
    }
    const value = readTo(0);
    if (value === '') continue;
    const alias = normalizeAlias(value);
    if (alias === undefined) {
      log('warning', `Unmatched bracket in ${value}\n`);
      continue;
    }
    index.insert(alias, modname, 0);
  }
  return index.write();
}
