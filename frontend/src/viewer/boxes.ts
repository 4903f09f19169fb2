// Drawing detections over a frame that is already on the canvas. The canvas
// has the frame's own pixel size, so boxes are drawn in frame pixels: a 3 px
// line on a 1280×720 frame is 3 of its pixels, however large it is shown.
import type { Detection } from './detections';

/** LINE_PX is the box outline width in frame pixels. */
export const LINE_PX = 3;

/** Known labels keep one colour everywhere; face and motion are the server's own. */
const LABEL_COLOURS: Record<string, string> = {
  face: '#22d3ee',
  motion: '#f59e0b',
};

/** PALETTE is for other labels; none is close to the colours above. */
const PALETTE = ['#a3e635', '#f472b6', '#a78bfa', '#34d399', '#facc15', '#fb7185'] as const;

/** labelColour picks the label's colour: fixed for known labels, else stable by name. */
export function labelColour(label: string): string {
  const known = LABEL_COLOURS[label];
  if (known) return known;
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/**
 * labelText is the tag on a box: "face 93%". Detectors that have no
 * confidence (Haar faces, motion) send a score of 1, which says nothing, so
 * a score of 1 or none shows the label alone.
 */
export function labelText(d: Pick<Detection, 'label' | 'score'>): string {
  if (d.score === undefined || d.score >= 1) return d.label;
  // Never round a real score up to a "100%" that means "no score".
  return `${d.label} ${Math.min(99, Math.round(d.score * 100))}%`;
}

/** The canvas calls drawDetections makes; a subset of CanvasRenderingContext2D so tests can fake it. */
export type BoxContext = Pick<
  CanvasRenderingContext2D,
  'save' | 'restore' | 'strokeRect' | 'fillRect' | 'fillText' | 'measureText' | 'strokeStyle' | 'fillStyle' | 'lineWidth' | 'font' | 'textBaseline'
>;

/** Geometry of the frame the boxes belong to. */
export interface BoxFrame {
  /** Frame size the box coordinates are in (the header's w, h). */
  frameW: number;
  frameH: number;
  /** Canvas pixel size the frame was drawn at; normally the same. */
  canvasW: number;
  canvasH: number;
}

/** tagFontPx grows with the frame so a label stays readable when the frame is shown scaled. */
export function tagFontPx(canvasH: number): number {
  return Math.min(48, Math.max(12, Math.round(canvasH / 36)));
}

/** A rectangle in canvas pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * placeTags finds where each box's tag goes so none covers another: above
 * the box's top-left corner when that is free and on the canvas, else inside
 * the box at its top, else below it. A tag that fits none of these is left
 * out (null; its box is still drawn): a pile of labels helps nobody. The
 * server's overlay places the labels it burns in the same way.
 */
export function placeTags(boxes: readonly Rect[], sizes: readonly { w: number; h: number }[], canvasW: number, canvasH: number): (Rect | null)[] {
  const placed: Rect[] = [];
  return boxes.map((b, i) => {
    const { w, h } = sizes[i]!;
    const x = Math.max(0, Math.min(b.x, canvasW - w));
    for (const y of [b.y - h, b.y, b.y + b.h]) {
      const r = { x, y, w, h };
      if (y < 0 || y + h > canvasH || x + w > canvasW) continue;
      if (placed.some((p) => overlaps(p, r))) continue;
      placed.push(r);
      return r;
    }
    return null;
  });
}

/** drawDetections outlines each box and tags it with its label where the tag covers no other (placeTags). */
export function drawDetections(ctx: BoxContext, detections: readonly Detection[], f: BoxFrame): void {
  if (detections.length === 0) return;
  const sx = f.frameW > 0 ? f.canvasW / f.frameW : 1;
  const sy = f.frameH > 0 ? f.canvasH / f.frameH : 1;
  const fontPx = tagFontPx(f.canvasH);
  const pad = Math.round(fontPx / 4);
  ctx.save();
  ctx.lineWidth = LINE_PX;
  ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const boxes = detections.map((d) => ({
    x: Math.round(d.box[0] * sx),
    y: Math.round(d.box[1] * sy),
    w: Math.round(d.box[2] * sx),
    h: Math.round(d.box[3] * sy),
  }));
  const texts = detections.map((d) => labelText(d));
  detections.forEach((d, i) => {
    const { x, y, w, h } = boxes[i]!;
    // Inset by half the line so the outline lies inside the box on whole pixels, crisp.
    ctx.strokeStyle = labelColour(d.label);
    ctx.strokeRect(x + LINE_PX / 2, y + LINE_PX / 2, Math.max(w - LINE_PX, 0), Math.max(h - LINE_PX, 0));
  });
  // Tags after every outline, so no outline crosses a tag's text.
  const sizes = texts.map((t) => ({ w: Math.ceil(ctx.measureText(t).width) + 2 * pad, h: fontPx + 2 * pad }));
  const tags = placeTags(boxes, sizes, f.canvasW, f.canvasH);
  detections.forEach((d, i) => {
    const tag = tags[i];
    if (!tag) return;
    ctx.fillStyle = labelColour(d.label);
    ctx.fillRect(tag.x, tag.y, tag.w, tag.h);
    ctx.fillStyle = '#0b0d10';
    ctx.fillText(texts[i]!, tag.x + pad, tag.y + pad);
  });
  ctx.restore();
}
