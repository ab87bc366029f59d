// JavaScript strings reach the kernel as UTF-8; every rule in this package works on those bytes.
const encoder = new TextEncoder();
// Not fatal: bytes the kernel cut out of a multibyte character decode to U+FFFD, as a terminal shows them.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
/** The UTF-8 bytes of `text`. */
export function utf8Encode(text) {
  return encoder.encode(text);
}
let scratch = new Uint8Array(4096);
/**
 * The UTF-8 bytes of `text` in a scratch buffer reused by the next call (valid until then), and whether
 * the text was pure ASCII (then byte offsets are string offsets).
 */
export function utf8Scratch(text) {
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch.subarray(0, written), ascii: written === text.length };
}
/** Decode `bytes[start, end)`. */
export function utf8Decode(bytes, start = 0, end = bytes.length) {
  return decoder.decode(bytes.subarray(start, end));
}
/** The UTF-8 byte length of `text`, without encoding it (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text) {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        length += 2; // four bytes for two UTF-16 units
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}
/** `text` up to its first NUL: what a C string holding it ends at. */
export function cString(text) {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}
//# sourceMappingURL=utf8.js.map
