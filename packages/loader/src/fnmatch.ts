/**
 * `fnmatch(pattern, string, 0)` as glibc answers it in the C locale (posix/fnmatch_loop.c), which is
 * how kmod matches module aliases (`libkmod-index.c: index_mm_searchwild_all`, `libkmod.c:
 * kmod_lookup_alias_from_config`): kmod's tools never call setlocale, so characters are bytes and
 * ranges compare byte values. With flags 0, `/` and a leading `.` are ordinary characters.
 *
 * - `*` matches any run of characters, `?` any one;
 * - `\` makes the next character literal (a `\` that ends the pattern matches nothing);
 * - `[…]` is a bracket expression: `!` or `^` first negates it, a `]` first is a member, `a-z` is a
 *   range (empty when reversed), `[:alpha:]` … are the C locale's classes, `[.c.]` and `[=c=]` are
 *   the character c, `\` quotes inside too; a `[` with no closing `]` is an ordinary character.
 *
 * Both arguments are "byte strings": one character per byte (UTF-8 bytes as Latin-1). {@link byteString}
 * turns text into one.
 */

/** `s`'s UTF-8 bytes, one character per byte: the form {@link fnmatch} compares. */
export function byteString(s: string): string {
  // ASCII (every alias depmod writes) needs no conversion.
  if (ASCII.test(s)) return s;
  let out = '';
  for (const b of new TextEncoder().encode(s)) out += String.fromCharCode(b);
  return out;
}

/** A byte string read back as UTF-8 text: the inverse of {@link byteString}. */
export function fromByteString(s: string): string {
  if (ASCII.test(s)) return s;
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whether `name` matches the glob `pattern`, as `fnmatch(pattern, name, 0) == 0`. */
export function fnmatch(pattern: string, name: string): boolean {
  return matchFrom(pattern, 0, name, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      // Runs of `*` are one; then try every place the rest could start.
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      pi++;
      si++;
      continue;
    }
    if (c === '\\') {
      if (pi + 1 >= p.length) return false; // a trailing `\` loses
      if (p[pi + 1] !== s[si]) return false;
      pi += 2;
      si++;
      continue;
    }
    if (c === '[') {
      const bracket = matchBracket(p, pi + 1, s.charCodeAt(si));
      if (bracket !== undefined) {
        if (!bracket.matched) return false;
        pi = bracket.end;
        si++;
        continue;
      }
      // Unterminated: an ordinary `[`.
    }
    if (c !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

/** The C locale's character classes (`<ctype.h>` over bytes 0-127; bytes 128-255 are in none). */
const CLASSES: Readonly<Record<string, (b: number) => boolean>> = {
  alnum: (b) => isAlpha(b) || isDigit(b),
  alpha: (b) => isAlpha(b),
  blank: (b) => b === 0x20 || b === 0x09,
  cntrl: (b) => b < 0x20 || b === 0x7f,
  digit: (b) => isDigit(b),
  graph: (b) => b > 0x20 && b < 0x7f,
  lower: (b) => b >= 0x61 && b <= 0x7a,
  print: (b) => b >= 0x20 && b < 0x7f,
  punct: (b) => b > 0x20 && b < 0x7f && !isAlpha(b) && !isDigit(b),
  space: (b) => b === 0x20 || (b >= 0x09 && b <= 0x0d),
  upper: (b) => b >= 0x41 && b <= 0x5a,
  xdigit: (b) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66),
};

function isAlpha(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/**
 * The bracket expression whose body starts at `at` (just after `[`), tried on byte `b`: whether it
 * matched and where the pattern continues; undefined when it has no closing `]` (glibc then takes the
 * `[` literally). An unknown class name makes the whole expression match nothing, as glibc does.
 */
function matchBracket(p: string, at: number, b: number): { matched: boolean; end: number } | undefined {
  let i = at;
  const negate = p[i] === '!' || p[i] === '^';
  if (negate) i++;
  let matched = false;
  let valid = true;
  let first = true;
  for (;;) {
    if (i >= p.length) return undefined;
    let c = p[i]!;
    if (c === ']' && !first) break;
    first = false;
    let lo: number;
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1]!;
      const close = p.indexOf(`${kind}]`, i + 2);
      if (close < 0) return undefined;
      const body = p.slice(i + 2, close);
      i = close + 2;
      if (kind === ':') {
        const test = CLASSES[body];
        if (test === undefined) valid = false;
        else if (test(b)) matched = true;
        continue;
      }
      if (body.length !== 1) {
        valid = false;
        continue;
      }
      lo = body.charCodeAt(0);
    } else {
      if (c === '\\') {
        i++;
        if (i >= p.length) return undefined;
        c = p[i]!;
      }
      lo = c.charCodeAt(0);
      i++;
    }
    // A range `lo-hi`, unless the `-` is the last character before `]`.
    if (p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']') {
      i++;
      let hc = p[i]!;
      if (hc === '\\') {
        i++;
        if (i >= p.length) return undefined;
        hc = p[i]!;
      }
      let hi = hc.charCodeAt(0);
      if (hc === '[' && (p[i + 1] === '.' || p[i + 1] === '=')) {
        const kind = p[i + 1]!;
        const close = p.indexOf(`${kind}]`, i + 2);
        if (close < 0) return undefined;
        const body = p.slice(i + 2, close);
        if (body.length !== 1) valid = false;
        hi = body.charCodeAt(0);
        i = close + 1;
      }
      i++;
      if (lo <= b && b <= hi) matched = true;
      continue;
    }
    if (b === lo) matched = true;
  }
  return { matched: valid && matched !== negate, end: i + 1 };
}
