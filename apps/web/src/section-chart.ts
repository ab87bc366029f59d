/**
 * The sections as a squarified treemap (Bruls, Huizing, van Wijk 2000): each section a rectangle whose
 * area is its size, coloured by what it holds. Loaded lazily, with the Sections view.
 */
import type { Section } from '@kmodkit/elf';
import { el, humanBytes, note, svg } from './dom.js';
import { KIND_LABELS, type SectionKind, sectionKind } from './section-kind.js';

interface Item {
  label: string;
  size: number;
  kind: SectionKind;
  title: string;
}
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The worst aspect ratio of a row of areas laid along a side of length `side`. */
function worst(row: readonly number[], side: number): number {
  const sum = row.reduce((a, b) => a + b, 0);
  const max = Math.max(...row);
  const min = Math.min(...row);
  return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
}

/** Lays out `areas` (sorted descending, summing to r.w * r.h) in `r`. */
export function squarify(areas: readonly number[], r: Rect): Rect[] {
  const out: Rect[] = [];
  let rest = { ...r };
  let i = 0;
  while (i < areas.length) {
    const side = Math.min(rest.w, rest.h);
    const row = [areas[i]!];
    i++;
    while (i < areas.length && worst([...row, areas[i]!], side) <= worst(row, side)) {
      row.push(areas[i]!);
      i++;
    }
    const sum = row.reduce((a, b) => a + b, 0);
    if (rest.w >= rest.h) {
      const w = sum / rest.h;
      let y = rest.y;
      for (const a of row) {
        out.push({ x: rest.x, y, w, h: a / w });
        y += a / w;
      }
      rest = { x: rest.x + w, y: rest.y, w: rest.w - w, h: rest.h };
    } else {
      const h = sum / rest.w;
      let x = rest.x;
      for (const a of row) {
        out.push({ x, y: rest.y, w: a / h, h });
        x += a / h;
      }
      rest = { x: rest.x, y: rest.y + h, w: rest.w, h: rest.h - h };
    }
  }
  return out;
}

/** Sections by size; those under 0.4% of the total are one "n small sections" tile. */
function items(sections: readonly Section[]): Item[] {
  const sized = sections.filter((s) => s.size > 0).sort((a, b) => b.size - a.size);
  const total = sized.reduce((a, s) => a + s.size, 0);
  const big = sized.filter((s) => s.size >= total * 0.004);
  const small = sized.filter((s) => s.size < total * 0.004);
  const out: Item[] = big.map((s) => ({
    label: s.name,
    size: s.size,
    kind: sectionKind(s),
    title: `${s.name}: ${s.size} bytes (${KIND_LABELS[sectionKind(s)]})`,
  }));
  if (small.length > 0) {
    const size = small.reduce((a, s) => a + s.size, 0);
    out.push({
      label: `${small.length} small sections`,
      size,
      kind: 'other',
      title: `${small.length} sections under 0.4% each: ${size} bytes`,
    });
  }
  return out;
}

/** The chart `width` pixels wide (the space it gets), taller than wide on a phone so labels fit. */
export function sectionChart(sections: readonly Section[], width: number): HTMLElement {
  const WIDTH = Math.max(280, Math.round(width));
  const HEIGHT = WIDTH < 600 ? Math.round(WIDTH * 1.2) : Math.round(Math.min(420, WIDTH * 0.42));
  const list = items(sections);
  const total = list.reduce((a, i) => a + i.size, 0);
  if (total === 0) return note('section-chart', 'No section has any size.');
  const scale = (WIDTH * HEIGHT) / total;
  const rects = squarify(
    list.map((i) => i.size * scale),
    { x: 0, y: 0, w: WIDTH, h: HEIGHT },
  );
  const tiles = list.map((item, k) => {
    const r = rects[k]!;
    const pct = (100 * item.size) / total;
    const fits = r.w > 70 && r.h > 34;
    return svg(
      'g',
      { class: `tile kind-${item.kind}` },
      svg('title', {}, item.title),
      svg('rect', {
        x: r.x + 1,
        y: r.y + 1,
        width: Math.max(0, r.w - 2),
        height: Math.max(0, r.h - 2),
        rx: 3,
      }),
      fits ? svg('text', { x: r.x + 8, y: r.y + 20, class: 'name' }, item.label) : null,
      fits
        ? svg(
            'text',
            { x: r.x + 8, y: r.y + 36, class: 'size' },
            `${humanBytes(item.size)} · ${pct.toFixed(1)}%`,
          )
        : null,
    );
  });
  const byKind = new Map<SectionKind, number>();
  for (const s of sections) byKind.set(sectionKind(s), (byKind.get(sectionKind(s)) ?? 0) + s.size);
  const legend = [...byKind].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const summary = legend.map(([k, n]) => `${KIND_LABELS[k]} ${humanBytes(n)}`).join(', ');
  return el(
    'figure',
    { class: 'chart', id: 'section-chart' },
    svg(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        role: 'img',
        'aria-label': `Section sizes: ${summary}`,
        width: WIDTH,
        height: HEIGHT,
      },
      ...tiles,
    ),
    el(
      'figcaption',
      {},
      el(
        'ul',
        { class: 'legend' },
        ...legend.map(([k, n]) =>
          el(
            'li',
            {},
            el('span', { class: `swatch kind-${k}` }),
            `${KIND_LABELS[k]} `,
            el('strong', {}, humanBytes(n)),
          ),
        ),
      ),
    ),
  );
}
