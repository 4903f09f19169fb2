// The timeline of a recorded stream, under the viewer page's picture and
// the desktop window's preview: it asks api/recordings once, and shows
// itself only when the stream is recorded (a 200); then it keeps the spans
// and the detection marks fresh, and turns a click, a drag or Enter on the
// track into a recording playing in the picture's place until Live (or
// Esc). The window ends one (signal) when it selects another camera.
import { shortcutFor } from '../page/shortcuts';
import type { RecordingApi } from './api';
import { lengthName, when } from './format';
import {
  centredOn,
  DEFAULT_ZOOM,
  downloadStart,
  fraction,
  keyStep,
  marksEvery,
  mergeLabels,
  placeMarks,
  playFrom,
  recordedAt,
  spanRanges,
  ticks,
  timeAt,
  windowAt,
  withOpenEnd,
  type Mark,
  type Play,
  type Span,
  type Window,
} from './model';
import { Player } from './player';
import type { TimelineView } from './view';

/** REFRESH_MS is how often the spans and marks are asked for again. */
export const REFRESH_MS = 10_000;

/** TimelineParts are what the timeline works with. */
export interface TimelineParts {
  api: RecordingApi;
  view: TimelineView;
  /** The <video> a recording plays in. */
  video: HTMLVideoElement;
  /** The live picture it takes the place of. */
  canvas: HTMLCanvasElement;
  /** Gets data-playback="true" while a recording is shown. */
  root: HTMLElement;
  /** pauseLive stops (true) and restarts (false) the live viewer. */
  pauseLive(paused: boolean): void;
  /** clipVerb names what the clip button does in its title: "Download" (the default), "Export". */
  clipVerb?: string;
  /**
   * signal ends the timeline: the live picture back, its requests and
   * listeners stopped, its section hidden. Without one it runs as long as
   * the page.
   */
  signal?: AbortSignal;
}

/** Timeline is the running timeline; the page asks it for the recorded picture to save. */
export interface Timeline {
  /** recordedFrame is the recorded picture shown and when it was captured; null while live. */
  recordedFrame(): { canvas: HTMLCanvasElement; at: Date } | null;
  /**
   * clip is what the clip button takes now: from the time picked (or the
   * picture playing, or else the end of the recording), the length chosen;
   * null while nothing is recorded.
   */
  clip(): Play | null;
}

/** startTimeline asks whether the stream is recorded and, when it is, shows and runs the timeline. */
export async function startTimeline(parts: TimelineParts): Promise<Timeline | null> {
  const first = await parts.api.spans();
  // Not recorded (404), not allowed, or no answer: the page stays as it is without recording.
  if (!first.ok || parts.signal?.aborted) return null;
  const t = new TimelineController(parts, first.value);
  return { recordedFrame: () => t.recordedFrame(), clip: () => t.clip() };
}

class TimelineController {
  private readonly api: RecordingApi;
  private readonly view: TimelineView;
  private readonly player: Player;
  private zoom = DEFAULT_ZOOM;
  /** While live the window ends now and moves with it; a recording playing holds it still. */
  private follow = true;
  private win: Window;
  private spans: Span[];
  private fetchedAt = Date.now();
  private marks: Mark[] = [];
  private marksAsked = 0;
  private labels: string[] = [];
  private readonly hidden = new Set<string>();
  /** The time picked by keyboard or drag, before it plays; null: none. */
  private cursor: number | null = null;
  private dragging = false;
  private ended = false;
  private paused = false;
  private readonly clipVerb: string;
  /** Ends every listener and drawing of this timeline (parts.signal). */
  private readonly signal: AbortSignal;

