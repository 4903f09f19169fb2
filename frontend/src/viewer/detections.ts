// The optional machine-vision fields of a frame header (docs/protocol.md):
//   "detections": [{"label": "face", "score": 0.93, "box": [x, y, w, h]}, ...]
//   "proc": [{"name": "faces", "ms": 12.3}, ...]
// They come from the network, so anything malformed is dropped item by item
// and the rest of the frame is still shown: these parsers never throw.

/** Detection is one thing the server's processing chain found in a frame. */
export interface Detection {
  label: string;
  /** Confidence in [0, 1]; undefined when the server gave none. */
  score?: number;
  /** x, y, width, height in the frame's pixels (the header's w × h). */
  box: [number, number, number, number];
}

/** ProcTime is one processor's time on a frame, in chain order. */
export interface ProcTime {
  name: string;
  ms: number;
}

/** LabelCount is how many boxes of one label a frame has. */
export interface LabelCount {
  label: string;
  count: number;
}

/** MAX_DETECTIONS bounds the work a single header can ask of the viewer. */
export const MAX_DETECTIONS = 256;
/** MAX_LABEL keeps one silly label from covering the picture. */
export const MAX_LABEL = 32;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** parseDetections reads a header's "detections"; bad items are skipped, a bad field gives []. */
export function parseDetections(value: unknown): Detection[] {
  if (!Array.isArray(value)) return [];
  const out: Detection[] = [];
  for (const item of value) {
    if (out.length >= MAX_DETECTIONS) break;
    const d = parseDetection(item);
    if (d) out.push(d);
  }
  return out;
}

function parseDetection(item: unknown): Detection | null {
  if (!isObject(item)) return null;
  const { box, label, score } = item;
  if (!Array.isArray(box) || box.length !== 4 || !box.every(isFiniteNumber)) return null;
  const [x, y, w, h] = box as number[] as [number, number, number, number];
  // An empty or inside-out box draws nothing a person could read.
  if (!(w > 0 && h > 0)) return null;
  const name = typeof label === 'string' && label.trim() !== '' ? label.trim().slice(0, MAX_LABEL) : 'object';
  const d: Detection = { label: name, box: [x, y, w, h] };
  if (isFiniteNumber(score)) d.score = Math.min(Math.max(score, 0), 1);
  return d;
}

/** parseProc reads a header's "proc"; bad items are skipped, a bad field gives []. */
export function parseProc(value: unknown): ProcTime[] {
  if (!Array.isArray(value)) return [];
  const out: ProcTime[] = [];
  for (const item of value) {
    if (isObject(item) && typeof item.name === 'string' && isFiniteNumber(item.ms) && item.ms >= 0) {
      out.push({ name: item.name, ms: item.ms });
    }
  }
  return out;
}

/** countByLabel counts boxes per label, most first, then by label. */
export function countByLabel(detections: readonly Detection[]): LabelCount[] {
  const counts = new Map<string, number>();
  for (const d of detections) counts.set(d.label, (counts.get(d.label) ?? 0) + 1);
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** countsText is the summary line, e.g. "2 face · 1 motion"; "" for none. */
export function countsText(counts: readonly LabelCount[]): string {
  return counts.map((c) => `${c.count} ${c.label}`).join(' · ');
}
