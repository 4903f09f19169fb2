// The timeline's arithmetic, kept apart from the DOM so it is testable: the
// window of time shown, where a time falls on it, the recorded spans and
// detection marks as fractions of its width, the ticks, how thin the marks
// are asked for, and what a click plays. Times are milliseconds since the
// epoch; positions are fractions of the track, 0 at its left, 1 at its right.

/** Span is a recorded stretch of time. */
export interface Span {
  start: number;
  end: number;
}

/** Mark is one detection the timeline shows. */
export interface Mark {
  t: number;
  label: string;
}

/** Window is the stretch of time the track shows. */
export interface Window {
  start: number;
  end: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** ZOOMS are the widths of time the timeline offers; the last hour is the default. */
export const ZOOMS = [10 * MINUTE, HOUR, 24 * HOUR] as const;
export const DEFAULT_ZOOM = HOUR;

/** MAX_CLIP_MS is the longest clip the server gives (design: ≤ 1 h). */
export const MAX_CLIP_MS = HOUR;

/** MIN_CLIP_MS is the shortest clip asked for to play, so a click near a span's end still shows something. */
export const MIN_CLIP_MS = SECOND;

/** TAIL_MS is how far before the end of the recording a click past it plays from. */
export const TAIL_MS = 5 * SECOND;

/**
 * OPEN_MS: a last span that ended less than this before the list was
 * fetched is still being written (the list is refreshed every ~10 s), so
 * it is taken to reach the present.
 */
export const OPEN_MS = 15 * SECOND;

/** MARK_PX is the room one mark per label gets on the track; marks are asked for no denser. */
export const MARK_PX = 4;

/** TICK_PX is the least room between two tick labels. */
export const TICK_PX = 90;

/** windowAt is the window zoom wide that ends at end. */
export function windowAt(end: number, zoom: number): Window {
  return { start: end - zoom, end };
}

/**
 * centredOn is the window zoom wide around t, moved back so it does not
 * reach past now: what a zoom shows while a recording plays.
 */
export function centredOn(t: number, zoom: number, now: number): Window {
  return windowAt(Math.min(now, t + zoom / 2), zoom);
}

/** fraction is where t falls on the window: 0 its start, 1 its end (outside: below 0 or over 1). */
export function fraction(t: number, win: Window): number {
  return (t - win.start) / (win.end - win.start);
}

/** timeAt is the time at fraction f of the window, f clamped to [0, 1]. */
export function timeAt(f: number, win: Window): number {
  return win.start + Math.min(1, Math.max(0, f)) * (win.end - win.start);
}

/** Range is a part of the track: left and width as fractions of it. */
export interface Range {
  left: number;
  width: number;
}

/** spanRanges are the parts of the track the spans cover, clipped to the window, in order. */
export function spanRanges(spans: readonly Span[], win: Window): Range[] {
  const out: Range[] = [];
  for (const s of spans) {
    const left = Math.max(0, fraction(s.start, win));
    const right = Math.min(1, fraction(s.end, win));
    if (right <= left) continue;
    out.push({ left, width: right - left });
  }
  return out;
}

/** withOpenEnd is spans with the last one taken to reach now when it was still being written at fetchedAt (see OPEN_MS). */
export function withOpenEnd(spans: readonly Span[], fetchedAt: number, now: number): Span[] {
  const out = spans.slice();
  const last = out[out.length - 1];
  if (last && last.end >= fetchedAt - OPEN_MS && now > last.end) out[out.length - 1] = { start: last.start, end: now };
  return out;
}

/** NICE_EVERY are the thinnings the marks are asked for in, in seconds: round numbers a person reads. */
const NICE_EVERY = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/**
 * marksEvery is how thin to ask for the marks (api/detections' every): at
 * most one per label per MARK_PX of a track widthPx wide showing zoom,
 * rounded up to a round number of seconds.
 */
export function marksEvery(zoom: number, widthPx: number): number {
  const raw = (zoom * MARK_PX) / Math.max(1, widthPx);
  const s = NICE_EVERY.find((n) => n * SECOND >= raw) ?? NICE_EVERY[NICE_EVERY.length - 1]!;
  return s * SECOND;
}

/** PlacedMark is a mark where the track shows it: lane is its label's row of lanes. */
export interface PlacedMark {
  left: number;
  label: string;
  lane: number;
}

/** placeMarks puts the marks of the shown labels on the window, each label in its lane (its place in labels). */
export function placeMarks(marks: readonly Mark[], win: Window, labels: readonly string[], hidden: ReadonlySet<string>): PlacedMark[] {
  const out: PlacedMark[] = [];
  for (const m of marks) {
    if (hidden.has(m.label)) continue;
    const left = fraction(m.t, win);
    if (left < 0 || left > 1) continue;
    out.push({ left, label: m.label, lane: Math.max(0, labels.indexOf(m.label)) });
  }
  return out;
}

/** mergeLabels is known with the labels of marks added, sorted: a label stays in the filter once seen. */
export function mergeLabels(known: readonly string[], marks: readonly Mark[]): string[] {
  const all = new Set(known);
  for (const m of marks) all.add(m.label);
  return [...all].sort();
}

/** TICK_STEPS are the tick intervals offered, in minutes. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720];

/** Tick is a time the track names under it. */
export interface Tick {
  t: number;
  left: number;
  /** Whether it is a local midnight, named by its date. */
  day: boolean;
}

/**
 * ticks are the round local times over a window shown widthPx wide, at
 * least TICK_PX apart. They count from local midnight, so a 15 min step
 * gives :00, :15, :30 and :45 of the local clock.
 */
export function ticks(win: Window, widthPx: number): Tick[] {
  const raw = ((win.end - win.start) * TICK_PX) / Math.max(1, widthPx);
  const step = (TICK_STEPS.find((m) => m * MINUTE >= raw) ?? 24 * 60) * MINUTE;
  const first = new Date(win.start);
  const midnight = new Date(first.getFullYear(), first.getMonth(), first.getDate()).getTime();
  const out: Tick[] = [];
  for (let t = midnight + Math.ceil((win.start - midnight) / step) * step; t <= win.end; t += step) {
    const d = new Date(t);
    out.push({ t, left: fraction(t, win), day: d.getHours() === 0 && d.getMinutes() === 0 });
  }
  return out;
}

/** Play is a clip to ask for: from start, duration long. */
export interface Play {
  start: number;
  duration: number;
}

/**
 * playFrom is what a click at t plays: from t, or from the next span's
 * start when t falls in a gap, or the last TAIL_MS of the recording when t
 * is past its end; to the end of that span, at most MAX_CLIP_MS and at
 * least MIN_CLIP_MS. null: nothing is recorded.
 */
export function playFrom(t: number, spans: readonly Span[]): Play | null {
  const span = spans.find((s) => t < s.end);
  if (span) {
    const start = Math.max(t, span.start);
    return { start, duration: clipLength(span.end - start) };
  }
  const last = spans[spans.length - 1];
  if (!last) return null;
  const start = Math.max(last.start, last.end - TAIL_MS);
  return { start, duration: clipLength(last.end - start) };
}

function clipLength(ms: number): number {
  return Math.min(MAX_CLIP_MS, Math.max(MIN_CLIP_MS, Math.ceil(ms / SECOND) * SECOND));
}

/** recordedAt tells whether t falls in a span. */
export function recordedAt(t: number, spans: readonly Span[]): boolean {
  return spans.some((s) => t >= s.start && t < s.end);
}

/** keyStep is how far an arrow key moves the cursor on the track: a sixtieth of the zoom (10 s at 10 min); with Shift, a tenth. */
export function keyStep(zoom: number, big: boolean): number {
  return big ? zoom / 10 : zoom / 60;
}

/**
 * downloadStart is where "Download clip" starts: at the cursor (the time
 * clicked, or the picture playing), or else the last length of the
 * recording. null: nothing is recorded.
 */
export function downloadStart(cursor: number | null, spans: readonly Span[], length: number): number | null {
  if (cursor !== null) return cursor;
  const last = spans[spans.length - 1];
  return last ? Math.max(last.start, last.end - length) : null;
}
