import { decodeString } from './byte-reader.js';

/** One `.modinfo` string, split at its first `=`; exactly as stored. */
export interface ModinfoEntry {
  readonly key: string;
  /** Everything after the first `=`; '' for a string without one. */
  readonly value: string;
  /** The stored `key=value` bytes (a view, no NUL), for callers that need them undecoded. */
  readonly raw: Uint8Array;
}

/**
 * Splits a `.modinfo` section into its entries, in section order, duplicates kept. The section is
 * a run of NUL-terminated `key=value` strings with NUL padding between them (each MODULE_INFO is
 * its own aligned object: include/linux/moduleparam.h __MODULE_INFO); empty strings are padding
 * and skipped, as kmod's kmod_elf_get_strings does. A last string without its NUL still counts.
 */
export function parseModinfo(data: Uint8Array): ModinfoEntry[] {
  // .modinfo is ASCII in practice: one decode for the whole section, then cut strings by index
  // (for ASCII a byte offset is a string index). Otherwise each string is decoded on its own.
  let ascii = true;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  const text = ascii ? decodeString(data) : undefined;
  const out: ModinfoEntry[] = [];
  let start = 0;
  const n = data.length;
  while (start < n) {
    if (data[start] === 0) {
      start++;
      continue;
    }
    let end = data.indexOf(0, start);
    if (end < 0) end = n;
    const raw = data.subarray(start, end);
    const eq = raw.indexOf(0x3d);
    if (text !== undefined) {
      out.push(
        eq >= 0
          ? { key: text.slice(start, start + eq), value: text.slice(start + eq + 1, end), raw }
          : { key: text.slice(start, end), value: '', raw },
      );
    } else {
      out.push(
        eq >= 0
          ? { key: decodeString(raw.subarray(0, eq)), value: decodeString(raw.subarray(eq + 1)), raw }
          : { key: decodeString(raw), value: '', raw },
      );
    }
    start = end + 1;
  }
  return out;
}

/** `softdep` values merged: `pre: a b post: c` (kmod libkmod-config.c: modprobe softdep syntax). */
export interface SoftDeps {
  readonly pre: readonly string[];
  readonly post: readonly string[];
}

/** Parses every `softdep` value; words before any `pre:`/`post:` are ignored, as kmod does. */
export function parseSoftdeps(values: readonly string[]): SoftDeps {
  const pre: string[] = [];
  const post: string[] = [];
  for (const v of values) {
    let into: string[] | undefined;
    for (const word of v.split(/[ \t\n]+/)) {
      if (word === '') continue;
      if (word === 'pre:') into = pre;
      else if (word === 'post:') into = post;
      else into?.push(word);
    }
  }
  return { pre, post };
}
