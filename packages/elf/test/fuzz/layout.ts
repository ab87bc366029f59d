import { decompress, detectCompression, readModule, zstdFrames } from '../../src/index.js';
import type { BaseLayout } from './mutate.js';

/**
 * Where a base image's structures are, found once with the real reader: section headers, the
 * section-name table, and for a compressed base the fields that declare sizes (zstd content size,
 * gzip ISIZE, xz backward size), the window (zstd window descriptor, xz LZMA2 dictionary size) and
 * the blocks (zstd block headers), for the mutations that set a declaration against the real data.
 */
export function layout(name: string, bytes: Uint8Array): BaseLayout {
  const kind = detectCompression(bytes);
  const mod = readModule(kind === 'none' ? bytes : decompress(bytes));
  const names = mod.elf.sectionNameTable;
  const sizes: [number, number][] = [];
  const windows: number[] = [];
  const blocks: { offset: number; length: number; last: boolean }[] = [];
  if (kind === 'zstd') {
    for (const f of zstdFrames(bytes)) {
      if (f.kind !== 'zstd') continue;
      const fcsWidth =
        f.contentSize === undefined ? 0 : f.headerEnd - f.offset - 5 - (f.singleSegment ? 0 : 1);
      if (fcsWidth > 0) sizes.push([f.headerEnd - fcsWidth, Math.min(fcsWidth, 4)]);
      if (!f.singleSegment) windows.push(f.offset + 5);
      windows.push(f.offset + 4); // the frame header descriptor: single segment, sizes' widths
      for (const b of f.blocks) {
        blocks.push({ offset: b.offset, length: 3 + (b.type === 1 ? 1 : b.size), last: b.last });
        sizes.push([b.offset, 3]);
      }
    }
  } else if (kind === 'gzip') {
    sizes.push([bytes.length - 4, 4]);
  } else if (kind === 'xz') {
    sizes.push([bytes.length - 8, 4]); // Backward Size
    windows.push(12 + 2 + 1 + 2); // the first block's LZMA2 dictionary-size byte (xz's usual header)
  }
  return {
    name,
    bytes,
    is64: mod.class === 'ELF64',
    little: mod.endian === 'little',
    // In a compressed base the ELF offsets are arbitrary places of the compressed stream.
    shoff: mod.header.shoff,
    shnum: mod.sections.length,
    sections: mod.sections.map((s) => ({ offset: s.offset, size: s.size, type: s.type, entsize: s.entsize })),
    names: kind === 'none' && names ? { offset: names.offset, size: names.size } : undefined,
    headerOffsets: kind === 'none' ? mod.sections.map((s) => s.headerOffset) : [],
    sizes,
    windows,
    blocks,
  };
}
