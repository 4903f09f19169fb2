// The grid's shape: how many columns of tiles, and how wide each, for a
// count of streams in a window. Kept apart from the DOM so it is testable.

/** Space is what the tiles share and what each needs besides its picture. */
export interface Space {
  /** The area the tiles go in, CSS pixels. */
  width: number;
  height: number;
  /** Between two tiles, and around them. */
  gap: number;
  /** Height of a tile's own bar (its name and state) under the picture. */
  bar: number;
  /** The pictures' shape, width over height; 16/9 for 1280×720. */
  aspect: number;
  /** Narrower than this a tile is no use: the page scrolls instead. */
  minTileWidth: number;
}

/** Shape is the layout chosen: cols × rows tiles, each tileWidth wide. */
export interface Shape {
  cols: number;
  rows: number;
  /** The width of each tile (and of its picture), CSS pixels, whole. */
  tileWidth: number;
  /** Whether the tiles fit the area; false: the page scrolls. */
  fits: boolean;
}

/**
 * gridShape picks the columns that make the tiles largest while all of them
 * fit the area: 1, 2×1 side by side in a wide window (1×2 in a tall one),
 * 2×2, 3×2, 3×3 … as count and the window's shape allow. When even the best
 * fit would make tiles narrower than minTileWidth, it takes as many columns
 * of that width as the area's width holds and lets the rows run on below.
 */
export function gridShape(count: number, space: Space): Shape {
  const n = Math.max(1, Math.floor(count));
  const { width, height, gap, bar, aspect } = space;
  let best: Shape = { cols: 1, rows: n, tileWidth: 0, fits: true };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const byWidth = (width - gap * (cols + 1)) / cols;
    const byHeight = ((height - gap * (rows + 1)) / rows - bar) * aspect;
    const tileWidth = Math.floor(Math.min(byWidth, byHeight));
    // Strictly larger: of two as good, the fewer columns (no empty column).
    if (tileWidth > best.tileWidth) best = { cols, rows, tileWidth, fits: true };
  }
  if (best.tileWidth >= space.minTileWidth) return best;
  const cols = Math.max(1, Math.min(n, Math.floor((width - gap) / (space.minTileWidth + gap))));
  const tileWidth = Math.max(0, Math.floor((width - gap * (cols + 1)) / cols));
  return { cols, rows: Math.ceil(n / cols), tileWidth, fits: false };
}
