import { describe, expect, it } from 'vitest';
import { gridShape, type Space } from './layout';

// A 1440×900 window less the page's top bar, the page's gaps and tile bar.
const DESKTOP: Space = { width: 1440, height: 860, gap: 12, bar: 36, aspect: 16 / 9, minTileWidth: 280 };
const PORTRAIT: Space = { ...DESKTOP, width: 800, height: 1240 };
const PHONE: Space = { ...DESKTOP, width: 390, height: 800 };

describe('gridShape', () => {
  const cases: Array<[string, number, Space, { cols: number; rows: number; fits: boolean }]> = [
    ['one stream takes the whole area', 1, DESKTOP, { cols: 1, rows: 1, fits: true }],
    ['two streams sit side by side in a wide window', 2, DESKTOP, { cols: 2, rows: 1, fits: true }],
    ['two streams sit one above the other in a tall window', 2, PORTRAIT, { cols: 1, rows: 2, fits: true }],
    ['three streams make a 2×2 with one cell empty', 3, DESKTOP, { cols: 2, rows: 2, fits: true }],
    ['four streams make a 2×2', 4, DESKTOP, { cols: 2, rows: 2, fits: true }],
    ['five and six streams make a 3×2', 6, DESKTOP, { cols: 3, rows: 2, fits: true }],
    ['nine streams make a 3×3', 9, DESKTOP, { cols: 3, rows: 3, fits: true }],
    ['sixteen streams make a 4×4', 16, DESKTOP, { cols: 4, rows: 4, fits: true }],
    ['on a phone the tiles stack and the page scrolls', 4, PHONE, { cols: 1, rows: 4, fits: false }],
    ['forty streams take columns of the narrowest useful width, and scroll', 40, DESKTOP, { cols: 4, rows: 10, fits: false }],
    ['no streams is laid out as one', 0, DESKTOP, { cols: 1, rows: 1, fits: true }],
  ];
  for (const [name, count, space, want] of cases) {
    it(name, () => {
      const got = gridShape(count, space);
      expect({ cols: got.cols, rows: got.rows, fits: got.fits }).toEqual(want);
    });
  }

  it('makes tiles that fit the area, gaps and bars included', () => {
    for (const count of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16]) {
      const { cols, rows, tileWidth, fits } = gridShape(count, DESKTOP);
      expect(fits).toBe(true);
      const { gap, bar, aspect } = DESKTOP;
      expect(cols * tileWidth + (cols + 1) * gap).toBeLessThanOrEqual(DESKTOP.width);
      expect(rows * (tileWidth / aspect + bar) + (rows + 1) * gap).toBeLessThanOrEqual(DESKTOP.height);
      expect(cols * rows).toBeGreaterThanOrEqual(count);
    }
  });

  it('makes the tiles of a 2×2 on a 1440×900 window narrower than 720p, so they take 360p', () => {
    const { tileWidth } = gridShape(4, DESKTOP);
    expect(tileWidth).toBeGreaterThanOrEqual(640);
    expect(tileWidth).toBeLessThan(1280);
  });

  it('never makes a tile narrower than the minimum while the area is wider than it', () => {
    for (const count of [20, 40, 64]) expect(gridShape(count, DESKTOP).tileWidth).toBeGreaterThanOrEqual(DESKTOP.minTileWidth);
  });

  it('gives a phone narrower than the minimum one column as wide as it is', () => {
    const got = gridShape(3, { ...PHONE, width: 240 });
    expect(got).toEqual({ cols: 1, rows: 3, tileWidth: 240 - 2 * 12, fits: false });
  });
});
