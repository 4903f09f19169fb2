// Renditions (docs/protocol.md): the sizes and qualities one stream is sent
// in. hello lists them, largest first, and says which one this viewer asked
// for ("auto" lets the server choose, and change, per viewer); each frame's
// header says which one it is. An older server sends none of these fields,
// so every reader here copes with their absence and never throws.

/** Rendition is one rung of the server's ladder, e.g. {name: "360p", w: 640, h: 360, quality: 70}. */
export interface Rendition {
  name: string;
  w: number;
  h: number;
  quality: number;
}

/** AUTO asks the server to pick the rendition for this viewer, and to change it as the link allows. */
export const AUTO = 'auto';

/** MAX_RENDITIONS bounds what one hello can put in the menu. */
export const MAX_RENDITIONS = 12;

// Names go into URLs and labels: short and plain ("720p"), nothing to escape.
const NAME = /^[A-Za-z0-9_-]{1,16}$/;

/** parseRenditionName reads a rendition name ("360p", "auto"); null for anything else. */
export function parseRenditionName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.trim();
  if (name.toLowerCase() === AUTO) return AUTO;
  return NAME.test(name) ? name : null;
}

const isDimension = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/** parseRenditions reads hello's "renditions"; bad or repeated items are skipped, a bad field gives []. */
export function parseRenditions(value: unknown): Rendition[] {
  if (!Array.isArray(value)) return [];
  const out: Rendition[] = [];
  for (const item of value) {
    if (out.length >= MAX_RENDITIONS) break;
    if (typeof item !== 'object' || item === null) continue;
    const { name, w, h, quality } = item as Record<string, unknown>;
    const n = parseRenditionName(name);
    if (n === null || n === AUTO || !isDimension(w) || !isDimension(h)) continue;
    if (out.some((r) => r.name === n)) continue;
    out.push({ name: n, w, h, quality: typeof quality === 'number' && Number.isFinite(quality) ? quality : 0 });
  }
  return out;
}

/**
 * frameRendition names the rendition a frame is: its header's "rendition",
 * or, when the header has none, the stream's own size (the first listed).
 * null when neither is known (an older server).
 */
export function frameRendition(headerRendition: string | null, available: readonly Rendition[]): string | null {
  return headerRendition ?? available[0]?.name ?? null;
}

/** RenditionState is what a viewer knows about renditions at one moment. */
export interface RenditionState {
  /** From hello, largest first; [] from a server without renditions. */
  available: Rendition[];
  /** What this viewer asked for: AUTO or a rendition's name. */
  selected: string;
  /** The rendition of the frame on screen; null before one, or from an older server. */
  current: string | null;
}

/** MenuItem is one choice in the rendition menu. */
export interface MenuItem {
  value: string;
  label: string;
}

/** RenditionMenu is what the rendition menu shows. */
export interface RenditionMenu {
  /** A menu with one rung has nothing to choose: it is hidden. */
  shown: boolean;
  /** Auto first, then the renditions largest first. */
  items: MenuItem[];
  /** The item chosen now; AUTO when the selected name is not on offer. */
  value: string;
  /** The menu's own text, e.g. "Auto · 360p". */
  label: string;
}

/** renditionLabel says what is chosen and, under Auto, what the server chose: "Auto · 360p", "Auto", "720p". */
export function renditionLabel(selected: string, current: string | null): string {
  if (selected !== AUTO) return selected;
  return current === null ? 'Auto' : `Auto · ${current}`;
}

/** renditionMenu builds the menu for a state. */
export function renditionMenu({ available, selected, current }: RenditionState): RenditionMenu {
  const value = selected !== AUTO && available.some((r) => r.name === selected) ? selected : AUTO;
  const label = renditionLabel(value, current);
  const items: MenuItem[] = [{ value: AUTO, label: value === AUTO ? label : 'Auto' }];
  for (const r of available) items.push({ value: r.name, label: r.name });
  return { shown: available.length >= 2, items, value, label };
}

/**
 * fitting is the rendition for a picture drawn widthPx device pixels wide:
 * the largest one no wider than that, so no pixel is decoded that cannot be
 * shown (the smallest when all are wider); null when the stream offers one
 * size.
 */
export function fitting(available: readonly Rendition[], widthPx: number): string | null {
  if (available.length < 2) return null;
  for (const r of available) {
    if (r.w <= widthPx) return r.name;
  }
  return available[available.length - 1]?.name ?? null;
}
