/**
 * modules.softdep, modules.weakdep and modules.devname (`tools/depmod.c: output_softdeps`,
 * `output_devname`; kmod 33's `output_weakdeps`).
 */
import type { DepmodTree } from './depmod-tree.js';
import type { DepmodLog } from './log.js';

function keyLines(tree: DepmodTree, key: string, header: string): string {
  const lines = [header];
  for (const mod of tree.modules) {
    for (const [k, value] of mod.info) if (k === key) lines.push(`${key} ${mod.name} ${value}\n`);
  }
  return lines.join('');
}

/** `softdep MODULE pre: … post: …`, as each module declares it. */
export function modulesSoftdep(tree: DepmodTree): string {
  return keyLines(tree, 'softdep', '# Soft dependencies extracted from modules themselves.\n');
}

/** kmod 33's `weakdep MODULE OTHER` (MODULE_WEAKDEP). */
export function modulesWeakdep(tree: DepmodTree): string {
  return keyLines(tree, 'weakdep', '# Weak dependencies extracted from modules themselves.\n');
}

/** Whether any module declares a weak dependency. */
export function hasWeakdeps(tree: DepmodTree): boolean {
  return tree.modules.some((mod) => mod.info.some(([k]) => k === 'weakdep'));
}

/** glibc's `%u`: optional space and sign, decimal digits, wrapped to 32 bits (saturated past 64). */
function scanUnsigned(text: string, at: number): { value: number; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text.slice(at));
  if (m === null) return undefined;
  let value = BigInt(m[2]!);
  if (value > 0xffffffffffffffffn) value = 0xffffffffffffffffn;
  else if (m[1] === '-') value = BigInt.asUintN(64, -value);
  return { value: Number(BigInt.asUintN(32, value)), end: at + m[0].length };
}

/** `sscanf(value, "PREFIX%u-%u", …) == 2`. */
function majorMinor(value: string, prefix: string): [number, number] | undefined {
  if (!value.startsWith(prefix)) return undefined;
  const major = scanUnsigned(value, prefix.length);
  if (major === undefined || value[major.end] !== '-') return undefined;
  const minor = scanUnsigned(value, major.end + 1);
  return minor === undefined ? undefined : [major.value, minor.value];
}

/** `MODULE DEVNAME cMAJOR:MINOR` for modules with a `devname:` alias and a char/block-major one. */
export function modulesDevname(tree: DepmodTree, log: DepmodLog): string {
  const lines: string[] = [];
  for (const mod of tree.modules) {
    let devname: string | undefined;
    let type = '';
    let major = 0;
    let minor = 0;
    for (const [key, value] of mod.info) {
      if (key !== 'alias') continue;
      if (value.startsWith('devname:')) devname = value.slice('devname:'.length);
      else {
        const c = majorMinor(value, 'char-major-');
        const b = c === undefined ? majorMinor(value, 'block-major-') : undefined;
        if (c !== undefined) [type, major, minor] = ['c', ...c];
        else if (b !== undefined) [type, major, minor] = ['b', ...b];
      }
      if (type !== '' && devname !== undefined) break;
    }
    if (devname === undefined) continue;
    if (type === '') {
      log(
        'error',
        `Module '${mod.name}' has devname (${devname}) but lacks major and minor information. Ignoring.\n`,
      );
      continue;
    }
    if (lines.length === 0) lines.push('# Device nodes to trigger on-demand module loading.\n');
    lines.push(`${mod.name} ${devname} ${type}${major}:${minor}\n`);
  }
  return lines.join('');
}
