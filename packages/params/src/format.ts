import { KERNEL_SPACE } from './ctype.js';
import { expectArgList, ParamError } from './errors.js';
import { type Arg, newSpan, scanArg } from './tokenizer.js';
import { utf8Decode, utf8Encode } from './utf8.js';

// Where lib/cmdline.c: next_arg strips a double quote: one opening the argument, one right after '=',
// and one closing quote as the argument's last byte (only if one of the openers was there; a closing
// quote alone is never stripped). Quotes anywhere else are kept as content, so every encoding of an
// argument is one of these shapes. Ordered by added length, then by the conventional form (`a="b c"`
// before `"a=b c"`).
const SHAPES: ReadonlyArray<{ open: boolean; valueOpen: boolean; close: boolean }> = [
  { open: false, valueOpen: false, close: false },
  { open: false, valueOpen: true, close: false },
  { open: true, valueOpen: false, close: false },
  { open: false, valueOpen: true, close: true },
  { open: true, valueOpen: false, close: true },
  { open: true, valueOpen: true, close: false },
  { open: true, valueOpen: true, close: true },
];

function sameBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array): boolean {
  if (aEnd - aStart !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[aStart + i] !== b[i]) return false;
  return true;
}

function roundTrips(text: string, bytes: Uint8Array): boolean {
  return bytes.indexOf(0) < 0 && utf8Decode(bytes) === text;
}

const span = newSpan();

// Fast path: ASCII without controls, spaces, quotes (and without '=' in the name) needs no quoting and
// reads back as itself; everything else goes through the shapes below and next_arg.
const PLAIN_NAME = /^[\x21\x23-\x3c\x3e-\x7e]+$/;
const PLAIN_VALUE = /^[\x21\x23-\x7e]*$/;

/** The shortest token that next_arg reads back as `arg`, or null if there is none. */
function encodeArg(arg: Arg): string | null {
  if (arg.value === null && arg.name === '--') return null; // parse_args stops at a bare "--"
  if (PLAIN_NAME.test(arg.name) && (arg.value === null || PLAIN_VALUE.test(arg.value))) {
    return arg.value === null ? arg.name : `${arg.name}=${arg.value}`;
  }
  const name = utf8Encode(arg.name);
  const value = arg.value === null ? null : utf8Encode(arg.value);
  if (!roundTrips(arg.name, name) || (value !== null && !roundTrips(arg.value!, value))) return null;
  for (const shape of SHAPES) {
    if (value === null && shape.valueOpen) continue;
    const token =
      (shape.open ? '"' : '') +
      arg.name +
      (arg.value === null ? '' : `=${shape.valueOpen ? '"' : ''}${arg.value}`) +
      (shape.close ? '"' : '');
    const bytes = utf8Encode(token);
    // parse_args skips whitespace before an argument, and an empty token is no argument at all.
    if (bytes.length === 0 || KERNEL_SPACE[bytes[0]!] === 1) continue;
    scanArg(bytes, 0, bytes.length, span);
    // A token must not leave a quote open, or whatever follows it (even appended later) joins it.
    if (span.end !== bytes.length || span.inQuote) continue;
    if (!sameBytes(bytes, span.nameStart, span.nameEnd, name)) continue;
    if (value === null ? span.valueStart >= 0 : !sameBytes(bytes, span.valueStart, span.valueEnd, value))
      continue;
    return token;
  }
  return null;
}

/**
 * The shortest string that `parseArgs` reads back as `args`, arguments separated by one space, quoting
 * only where the kernel's tokenizer needs it. No quote is left open (the kernel would accept `a="x y`
 * at the very end), so the result can always be followed by more arguments.
 *
 * @example formatArgs([{ name: 'a', value: 'x y' }, { name: 'b', value: null }]) // 'a="x y" b'
 * @throws ParamError `NOT_EXPRESSIBLE` for an argument no input can produce: a bare `--` (ends parsing),
 *   a name with `=` after its first byte, an empty name with a value, a NUL, an unpaired surrogate,
 *   or quotes and spaces that cannot be balanced (value `a "`: its space always falls outside quotes).
 */
export function formatArgs(args: readonly Arg[]): string {
  expectArgList(args);
  const tokens: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const token = encodeArg(arg);
    if (token === null) {
      throw new ParamError(
        'NOT_EXPRESSIBLE',
        `the kernel's parameter grammar cannot express ${JSON.stringify(arg)}`,
        arg.name,
      );
    }
    tokens.push(token);
  }
  return tokens.join(' ');
}
