/**
 * The iteration order of kmod's hash table (`shared/hash.c`). depmod lists modules (when no
 * `modules.order` ranks them) and symbols in the order `hash_iter_next` visits them, so writing the
 * same files means visiting in the same order: buckets in index order, the entries of a bucket in
 * `strcmp` order. The bucket is Paul Hsieh's SuperFastHash of the key, masked by the (power-of-two)
 * bucket count; kmod's tables never grow, so the order depends on the keys alone.
 *
 * Keys are byte strings held as latin1 JS strings (one char per byte), so `<` compares as `strcmp`.
 */

/** `char` is signed on the machines Debian's kmod is measured on (x86): bytes ≥ 0x80 are negative. */
function signedChar(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}

/** `hash_superfast`, with `get_unaligned(uint16_t *)` read little-endian as on x86. */
export function superFastHash(key: string): number {
  let len = key.length;
  let hash = len >>> 0;
  const rem = len & 3;
  len >>>= 2;
  let at = 0;
  for (; len > 0; len--) {
    hash = (hash + (key.charCodeAt(at) | (key.charCodeAt(at + 1) << 8))) >>> 0;
    const tmp = (((key.charCodeAt(at + 2) | (key.charCodeAt(at + 3) << 8)) << 11) ^ hash) >>> 0;
    hash = ((hash << 16) ^ tmp) >>> 0;
    at += 4;
    hash = (hash + (hash >>> 11)) >>> 0;
  }
  switch (rem) {
    case 3:
      hash = (hash + (key.charCodeAt(at) | (key.charCodeAt(at + 1) << 8))) >>> 0;
      hash = (hash ^ (hash << 16)) >>> 0;
      hash = (hash ^ (signedChar(key.charCodeAt(at + 2)) << 18)) >>> 0;
      hash = (hash + (hash >>> 11)) >>> 0;
      break;
    case 2:
      hash = (hash + (key.charCodeAt(at) | (key.charCodeAt(at + 1) << 8))) >>> 0;
      hash = (hash ^ (hash << 11)) >>> 0;
      hash = (hash + (hash >>> 17)) >>> 0;
      break;
    case 1:
      hash = (hash + signedChar(key.charCodeAt(at))) >>> 0;
      hash = (hash ^ (hash << 10)) >>> 0;
      hash = (hash + (hash >>> 1)) >>> 0;
      break;
  }
  hash = (hash ^ (hash << 3)) >>> 0;
  hash = (hash + (hash >>> 5)) >>> 0;
  hash = (hash ^ (hash << 4)) >>> 0;
  hash = (hash + (hash >>> 17)) >>> 0;
  hash = (hash ^ (hash << 25)) >>> 0;
  hash = (hash + (hash >>> 6)) >>> 0;
  return hash;
}

/** The bucket counts of depmod's tables (`tools/depmod.c: depmod_init`); both are powers of two. */
export const MODULES_BUCKETS = 512;
export const SYMBOLS_BUCKETS = 2048;

/** `items` sorted into the order kmod's `hash_iter_next` visits a table with `buckets` buckets. */
export function inHashOrder<T>(items: readonly T[], keyOf: (item: T) => string, buckets: number): T[] {
  const keyed = items.map((item) => {
    const key = keyOf(item);
    return { item, key, bucket: superFastHash(key) & (buckets - 1) };
  });
  keyed.sort((a, b) => a.bucket - b.bucket || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}
