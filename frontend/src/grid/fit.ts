// Which rendition a tile asks for: the largest no wider than the picture as
// the tile draws it, so a 2×2 grid takes 360p and a 3×3 wall 180p, not
// nine full-size streams.
import { fitting, type Rendition } from '../viewer';

/**
 * tileRendition is the rendition for a tile whose picture area is
 * boxWidth × boxHeight CSS pixels on a screen of dpr device pixels each: the
 * frame is letterboxed into the box, so a frame taller than the box's shape
 * is drawn narrower than it. null when the stream offers one size.
 */
export function tileRendition(available: readonly Rendition[], boxWidth: number, boxHeight: number, dpr: number): string | null {
  const own = available[0];
  if (own === undefined) return null;
  const drawnWidth = Math.min(boxWidth, (boxHeight * own.w) / own.h);
  return fitting(available, drawnWidth * dpr);
}
