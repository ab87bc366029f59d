/**
 * kmod 30's `modinfo` for one module, as lines and as text: the info list of
 * `libkmod-module.c: kmod_module_get_info` (the `.modinfo` strings, then the signature's fields) and
 * the way `tools/modinfo.c: modinfo_do` prints it in full (`key:` padded to column 16, the merged
 * `parm:` lines last), over @kmodkit/elf's `kmodInfoList`. `apps/cli` prints the same.
 */
import { type KernelModule, kmodInfoList, type ModuleSignature } from '@kmodkit/elf';

/** One line of modinfo's output: `key:` and its value (which may hold newlines, printed as they are). */
export interface ModinfoLine {
  readonly key: string;
  readonly value: string;
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
 * modinfo's lines in its order: every entry of kmod's info list except `parm`/`parmtype` (the
 * `.modinfo` strings, then the signature fields), then one `parm` line per parameter — merged from its `parm=` and `parmtype=`
 * entries, newest name first, because kmod pushes each new name to the front of its list.
 * A `parm`/`parmtype` value without `:` is skipped (kmod reports it on stderr).
 */
export function modinfoLines(module: KernelModule): ModinfoLine[] {
  const lines: ModinfoLine[] = [];
  const params = new Map<string, { description?: string; type?: string }>();
  // kmod's info list: the .modinfo strings, then the signature's fields (@kmodkit/elf's kmodInfoList).
  for (const { key, value } of kmodInfoList(module.modinfo, readableSignature(module))) {
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
