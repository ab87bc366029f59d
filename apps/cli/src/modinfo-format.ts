/**
 * kmod 30's `modinfo` output, byte for byte: how `tools/modinfo.c: modinfo_do` prints a module's info
 * list (@kmodkit/elf's `kmodInfoList`) in full, with `-F field` and with `-0`.
 */

import type { KmodInfoEntry, KmodSignatureFields } from '@kmodkit/elf';

/** One entry of kmod's info list (@kmodkit/elf's `kmodInfoList`). */
export type InfoEntry = KmodInfoEntry;
/** The signature fields kmod adds after the `.modinfo` strings. */
export type SignatureFields = KmodSignatureFields;

/** What `modinfo -F`/`-0` and friends select; `field: undefined` prints everything. */
export interface ModinfoStyle {
  readonly field: string | undefined;
  /** `'\n'`, or `'\0'` with `-0`. */
  readonly separator: string;
}

/** One module's output: `stdout` text and `stderr` lines, both in kmod's order. */
export interface ModinfoOutput {
  stdout: string;
  stderr: string;
}

/** Runs of spaces for padding, by length (the widths kmod pads to are small). */
const SPACES = Array.from({ length: 64 }, (_, n) => ' '.repeat(n));
const spaces = (n: number) => SPACES[n] ?? ' '.repeat(n);

/** A key's length in bytes: its length when it is ASCII, as keys are (no call into Node for those). */
function byteLength(key: string, encoding: 'utf8' | 'latin1'): number {
  if (encoding === 'latin1') return key.length;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0x80) return Buffer.byteLength(key, 'utf8');
  return key.length;
}

/** `%-16s`: the label left-justified in 16 columns. */
function label(name: string): string {
  return name.length >= 16 ? name : name + spaces(16 - name.length);
}

/**
 * The lines `modinfo_do` prints before it reads the module: `name:` for a built-in module and the
 * `filename:` line (or only the value, for `-F name`/`-F filename`). `done` is true when kmod stops
 * there (`-F filename` never opens the module, so it succeeds even for a broken file).
 */
export function formatHead(
  name: string,
  filename: string | undefined,
  style: ModinfoStyle,
): { text: string; done: boolean } {
  const { field, separator } = style;
  let text = '';
  let shown = filename;
  if (filename === undefined) {
    if (field === undefined) text += label('name:') + name + separator;
    else if (field === 'name') text += name + separator;
    shown = '(builtin)';
  }
  if (field === 'filename') return { text: text + shown + separator, done: true };
  if (field === undefined) text += label('filename:') + shown + separator;
  return { text, done: false };
}

/** A parameter merged from its `parm=` and `parmtype=` entries (`tools/modinfo.c: struct param`). */
interface Param {
  readonly name: string;
  description: string | undefined;
  type: string | undefined;
}

/**
 * The parameters merged from `parm`/`parmtype` values (`name:text`). kmod puts each new name at the
 * FRONT of its list, which is why it prints parameters in reverse order of first appearance; a later
 * entry of a known name replaces its description or type. A value without `:` is reported and skipped.
 */
class ParamList {
  readonly #byName = new Map<string, Param>();

  add(key: string, value: string, out: ModinfoOutput): void {
    const colon = value.indexOf(':');
    if (colon < 0) {
      out.stderr += `modinfo: ERROR: Found invalid "${key}=${value}": missing ':'\n`;
      return;
    }
    const name = value.slice(0, colon);
    let p = this.#byName.get(name);
    if (p === undefined) {
      p = { name, description: undefined, type: undefined };
      this.#byName.set(name, p);
    }
    if (key === 'parm') p.description = value.slice(colon + 1);
    else p.type = value.slice(colon + 1);
  }

  /** Newest name first, as kmod prints them. */
  inKmodOrder(): Param[] {
    return [...this.#byName.values()].reverse();
  }
}

/**
 * Everything `modinfo_do` prints from the info list, appended to `out`: all entries (`key:` padded to
 * column 16, or `key=value` with `-0`) and the merged `parm:` lines last; or, with `-F`, only the
 * values of that key (`-F parm` prints the merged parameters, in their short form). `encoding` says how
 * the strings hold their bytes (kmod pads keys by bytes): 'latin1' for one-character-per-byte strings.
 */
export function formatInfo(
  list: readonly InfoEntry[],
  style: ModinfoStyle,
  out: ModinfoOutput,
  encoding: 'utf8' | 'latin1' = 'utf8',
): void {
  const { field, separator } = style;
  const params = new ParamList();
  if (field === 'parm') {
    for (const { key, value } of list) if (key === 'parm' || key === 'parmtype') params.add(key, value, out);
    for (const p of params.inKmodOrder()) {
      if (p.description === undefined) out.stdout += `${p.name}: (${p.type})${separator}`;
      else if (p.type !== undefined) out.stdout += `${p.name}:${p.description} (${p.type})${separator}`;
      else out.stdout += `${p.name}:${p.description}${separator}`;
    }
    return;
  }
  let text = '';
  for (const { key, value } of list) {
    if (field !== undefined) {
      if (key === field) text += value + separator;
      continue;
    }
    if (key === 'parm' || key === 'parmtype') {
      params.add(key, value, out);
      continue;
    }
    if (separator === '\0') {
      text += `${key}=${value}\0`;
      continue;
    }
    // printf("%s:%-*s", key, 15 - keylen, ""): a negative width left-justifies, so a key longer
    // than 15 bytes is followed by (keylen - 15) spaces, not none.
    text += `${key}:${spaces(Math.abs(15 - byteLength(key, encoding)))}${value}${separator}`;
  }
  if (field === undefined) {
    for (const p of params.inKmodOrder()) {
      if (p.description === undefined) text += `${label('parm:')}${p.name}:${p.type}${separator}`;
      else if (p.type !== undefined)
        text += `${label('parm:')}${p.name}:${p.description} (${p.type})${separator}`;
      else text += `${label('parm:')}${p.name}:${p.description}${separator}`;
    }
  }
  out.stdout += text;
}
