// Copies definitions by name, unchanged, out of the real Linux 6.1 sources, so the differential oracle
// runs the kernel's own code (nothing from the kernel tree is committed; it is read from the cache that
// scripts/fetch-kernel-source.sh fills).

/** Where to find each definition the oracle needs: file (relative to the source tree) and names. */
export const KERNEL_DEFINITIONS: ReadonlyArray<{ file: string; names: readonly string[] }> = [
  {
    file: 'include/linux/moduleparam.h',
    names: ['kernel_param_ops', 'kernel_param', 'kparam_string', 'kparam_array'],
  },
  { file: 'include/linux/kstrtox.h', names: ['kstrtoul', 'kstrtol'] },
  { file: 'lib/ctype.c', names: ['_ctype'] },
  { file: 'lib/hexdump.c', names: ['hex_asc_upper'] },
  {
    file: 'lib/kstrtox.c',
    names: [
      '_parse_integer_fixup_radix',
      '_parse_integer_limit',
      '_parse_integer',
      '_kstrtoull',
      'kstrtoull',
      'kstrtoll',
      '_kstrtoul',
      '_kstrtol',
      'kstrtouint',
      'kstrtoint',
      'kstrtou16',
      'kstrtos16',
      'kstrtou8',
      'kstrtos8',
      'kstrtobool',
    ],
  },
  { file: 'lib/string_helpers.c', names: ['skip_spaces'] },
  { file: 'lib/cmdline.c', names: ['next_arg'] },
  {
    file: 'lib/vsprintf.c',
    names: [
      'skip_atoi',
      'decpair',
      'put_dec_trunc8',
      'put_dec_full8',
      'put_dec',
      'SIGN',
      'LEFT',
      'PLUS',
      'SPACE',
      'ZEROPAD',
      'SMALL',
      'SPECIAL',
      'format_type',
      'printf_spec',
      'FIELD_WIDTH_MAX',
      'PRECISION_MAX',
      'number',
      'move_right',
      'widen_string',
      'string_nocheck',
      'error_string',
      'check_pointer_msg',
      'check_pointer',
      'string',
      'format_decode',
      'set_field_width',
      'set_precision',
      'vsnprintf',
      'vscnprintf',
      'scnprintf',
      'vsprintf',
      'sprintf',
    ],
  },
  {
    file: 'kernel/params.c',
    names: [
      'dash2underscore',
      'parameqn',
      'parameq',
      'param_check_unsafe',
      'parse_one',
      'parse_args',
      'STANDARD_PARAM_DEF',
      'STANDARD_PARAM_DEF(',
      'param_set_charp',
      'param_get_charp',
      'param_free_charp',
      'param_ops_charp',
      'param_set_bool',
      'param_get_bool',
      'param_ops_bool',
      'param_set_bool_enable_only',
      'param_ops_bool_enable_only',
      'param_set_invbool',
      'param_get_invbool',
      'param_ops_invbool',
      'param_set_bint',
      'param_ops_bint',
      'param_array',
      'param_array_set',
      'param_array_get',
      'param_array_free',
      'param_array_ops',
      'param_set_copystring',
      'param_get_string',
      'param_ops_string',
    ],
  },
];

const QUALIFIER_LINE = /^[A-Za-z_][\w \t*]*$/;

function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The text of one top-level definition in `source`: a `#define NAME` with its continuation lines, every
 * line invoking `NAME(` when the name ends with '(', or a function/struct/enum/array definition from
 * its first line at column 0 through the closing brace at column 0.
 */
export function extractDefinition(source: string, name: string, file: string): string {
  const lines = source.split('\n');
  if (name.endsWith('(')) {
    const calls = lines.filter((line) => line.startsWith(name));
    if (calls.length === 0) throw new Error(`${file}: no invocation of ${name}`);
    return calls.join('\n');
  }
  const define = new RegExp(`^#define\\s+${escapeRegExp(name)}\\b`);
  let at = lines.findIndex((line) => define.test(line));
  if (at >= 0) {
    const out: string[] = [];
    for (; at < lines.length; at++) {
      out.push(lines[at]!);
      if (!lines[at]!.endsWith('\\')) break;
    }
    return out.join('\n');
  }
  const start = new RegExp(`^(?=[A-Za-z_])(?:.*\\W)?${escapeRegExp(name)}\\s*(\\(|\\[|=|\\{|$)`);
  // A line ending in ';' is a declaration, unless it is a one-line initialised definition.
  at = lines.findIndex(
    (line) => start.test(line) && (!/;\s*$/.test(line) || /=/.test(line)) && !line.startsWith('EXPORT'),
  );
  if (at < 0) throw new Error(`${file}: no definition of ${name}`);
  if (at > 0 && QUALIFIER_LINE.test(lines[at - 1]!)) at--;
  if (/;\s*$/.test(lines[at]!)) return lines[at]!;
  // A table (`_ctype[] = {`) may close on its last data line; everything else closes at column 0.
  const table = /\[\w*\]\s*=\s*\{/.test(lines[at]!) || /\[\w*\]\s*=\s*\{/.test(lines[at + 1] ?? '');
  const out: string[] = [];
  for (let i = at; i < lines.length; i++) {
    out.push(lines[i]!);
    if (i > at && (/^}/.test(lines[i]!) || (table && /};\s*(\/\*.*\*\/)?\s*$/.test(lines[i]!)))) {
      return out.join('\n');
    }
  }
  throw new Error(`${file}: unterminated definition of ${name}`);
}
