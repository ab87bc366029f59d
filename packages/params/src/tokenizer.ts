import { EQUALS, KERNEL_SPACE, QUOTE } from './ctype.js';
import { expectString, ParamError } from './errors.js';
import { Utf8Slicer, utf8Encode } from './utf8.js';

/** One argument as the kernel splits it: `name=value`, or `name` alone (`value: null`). */
export interface Arg {
  name: string;
  /** `null` when no `=` was given (`foo`), `''` for an empty value (`foo=`). */
  value: string | null;
}

/** What `parseArgs` returns. */
export interface ParsedArgs {
  args: Arg[];
  /** The text after a bare `--` (leading whitespace skipped; `''` when `--` ends the input), `null` if none. */
  rest: string | null;
}

/** Byte offsets of one argument found by `scanArg`; value offsets are -1 when there is no `=`. */
export interface ArgSpan {
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
  /** Whether the scan ended inside a double quote (the next space would not have ended it). */
  inQuote: boolean;
  /** Offset of the break (the whitespace byte that ended the argument, or the end of input). */
  end: number;
}

/**
 * lib/cmdline.c: next_arg — one argument starting at `pos` (not whitespace, `pos < end`).
 * Returns the offset of the next argument after the kernel's skip_spaces().
 */
export function scanArg(bytes: Uint8Array, pos: number, end: number, span: ArgSpan): number {
  let start = pos;
  let inQuote = false;
  let quoted = false;
  // A quote may open the whole argument; it is skipped but starts a quoted run.
  if (bytes[start] === QUOTE) {
    start++;
    inQuote = true;
    quoted = true;
  }
  let i = start;
  // next_arg records the first '=' only if it is not the argument's first byte (`equals == 0` means none).
  let equals = -1;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (KERNEL_SPACE[c] === 1 && !inQuote) break;
    if (c === EQUALS && equals < 0 && i > start) equals = i;
    else if (c === QUOTE) inQuote = !inQuote;
  }
  // The closing quote is dropped only when it is the last byte (`args[i-1]`), and only if an opening quote
  // was stripped (at the start of the argument or right after '=').
  let contentEnd = i;
  let valueStart = -1;
  if (equals >= 0) {
    valueStart = equals + 1;
    if (valueStart < i && bytes[valueStart] === QUOTE) {
      valueStart++;
      if (bytes[i - 1] === QUOTE) contentEnd = i - 1;
    }
  }
  if (quoted && i > start && bytes[i - 1] === QUOTE) contentEnd = i - 1;
  span.nameStart = start;
  span.inQuote = inQuote;
  span.end = i;
  if (equals >= 0) {
    span.nameEnd = equals;
    span.valueStart = valueStart;
    span.valueEnd = Math.max(contentEnd, valueStart);
  } else {
    span.nameEnd = Math.max(contentEnd, start);
    span.valueStart = -1;
    span.valueEnd = -1;
  }
  // The byte that ended the argument is consumed, then lib/string_helpers.c: skip_spaces().
  let next = i < end ? i + 1 : end;
  while (next < end && KERNEL_SPACE[bytes[next]!] === 1) next++;
  return next;
}

/** A fresh span for `scanArg`. */
export function newSpan(): ArgSpan {
  return { nameStart: 0, nameEnd: 0, valueStart: -1, valueEnd: -1, inQuote: false, end: 0 };
}

/** Where the kernel's copy of the string ends: at the first NUL (init_module copies a C string). */
export function cStringEnd(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes.length : nul;
}

const DASH = 0x2d;

/**
 * Split a parameter string exactly as kernel/params.c: parse_args() with lib/cmdline.c: next_arg() does
 * (Linux 6.1), on its UTF-8 bytes. Input ends at the first NUL, as the kernel's C string does.
 *
 * @example parseArgs('a=1 b="x y" c -- d') // { args: [{name:'a',value:'1'}, {name:'b',value:'x y'}, {name:'c',value:null}], rest: 'd' }
 */
export function parseArgs(input: string | Uint8Array): ParsedArgs {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new ParamError('BAD_VALUE', `input must be a string or a Uint8Array, not ${typeof input}`);
  }
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  const end = cStringEnd(bytes);
  const text = new Utf8Slicer(bytes, end, typeof input === 'string' ? input : null);
  const args: Arg[] = [];
  const span = newSpan();
  let pos = 0;
  while (pos < end && KERNEL_SPACE[bytes[pos]!] === 1) pos++;
  while (pos < end) {
    pos = scanArg(bytes, pos, end, span);
    const { nameStart, nameEnd, valueStart, valueEnd } = span;
    // kernel/params.c: parse_args — a bare `--` (no '=') stops parsing; the rest is handed back.
    if (
      valueStart < 0 &&
      nameEnd - nameStart === 2 &&
      bytes[nameStart] === DASH &&
      bytes[nameStart + 1] === DASH
    ) {
      return { args, rest: text.text(pos, end) };
    }
    args.push({
      name: text.text(nameStart, nameEnd),
      value: valueStart < 0 ? null : text.text(valueStart, valueEnd),
    });
  }
  return { args, rest: null };
}

/** kernel/params.c: parameq() — parameter names are equal if they differ only in `-` versus `_`. */
export function paramEqual(a: string, b: string): boolean {
  expectString(a, 'a parameter name');
  expectString(b, 'a parameter name');
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && !((x === 0x2d || x === 0x5f) && (y === 0x2d || y === 0x5f))) return false;
  }
  return true;
}