  constructor(parts: TimelineParts, spans: Span[]) {
    this.api = parts.api;
    this.view = parts.view;
    this.spans = spans;
    this.clipVerb = parts.clipVerb ?? 'Download';
    this.signal = parts.signal ?? new AbortController().signal;
    this.win = windowAt(this.now(), this.zoom);
    this.player = new Player(parts.video, parts.canvas, parts.root, parts.pauseLive, {
      onPosition: () => this.moved(),
      onEnded: () => {
        this.ended = true;
        this.drawLines();
      },
      onError: (url) => void this.failed(url),
      onPlaying: (playing) => {
        this.paused = !playing;
        this.drawLines();
      },
    }, this.signal);
    this.wire();
    this.view.show();
    this.view.zoom(this.zoom);
    this.drawAll();
    void this.fetchMarks();
    const timer = setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, REFRESH_MS);
    const resized = new ResizeObserver(() => this.drawAll());
    resized.observe(this.view.el.track);
    this.signal.addEventListener('abort', () => {
      clearInterval(timer);
      resized.disconnect();
      this.player.live();
      this.view.hide();
    });
  }

  recordedFrame(): { canvas: HTMLCanvasElement; at: Date } | null {
    const canvas = this.player.frame();
    return canvas ? { canvas, at: new Date(this.player.position) } : null;
  }

  clip(): Play | null {
    const at = this.cursor ?? (this.player.showing ? this.player.position : null);
    const duration = Number(this.view.el.length.value);
    const start = downloadStart(at, this.openSpans(), duration);
    return start === null ? null : { start, duration };
  }

  /** now is the present to the second: it ends the window, so its requests repeat while nothing moves. */
  private now(): number {
    return Math.ceil(Date.now() / 1000) * 1000;
  }

  private openSpans(): Span[] {
    return withOpenEnd(this.spans, this.fetchedAt, Date.now());
  }

  private async refresh(): Promise<void> {
    if (this.follow) this.win = windowAt(this.now(), this.zoom);
    const res = await this.api.spans();
    if (this.signal.aborted) return;
    if (res.ok) {
      this.spans = res.value;
      this.fetchedAt = Date.now();
      if (!this.player.showing) this.view.error('');
    } else {
      this.view.error(`Could not update the recorded times: ${res.error}`);
    }
    this.drawAll();
    await this.fetchMarks();
  }

  private async fetchMarks(): Promise<void> {
    const asked = ++this.marksAsked;
    const win = this.win;
    const res = await this.api.marks(win.start, win.end - win.start, marksEvery(win.end - win.start, this.view.el.track.clientWidth));
    // A later request (a zoom, a refresh) has the say; an ended timeline none.
    if (asked !== this.marksAsked || this.signal.aborted) return;
    if (!res.ok) {
      this.view.error(`Could not load the detections: ${res.error}`);
      return;
    }
    this.marks = res.value;
    this.labels = mergeLabels(this.labels, this.marks);
    this.drawMarks();
  }

  private drawAll(): void {
    this.view.spans(spanRanges(this.openSpans(), this.win));
    this.view.ticks(ticks(this.win, this.view.el.track.clientWidth));
    this.drawMarks();
    this.drawLines();
  }

  private drawMarks(): void {
    this.view.marks(placeMarks(this.marks, this.win, this.labels, this.hidden), this.labels.length);
    this.view.labels(this.labels, this.hidden, (label) => {
      if (!this.hidden.delete(label)) this.hidden.add(label);
      this.drawMarks();
    });
  }

  /** drawLines draws what moves while a recording plays: the head, the cursor, the words and the download link. */
  private drawLines(): void {
    const now = Date.now();
    const showing = this.player.showing;
    const position = showing ? this.player.position : null;
    this.view.line('head', position === null ? null : fraction(position, this.win));
    this.view.line('cursor', this.cursor === null ? null : fraction(this.cursor, this.win));
    this.view.playback(showing, this.paused || this.ended);
    if (position !== null) {
      const state = this.ended ? '■ End of recording' : this.paused ? '❚❚ Paused' : '▶ Playing';
      this.view.time(`${state} · ${when(position, now)}`);
    } else if (this.cursor !== null) {
      this.view.time(`${when(this.cursor, now)} · Enter plays`);
    } else {
      this.view.time('Click the timeline to play');
    }
    const at = this.cursor ?? position;
    const spans = this.openSpans();
    this.view.slider(this.win.start, this.win.end, at ?? this.win.end, at === null ? 'now' : `${when(at, now)}, ${recordedAt(at, spans) ? 'recorded' : 'not recorded'}`);
    const clip = this.clip();
    this.view.download(
      clip === null ? null : this.api.clipUrl(clip.start, clip.duration, true),
      clip === null ? 'Nothing is recorded yet' : `${this.clipVerb} ${lengthName(clip.duration)} from ${when(clip.start, now)}`,
    );
  }

  /** moved: the recording played on; the window follows it past its end. */
  private moved(): void {
    const position = this.player.position;
    if (position > this.win.end) {
      this.win = centredOn(position + this.zoom * 0.4, this.zoom, this.now());
      this.drawAll();
      void this.fetchMarks();
      return;
    }
    this.drawLines();
  }

  private play(t: number): void {
    const p = playFrom(t, this.openSpans());
    this.cursor = null;
    if (p === null) {
      this.view.error('Nothing is recorded yet.');
      this.drawLines();
      return;
    }
    this.view.error('');
    this.follow = false;
    this.ended = false;
    this.paused = false;
    this.player.play(this.api.clipUrl(p.start, p.duration, false), p.start);
    this.drawLines();
  }

  private live(): void {
    if (!this.player.showing) return;
    this.player.live();
    this.cursor = null;
    this.ended = false;
    this.follow = true;
    this.win = windowAt(this.now(), this.zoom);
    this.drawAll();
    void this.fetchMarks();
  }

  private async failed(url: string): Promise<void> {
    const why = (await this.api.clipError(url)) ?? 'this browser could not play it (H.264 in MP4)';
    if (this.signal.aborted) return;
    this.live();
    this.view.error(`Could not play the recording: ${why}`);
  }

  private setZoom(zoom: number): void {
    this.zoom = zoom;
    const at = this.cursor ?? (this.player.showing ? this.player.position : null);
    this.win = this.follow || at === null ? windowAt(this.now(), zoom) : centredOn(at, zoom, this.now());
    this.view.zoom(zoom);
    this.drawAll();
    void this.fetchMarks();
  }

  /** pick moves the cursor to t, moving the window when t is off it. */
  private pick(t: number): void {
    const now = Date.now();
    this.cursor = Math.min(now, t);
    if (this.cursor < this.win.start || this.cursor > this.win.end) {
      this.follow = false;
      this.win = centredOn(this.cursor, this.zoom, this.now());
      this.drawAll();
      void this.fetchMarks();
      return;
    }
    this.drawLines();
  }

  private wire(): void {
    const el = this.view.el;
    const on = { signal: this.signal };
    const at = (ev: PointerEvent): number => {
      const box = el.track.getBoundingClientRect();
      return (ev.clientX - box.left) / box.width;
    };
    el.track.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      this.dragging = true;
      el.track.setPointerCapture(ev.pointerId);
      this.pick(timeAt(at(ev), this.win));
    }, on);
    el.track.addEventListener('pointermove', (ev) => {
      const f = at(ev);
      const t = timeAt(f, this.win);
      this.view.hover(f, when(t, Date.now()));
      if (this.dragging) this.pick(t);
    }, on);
    const release = (ev: PointerEvent, play: boolean): void => {
      if (!this.dragging) return;
      this.dragging = false;
      if (ev.pointerType !== 'mouse') this.view.hover(null);
      if (play && this.cursor !== null) this.play(this.cursor);
    };
    el.track.addEventListener('pointerup', (ev) => release(ev, true), on);
    el.track.addEventListener('pointercancel', (ev) => release(ev, false), on);
    el.track.addEventListener('pointerleave', () => {
      if (!this.dragging) this.view.hover(null);
    }, on);
    el.track.addEventListener('keydown', (ev) => {
      const from = this.cursor ?? (this.player.showing ? this.player.position : this.win.end);
      switch (ev.key) {
        case 'ArrowLeft':
        case 'ArrowRight': {
          const step = keyStep(this.zoom, ev.shiftKey) * (ev.key === 'ArrowLeft' ? -1 : 1);
          this.pick(from + step);
          break;
        }
        case 'Home':
          this.pick(this.win.start);
          break;
        case 'End':
          this.pick(this.win.end);
          break;
        case 'Enter':
        case ' ':
          this.play(from);
          break;
        default:
          return;
      }
      ev.preventDefault();
    }, on);
    for (const b of el.zoom) b.addEventListener('click', () => this.setZoom(Number(b.dataset.zoom)), on);
    el.live.addEventListener('click', () => this.live(), on);
    el.pause.addEventListener('click', () => {
      if (this.ended) this.play(this.player.position);
      else if (this.paused) this.player.resume();
      else this.player.pause();
    }, on);
    el.length.addEventListener('change', () => this.drawLines(), on);
    document.addEventListener('keydown', (ev) => {
      const target = ev.target instanceof HTMLElement ? ev.target : null;
      const action = shortcutFor({ key: ev.key, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, altKey: ev.altKey, repeat: ev.repeat, target });
      if (action !== 'live' || !this.player.showing) return;
      ev.preventDefault();
      this.live();
    }, on);
  }
}
