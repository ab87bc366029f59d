/**
 * XXH64 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), seed 0, as zstd's content
 * checksum uses it, in 32-bit halves: V8 has no fast 64-bit integers (BigInt is ~50x slower). Each
 * 64-bit value is a (hi, lo) pair of uint32; mul64/add64/rotl64 leave their result in the caller's
 * `r` (one per call of xxh64Low32) to avoid allocating.
 */
interface Pair {
  hi: number;
  lo: number;
}

/** (aHi:aLo) * (bHi:bLo) mod 2^64. */
function mul64(r: Pair, aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  r.lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  r.hi = (carry + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) >>> 0;
}

function add64(r: Pair, aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  r.lo = lo >>> 0;
  r.hi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function rotl64(r: Pair, hi: number, lo: number, n: number): void {
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    r.hi = hi;
    r.lo = lo;
    return;
  }
  r.hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  r.lo = ((lo << n) | (hi >>> (32 - n))) >>> 0;
}

const P1_HI = 0x9e3779b1;
const P1_LO = 0x85ebca87;
const P2_HI = 0xc2b2ae3d;
const P2_LO = 0x27d4eb4f;
const P3_HI = 0x165667b1;
const P3_LO = 0x9e3779f9;
const P4_HI = 0x85ebca77;
const P4_LO = 0xc2b2ae63;
const P5_HI = 0x27d4eb2f;
const P5_LO = 0x165667c5;
/** 16-bit halves of the low words of P1 and P2, for the written-out lane rounds. */
const P1_L0 = P1_LO & 0xffff;
const P1_L1 = P1_LO >>> 16;
const P2_L0 = P2_LO & 0xffff;
const P2_L1 = P2_LO >>> 16;

/** round(acc, input) = rotl(acc + input * P2, 31) * P1. */
function round64(r: Pair, accHi: number, accLo: number, inHi: number, inLo: number): void {
  mul64(r, inHi, inLo, P2_HI, P2_LO);
  add64(r, accHi, accLo, r.hi, r.lo);
  rotl64(r, r.hi, r.lo, 31);
  mul64(r, r.hi, r.lo, P1_HI, P1_LO);
}

/** h = (h ^ round(0, v)) * P1 + P4. */
function mergeRound(r: Pair, hHi: number, hLo: number, vHi: number, vLo: number): void {
  round64(r, 0, 0, vHi, vLo);
  mul64(r, (hHi ^ r.hi) >>> 0, (hLo ^ r.lo) >>> 0, P1_HI, P1_LO);
  add64(r, r.hi, r.lo, P4_HI, P4_LO);
}

