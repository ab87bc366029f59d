/**
 * `modprobe -c` (kmod 30 tools/modprobe.c: show_config): the configuration by kind, then the alias and
 * symbol indexes as libkmod-index.c: index_mm_dump walks them — keys in byte order, each key's values
 * in module order.
 */
import { existsSync } from 'node:fs';
import type { ModuleDirectory } from '../module-directory.js';
import type { ModprobeConfig } from './config.js';

/** The configuration part of `modprobe -c`, up to and including the "End of configuration files" line. */
export function formatConfig(config: ModprobeConfig): string {
  let out = '';
  for (const name of config.blacklists) out += `blacklist ${name}\n`;
  for (const { modname, value } of config.installCommands) out += `install ${modname} ${value}\n`;
  for (const { modname, value } of config.removeCommands) out += `remove ${modname} ${value}\n`;
  for (const { name, modname } of config.aliases) out += `alias ${name} ${modname}\n`;
  for (const { modname, value } of config.options) out += `options ${modname} ${value}\n`;
  for (const { name, shown } of config.softdeps) out += `softdep ${name} ${shown}\n`;
  return `${out}\n# End of configuration files. Dumping indexes now:\n\n`;
}

/** `alias <key> <module>` lines of one index, sorted as the trie dump prints them. */
function dumpIndex(entries: { key: string; module: string }[]): string {
  const sorted = entries
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  let out = '';
  for (const { key, module } of sorted) out += `alias ${key} ${module}\n`;
  return out;
}

/**
 * The index part of `modprobe -c`: modules.alias then modules.symbols, each only when its `.bin`
 * exists (kmod dumps the binary index and prints nothing without it).
 */
export function formatIndexes(directory: ModuleDirectory): string {
  let out = '';
  if (existsSync(`${directory.dirname}/modules.alias.bin`)) {
    out += dumpIndex(
      [...directory.index('modules.alias').entries()].map((e) => ({ key: e.key, module: e.value })),
    );
  }
  if (existsSync(`${directory.dirname}/modules.symbols.bin`)) {
    out += dumpIndex(
      [...directory.index('modules.symbols').entries()].map((e) => ({ key: e.key, module: e.value })),
    );
  }
  return out;
}
