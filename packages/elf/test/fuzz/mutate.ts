/**
 * Deterministic mutations of real module images: the same seed gives the same bytes, so a failing
 * case is reproduced by its seed alone.
 */

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Where the interesting structures of a base image are, found once per base with the real reader. */
export interface BaseLayout {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly is64: boolean;
  readonly little: boolean;
  readonly shoff: number;
  readonly shnum: number;
  /** [offset, size] of the section headers' sections, for overlap mutations and entry corruption. */
  readonly sections: readonly { offset: number; size: number; type: number; entsize: number }[];
  /** The section-name table (a plain image). */
  readonly names?: { offset: number; size: number } | undefined;
  /** File offset of every section header. */
  readonly headerOffsets: readonly number[];
  /** Compressed: [offset, width] of every field that declares a size (content size, ISIZE, block header). */
  readonly sizes: readonly (readonly [number, number])[];
  /** Compressed: offsets of the bytes that declare a window (zstd frame header, xz dictionary size). */
  readonly windows: readonly number[];
  /** zstd: every block (header and content), for duplicating, dropping and ending blocks early. */
  readonly blocks: readonly { offset: number; length: number; last: boolean }[];
}

const INTERESTING = [
  0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0xfff1, 0xfff2, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
];

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One mutated copy of `base` and what was done to it. */
export function mutate(base: BaseLayout, seed: number): { bytes: Uint8Array; what: string } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  let bytes = base.bytes.slice();
  const dv = () => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = base.is64 ? 8 : 4;
  const shdrSize = base.is64 ? 64 : 40;
  const put = (at: number, size: number, value: number) => {
    if (at < 0 || at + size > bytes.length) return;
    const d = dv();
    if (size === 1) d.setUint8(at, value & 0xff);
    else if (size === 2) d.setUint16(at, value & 0xffff, base.little);
    else if (size === 4) d.setUint32(at, value >>> 0, base.little);
    else d.setBigUint64(at, BigInt(Math.max(0, Math.floor(value))), base.little);
  };
  const value = () =>
    pick([
      pick(INTERESTING),
      int(bytes.length),
      bytes.length,
      bytes.length - int(64),
      int(1 << 16),
      2 ** 40 + int(100),
    ]);
  const what: string[] = [];
  const rounds = 1 + int(3);
  for (let round = 0; round < rounds; round++) {
    const kind = int(13);
    switch (kind) {
      case 0: {
        const n = 1 + int(8);
        for (let i = 0; i < n; i++) {
          const at = int(bytes.length);
          bytes[at]! ^= 1 << int(8);
        }
        what.push(`flip ${n} bits`);
        break;
      }
      case 1: {
        const at = int(bytes.length);
        bytes[at] = pick([0, 0xff, 0x7f, 0x80, 0x3d]);
        what.push(`byte @${at}`);
        break;
      }
      case 2: {
        const len = pick([
          int(bytes.length),
          int(128),
          bytes.length - 1 - int(512),
          base.shoff + int(base.shnum * shdrSize),
        ]);
        bytes = bytes.slice(0, Math.max(0, len));
        what.push(`truncate to ${len}`);
        break;
      }
      case 3: {
        // ELF header fields: e_type, e_machine, e_shoff, e_shentsize, e_shnum, e_shstrndx
        const fields: [number, number][] = [
          [16, 2],
          [18, 2],
          [24 + 2 * w, w],
          [34 + 3 * w, 2],
          [36 + 3 * w, 2],
          [38 + 3 * w, 2],
        ];
        const [at, size] = pick(fields);
        const v = value();
        put(at, size as 1 | 2 | 4 | 8, v);
        what.push(`ehdr @${at} = ${v}`);
        break;
      }
      case 4: {
        // a section header field
        const i = int(base.shnum);
        const field = pick([0, 4, 8, 8 + w, 8 + 2 * w, 8 + 3 * w, 8 + 4 * w, 12 + 4 * w, 16 + 5 * w]);
        const size = field === 0 || field === 4 || field === 8 + 4 * w || field === 12 + 4 * w ? 4 : w;
        const v = value();
        put(base.shoff + i * shdrSize + field, size, v);
        what.push(`shdr ${i} +${field} = ${v}`);
        break;
      }
      case 5: {
        // overlapping sections: i takes j's place
        const i = int(base.shnum);
        const j = pick(base.sections);
        put(base.shoff + i * shdrSize + 8 + 2 * w, w, j.offset + int(8));
        put(base.shoff + i * shdrSize + 8 + 3 * w, w, j.size + int(16));
        what.push(`section ${i} overlaps ${j.offset}`);
        break;
      }
      case 6: {
        // an entry of a symbol table (2) or relocation table (4, 9): a random word of a random entry
        const tables = base.sections.filter((s) => s.type === 2 || s.type === 4 || s.type === 9);
        if (tables.length === 0) break;
        const t = pick(tables);
        const entsize = t.entsize || (base.is64 ? 24 : 16);
        const at = t.offset + int(Math.max(1, Math.floor(t.size / entsize))) * entsize + 4 * int(entsize / 4);
        const v = value();
        put(at, 4, v);
        what.push(`table entry word @${at} = ${v}`);
        break;
      }
      case 7: {
        // a run of random bytes inside a section
        const s = pick(base.sections);
        const at = s.offset + int(Math.max(1, s.size));
        const n = 1 + int(16);
        for (let i = 0; i < n && at + i < bytes.length; i++) bytes[at + i] = int(256);
        what.push(`${n} random bytes @${at}`);
        break;
      }
      case 9: {
        // a section name without its NUL: the name table's last byte, or a name pointed at its end
        if (!base.names || base.names.size === 0) break;
        const end = base.names.offset + base.names.size;
        if (r() < 0.5) bytes[end - 1] = 0x61 + int(26);
        const i = int(base.headerOffsets.length);
        put(base.headerOffsets[i]!, 4, base.names.size - 1 - int(12));
        what.push(`name of section ${i} at the end of the name table`);
        break;
      }
      case 10: {
        // a declared size against the real data: content size, ISIZE, backward size, block size
        if (base.sizes.length === 0) break;
        const [at, width] = pick(base.sizes);
        const v = pick([value(), (bytes[at]! + 1 + int(3)) & 0xff, 0]);
        if (width === 3) put(at, 1, (bytes[at]! & 7) | ((v & 0x1f) << 3));
        else put(at, width === 4 ? 4 : 1, v);
        what.push(`declared size @${at} = ${v}`);
        break;
      }
      case 11: {
        // a window: zstd's window descriptor / frame header descriptor, xz's dictionary size
        if (base.windows.length === 0) break;
        const at = pick(base.windows);
        bytes[at] = pick([0, 0xff, 0x88, 0x89, 0xa7, int(256)]);
        what.push(`window byte @${at} = ${bytes[at]}`);
        break;
      }
      case 12: {
        // the block count: repeat a block many times, drop one, or end the frame early
        if (base.blocks.length === 0) break;
        const b = pick(base.blocks);
        const choice = int(3);
        const block = base.bytes.slice(b.offset, b.offset + b.length);
        if (choice === 0 && !b.last) {
          const n = 1 + int(200);
          const copies = new Uint8Array(block.length * n);
          for (let k = 0; k < n; k++) copies.set(block, k * block.length);
          bytes = concat(bytes.subarray(0, b.offset), copies, bytes.subarray(b.offset));
          what.push(`block @${b.offset} repeated ${n} times`);
        } else if (choice === 1) {
          bytes = concat(bytes.subarray(0, b.offset), bytes.subarray(b.offset + b.length));
          what.push(`block @${b.offset} dropped`);
        } else {
          bytes[b.offset]! ^= 1;
          what.push(`Last_Block of block @${b.offset} flipped`);
        }
        break;
      }
      default: {
        // the class or data byte: read the same bytes with the other layout or byte order
        const at = pick([4, 5]);
        bytes[at] = pick([1, 2]);
        what.push(`ident[${at}] = ${bytes[at]}`);
      }
    }
  }
  return { bytes, what: what.join('; ') };
}
