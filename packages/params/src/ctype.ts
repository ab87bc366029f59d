/**
 * The kernel's `isspace()` on bytes (include/linux/ctype.h over the `_ctype` table of lib/ctype.c).
 * The table is Latin-1: besides `\t \n \v \f \r` and space, byte 0xa0 (Latin-1 no-break space) is `_S`.
 * In UTF-8 input 0xa0 is also a continuation byte (U+00A0 is C2 A0, U+00E0 'à' is C3 A0, U+2020 '†' is
 * E2 80 A0), so the kernel splits such characters; this table reproduces that.
 */
export const KERNEL_SPACE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const byte of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]) table[byte] = 1;
  return table;
})();

export const QUOTE = 0x22; // '"'
export const EQUALS = 0x3d; // '='
