/**
 * kmod 30's `modinfo` for one module, as lines and as text: the info list of
 * `libkmod-module.c: kmod_module_get_info` (the `.modinfo` strings, then the signature's fields) and
 * the way `tools/modinfo.c: modinfo_do` prints it in full (`key:` padded to column 16, the merged
 * `parm:` lines last). `apps/cli` prints the same; this file is the page's copy until
 * `@kmodkit/elf` ships kmod's info list, and is then replaced by an import.
 */
import type { KernelModule, ModuleSignature } from '@kmodkit/elf';

/** One line of modinfo's output: `key:` and its value (which may hold newlines, printed as they are). */
export interface ModinfoLine {
  readonly key: string;
  readonly value: string;
}

const HEX = '0123456789ABCDEF';

/**
 * Bytes as kmod prints keys and signatures: `01:AB:…`, uppercase, a line break and two tabs after
 * every 20th byte (`libkmod-module.c: kmod_module_hex_to_str`, line_limit 20).
 */
export function kmodHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
    if (i === bytes.length - 1) break;
    out += (i + 1) % 20 === 0 ? ':\n\t\t' : ':';
  }
  return out;
}

/** The signature, or null when there is none or kmod could not read it (kmod then prints no sig_* lines). */
function readableSignature(module: KernelModule): ModuleSignature | null {
  try {
    return module.signature;
  } catch {
    return null;
  }
}

/**
 * modinfo's lines in its order: every `.modinfo` entry except `parm`/`parmtype` as stored, the
 * signature fields, then one `parm` line per parameter — merged from its `parm=` and `parmtype=`
 * entries, newest name first, because kmod pushes each new name to the front of its list.
 * A `parm`/`parmtype` value without `:` is skipped (kmod reports it on stderr).
 */
export function modinfoLines(module: KernelModule): ModinfoLine[] {
  const lines: ModinfoLine[] = [];
  const params = new Map<string, { description?: string; type?: string }>();
  for (const { key, value } of module.modinfo) {
    if (key !== 'parm' && key !== 'parmtype') {
      lines.push({ key, value });
      continue;
    }
    const colon = value.indexOf(':');
    if (colon < 0) continue;
    const name = value.slice(0, colon);
    let p = params.get(name);
    if (p === undefined) {
      p = {};
      params.set(name, p);
    }
    if (key === 'parm') p.description = value.slice(colon + 1);
    else p.type = value.slice(colon + 1);
  }
  const sig = readableSignature(module);
  if (sig !== null) {
    lines.push(
      { key: 'sig_id', value: sig.idType },
      { key: 'signer', value: sig.signer },
      { key: 'sig_key', value: kmodHex(sig.keyId) },
      { key: 'sig_hashalgo', value: sig.hashAlgorithm },
      { key: 'signature', value: kmodHex(sig.signature) },
    );
  }
  for (const [name, p] of [...params].reverse()) {
    let value: string;
    if (p.description === undefined) value = `${name}:${p.type}`;
    else if (p.type === undefined) value = `${name}:${p.description}`;
    else value = `${name}:${p.description} (${p.type})`;
    lines.push({ key: 'parm', value });
  }
  return lines;
}

const utf8 = new TextEncoder();

/**
 * `modinfo <filename>`'s standard output. kmod prints `printf("%s:%-*s", key, 15 - keylen, "")`: a
 * negative width left-justifies, so a key of more than 15 bytes is followed by keylen - 15 spaces.
 */
export function formatModinfo(filename: string, lines: readonly ModinfoLine[]): string {
  let text = `filename:       ${filename}\n`;
  for (const { key, value } of lines) {
    text += `${key}:${' '.repeat(Math.abs(15 - utf8.encode(key).length))}${value}\n`;
  }
  return text;
}
