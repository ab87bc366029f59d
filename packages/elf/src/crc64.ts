/** CRC-64 (ECMA-182, reflected 0xC96C5795D7870F42), as xz's CRC64 check stores it. */

/** CRC-64 (ECMA-182, reflected 0xC96C5795D7870F42) table, split into 32-bit halves. */
const CRC64_TABLE = (() => {
  const lo = new Int32Array(256);
  const hi = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const lsb = l & 1;
      l = (l >>> 1) | (h << 31);
      h >>>= 1;
      if (lsb) {
        l ^= 0xd7870f42;
        h ^= 0xc96c5795;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  return { lo, hi };
})();

/** CRC-64 of `bytes[start, end)` as the 8 little-endian bytes xz stores. */
export function crc64(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const { lo, hi } = CRC64_TABLE;
  let l = -1;
  let h = -1;
  for (let i = start; i < end; i++) {
    const x = (l ^ bytes[i]!) & 0xff;
    l = lo[x]! ^ ((l >>> 8) | (h << 24));
    h = hi[x]! ^ (h >>> 8);
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, ~l >>> 0, true);
  view.setUint32(4, ~h >>> 0, true);
  return out;
}