/** The low 32 bits of XXH64(data, seed 0): what a zstd frame stores as its content checksum. */
export function xxh64Low32(data: Uint8Array): number {
  const len = data.length;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le32 = (i: number) => view.getUint32(i, true);
  const r: Pair = { hi: 0, lo: 0 };
  let p = 0;
  let hHi: number;
  let hLo: number;
  if (len >= 32) {
    add64(r, P1_HI, P1_LO, P2_HI, P2_LO);
    let v1Hi = r.hi;
    let v1Lo = r.lo;
    let v2Hi = P2_HI;
    let v2Lo = P2_LO;
    let v3Hi = 0;
    let v3Lo = 0;
    // v4 = 0 - P1 mod 2^64
    let v4Hi = ~P1_HI >>> 0; // no borrow: the low word of P1 is not zero
    let v4Lo = -P1_LO >>> 0;
    // The four lanes written out with local variables: through helpers or a typed array this loop
    // ran at a third of fzstd's speed.
    let inLo: number;
    let inHi: number;
    let a0: number;
    let a1: number;
    let p00: number;
    let p01: number;
    let p10: number;
    let mid: number;
    let sum: number;
    let accLo: number;
    let accHi: number;
    let rHi: number;
    let rLo: number;
    for (; p + 32 <= len; p += 32) {
      // lane 1: v1 = rotl(v1 + input * P2, 31) * P1
      inLo = view.getUint32(p + 0, true);
      inHi = view.getUint32(p + 4, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v1Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v1Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v1Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v1Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 2: v2 = rotl(v2 + input * P2, 31) * P1
      inLo = view.getUint32(p + 8, true);
      inHi = view.getUint32(p + 12, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v2Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v2Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v2Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v2Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 3: v3 = rotl(v3 + input * P2, 31) * P1
      inLo = view.getUint32(p + 16, true);
      inHi = view.getUint32(p + 20, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v3Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v3Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v3Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v3Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
      // lane 4: v4 = rotl(v4 + input * P2, 31) * P1
      inLo = view.getUint32(p + 24, true);
      inHi = view.getUint32(p + 28, true);
      a0 = inLo & 0xffff;
      a1 = inLo >>> 16;
      p00 = a0 * P2_L0;
      p01 = a0 * P2_L1;
      p10 = a1 * P2_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      sum = v4Lo + (((mid << 16) | (p00 & 0xffff)) >>> 0);
      accLo = sum >>> 0;
      accHi =
        (v4Hi +
          a1 * P2_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(inLo, P2_HI) +
          Math.imul(inHi, P2_LO) +
          (sum > 0xffffffff ? 1 : 0)) >>>
        0;
      rHi = ((accHi << 31) | (accLo >>> 1)) >>> 0;
      rLo = ((accLo << 31) | (accHi >>> 1)) >>> 0;
      a0 = rLo & 0xffff;
      a1 = rLo >>> 16;
      p00 = a0 * P1_L0;
      p01 = a0 * P1_L1;
      p10 = a1 * P1_L0;
      mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
      v4Lo = ((mid << 16) | (p00 & 0xffff)) >>> 0;
      v4Hi =
        (a1 * P1_L1 +
          (p01 >>> 16) +
          (p10 >>> 16) +
          (mid >>> 16) +
          Math.imul(rLo, P1_HI) +
          Math.imul(rHi, P1_LO)) >>>
        0;
    }
    rotl64(r, v1Hi, v1Lo, 1);
    let aHi = r.hi;
    let aLo = r.lo;
    rotl64(r, v2Hi, v2Lo, 7);
    add64(r, aHi, aLo, r.hi, r.lo);
    aHi = r.hi;
    aLo = r.lo;
    rotl64(r, v3Hi, v3Lo, 12);
    add64(r, aHi, aLo, r.hi, r.lo);
    aHi = r.hi;
    aLo = r.lo;
    rotl64(r, v4Hi, v4Lo, 18);
    add64(r, aHi, aLo, r.hi, r.lo);
    mergeRound(r, r.hi, r.lo, v1Hi, v1Lo);
    mergeRound(r, r.hi, r.lo, v2Hi, v2Lo);
    mergeRound(r, r.hi, r.lo, v3Hi, v3Lo);
    mergeRound(r, r.hi, r.lo, v4Hi, v4Lo);
    hHi = r.hi;
    hLo = r.lo;
  } else {
    hHi = P5_HI;
    hLo = P5_LO;
  }
  add64(r, hHi, hLo, Math.floor(len / 2 ** 32), len >>> 0);
  hHi = r.hi;
  hLo = r.lo;
  for (; p + 8 <= len; p += 8) {
    round64(r, 0, 0, le32(p + 4), le32(p));
    rotl64(r, (hHi ^ r.hi) >>> 0, (hLo ^ r.lo) >>> 0, 27);
    mul64(r, r.hi, r.lo, P1_HI, P1_LO);
    add64(r, r.hi, r.lo, P4_HI, P4_LO);
    hHi = r.hi;
    hLo = r.lo;
  }
  if (p + 4 <= len) {
    mul64(r, 0, le32(p), P1_HI, P1_LO);
    rotl64(r, (hHi ^ r.hi) >>> 0, (hLo ^ r.lo) >>> 0, 23);
    mul64(r, r.hi, r.lo, P2_HI, P2_LO);
    add64(r, r.hi, r.lo, P3_HI, P3_LO);
    hHi = r.hi;
    hLo = r.lo;
    p += 4;
  }
  for (; p < len; p++) {
    mul64(r, 0, data[p]!, P5_HI, P5_LO);
    rotl64(r, (hHi ^ r.hi) >>> 0, (hLo ^ r.lo) >>> 0, 11);
    mul64(r, r.hi, r.lo, P1_HI, P1_LO);
    hHi = r.hi;
    hLo = r.lo;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  mul64(r, hHi, (hLo ^ (hHi >>> 1)) >>> 0, P2_HI, P2_LO);
  hHi = r.hi;
  hLo = r.lo;
  mul64(r, (hHi ^ (hHi >>> 29)) >>> 0, (hLo ^ ((hLo >>> 29) | (hHi << 3))) >>> 0, P3_HI, P3_LO);
  return (r.lo ^ r.hi) >>> 0;
}
