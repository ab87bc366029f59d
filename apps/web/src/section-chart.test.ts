import fc from 'fast-check';
import { expect, test } from 'vitest';
import { squarify } from './section-chart.js';

test('squarify tiles the rectangle: each area kept, nothing outside, nothing overlapping', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 50, max: 2000 }),
      fc.integer({ min: 50, max: 2000 }),
      (sizes, w, h) => {
        const sorted = [...sizes].sort((a, b) => b - a);
        const total = sorted.reduce((a, b) => a + b, 0);
        const areas = sorted.map((s) => (s * w * h) / total);
        const rects = squarify(areas, { x: 0, y: 0, w, h });
        expect(rects).toHaveLength(areas.length);
        const eps = 1e-6 * w * h;
        rects.forEach((r, i) => {
          expect(Math.abs(r.w * r.h - areas[i]!)).toBeLessThan(eps + 1e-6);
          expect(r.x).toBeGreaterThanOrEqual(-1e-6);
          expect(r.y).toBeGreaterThanOrEqual(-1e-6);
          expect(r.x + r.w).toBeLessThanOrEqual(w + 1e-6);
          expect(r.y + r.h).toBeLessThanOrEqual(h + 1e-6);
        });
        for (let i = 0; i < rects.length; i++) {
          for (let j = i + 1; j < rects.length; j++) {
            const a = rects[i]!;
            const b = rects[j]!;
            const overlapW = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
            const overlapH = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
            expect(overlapW <= 1e-6 || overlapH <= 1e-6).toBe(true);
          }
        }
      },
    ),
  );
});
