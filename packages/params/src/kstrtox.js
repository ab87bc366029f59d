// lib/kstrtox.c (Linux 6.1), on the characters of a C string. Every character these functions accept is
// ASCII, so reading UTF-16 units gives the same answer as the kernel reading UTF-8 bytes.
const U64_MAX = 0xffffffffffffffffn;
const S64_MIN_MAGNITUDE = 0x8000000000000000n;
// Below this a Number holds `res * 16 + 15` exactly; above it the digits go on in BigInt.
const SAFE_ACCUMULATOR = 2 ** 48;
function digitValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lc = c | 0x20; // _parse_integer_limit: "don't tolower() this line"
  if (lc >= 0x61 && lc <= 0x66) return lc - 0x61 + 10;
  return 99;
}
function isXdigit(c) {
  return digitValue(c) < 16;
}
/** lib/kstrtox.c: _kstrtoull() with base 0, from `s[from]`. */
function kstrtoullAt(s, from) {
  let i = from;
  let base = 10;
  // _parse_integer_fixup_radix: "0x" needs a hex digit after it to mean base 16 ("0x" alone is octal 0
  // followed by garbage); any other leading 0 means octal.
  if (s.charCodeAt(i) === 0x30) {
    if ((s.charCodeAt(i + 1) | 0x20) === 0x78 && isXdigit(s.charCodeAt(i + 2))) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  const digitsStart = i;
  let small = 0;
  let big = null;
  const bigBase = BigInt(base);
  for (; i < s.length; i++) {
    const v = digitValue(s.charCodeAt(i));
    if (v >= base) break;
    if (big === null) {
      small = small * base + v;
      if (small >= SAFE_ACCUMULATOR) big = BigInt(small);
    } else {
      big = big * bigBase + BigInt(v);
      // _parse_integer_limit flags overflow and keeps going, but _kstrtoull reports ERANGE before looking
      // at what follows the digits, so "99999999999999999999x" is ERANGE, not EINVAL.
      if (big > U64_MAX) return 'ERANGE';
    }
  }
  if (i === digitsStart) return 'EINVAL';
  // One trailing newline is allowed (so `echo 5 > /sys/...` works), nothing else.
  if (s.charCodeAt(i) === 0x0a) i++;
  if (i < s.length) return 'EINVAL';
  return big ?? BigInt(small);
}
/** lib/kstrtox.c: kstrtoull(s, 0, …) — a leading '+' is allowed, '-' is not. */
export function kstrtoull(s) {
  return kstrtoullAt(s, s.charCodeAt(0) === 0x2b ? 1 : 0);
}
/** lib/kstrtox.c: kstrtoll(s, 0, …) — '-' or '+', then the magnitude; `-0x8000000000000000` is the minimum. */
export function kstrtoll(s) {
  if (s.charCodeAt(0) === 0x2d) {
    const magnitude = kstrtoullAt(s, 1);
    if (typeof magnitude !== 'bigint') return magnitude;
    return magnitude > S64_MIN_MAGNITUDE ? 'ERANGE' : -magnitude;
  }
  const value = kstrtoull(s);
  if (typeof value !== 'bigint') return value;
  return value >= S64_MIN_MAGNITUDE ? 'ERANGE' : value;
}
/** kstrtou8/u16/uint/ull and kstrtos16/int/ll: the 64-bit parse, then ERANGE if it does not fit `bits`. */
export function kstrtox(s, signed, bits) {
  const value = signed ? kstrtoll(s) : kstrtoull(s);
  if (typeof value !== 'bigint' || bits === 64) return value;
  const fits = signed ? BigInt.asIntN(bits, value) === value : BigInt.asUintN(bits, value) === value;
  return fits ? value : 'ERANGE';
}
/**
 * lib/kstrtox.c: kstrtobool() of 6.1 — only the first one or two characters count: y Y t T 1 are true,
 * n N f F 0 are false, "on"/"of…" in any case; anything else (including "") is EINVAL.
 */
export function kstrtobool(s) {
  switch (s[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case '1':
      return true;
    case 'n':
    case 'N':
    case 'f':
    case 'F':
    case '0':
      return false;
    case 'o':
    case 'O':
      switch (s[1]) {
        case 'n':
        case 'N':
          return true;
        case 'f':
        case 'F':
          return false;
      }
  }
  return 'EINVAL';
}
//# sourceMappingURL=kstrtox.js.map
