// The timeline's DOM (viewer.html's #timeline, and the desktop window's in
// index.html, filled from markup.ts): it draws what it is given and reports
// nothing itself; timeline.ts wires the input. Positions are set as percentages, so the
// track keeps its drawing when the window resizes.
import { labelColour } from '../viewer';
import type { PlacedMark, Range, Tick } from './model';
import { tickLabel } from './format';
import { type ClipButton, fillTimeline } from './markup';

/** TimelineElements are viewer.html's parts of the timeline. */
export interface TimelineElements {
  root: HTMLElement;
  live: HTMLButtonElement;
  pause: HTMLButtonElement;
  time: HTMLElement;
  labels: HTMLElement;
  zoom: HTMLButtonElement[];
  length: HTMLSelectElement;
  /**
   * The clip button: the page's link that downloads the clip, or the
   * desktop window's button that exports it (its click is the window's).
   */
  download: HTMLAnchorElement | HTMLButtonElement;
  track: HTMLElement;
  spans: HTMLElement;
  marks: HTMLElement;
  cursor: HTMLElement;
  head: HTMLElement;
  hover: HTMLElement;
  ticks: HTMLElement;
  error: HTMLElement;
}

/**
 * findElements finds the timeline's parts by their ids in the page, first
 * writing them into its empty #timeline with clip's button (markup.ts).
 */
export function findElements(doc: Document, clip: ClipButton): TimelineElements {
  const section = doc.getElementById('timeline');
  if (section && !section.firstElementChild) fillTimeline(section, clip);
  const must = <T extends Element>(id: string, type: { new (): T }): T => {
    const el = doc.getElementById(id);
    if (!(el instanceof type)) throw new Error(`the page is missing #${id}`);
    return el;
  };
  const download = must('tl-download', HTMLElement);
  if (!(download instanceof HTMLAnchorElement || download instanceof HTMLButtonElement)) throw new Error('#tl-download is neither a link nor a button');
  const root = must('timeline', HTMLElement);
  return {
    root,
    live: must('tl-live', HTMLButtonElement),
    pause: must('tl-pause', HTMLButtonElement),
    time: must('tl-time', HTMLElement),
    labels: must('tl-labels', HTMLElement),
    zoom: [...root.querySelectorAll<HTMLButtonElement>('button[data-zoom]')],
    length: must('tl-length', HTMLSelectElement),
    download,
    track: must('tl-track', HTMLElement),
    spans: must('tl-spans', HTMLElement),
    marks: must('tl-marks', HTMLElement),
    cursor: must('tl-cursor', HTMLElement),
    head: must('tl-head', HTMLElement),
    hover: must('tl-hover', HTMLElement),
    ticks: must('tl-ticks', HTMLElement),
    error: must('tl-error', HTMLElement),
  };
}

const pct = (f: number): string => `${(f * 100).toFixed(3)}%`;

/** TICK_CHAR_PX is a character's width in a tick's label (0.7rem monospace), a little over. */
const TICK_CHAR_PX = 7.5;

/** TimelineView draws the timeline. */
export class TimelineView {
  private shownLabels = '';

  constructor(readonly el: TimelineElements) {}

  show(): void {
    this.el.root.hidden = false;
  }

  /** hide takes the timeline away, with any error it showed. */
  hide(): void {
    this.el.root.hidden = true;
    this.error('');
  }

  /** zoom marks the zoom button of ms as the one pressed. */
  zoom(ms: number): void {
    for (const b of this.el.zoom) b.setAttribute('aria-pressed', String(Number(b.dataset.zoom) === ms));
  }

  spans(ranges: readonly Range[]): void {
    this.el.spans.replaceChildren(
      ...ranges.map((r) => {
        const d = document.createElement('div');
        d.className = 'tl-span';
        d.style.left = pct(r.left);
        d.style.width = pct(r.width);
        return d;
      }),
    );
  }

  /** marks draws each mark in its label's lane, of lanes in all. */
  marks(marks: readonly PlacedMark[], lanes: number): void {
    const n = Math.max(1, lanes);
    this.el.marks.replaceChildren(
      ...marks.map((m) => {
        const d = document.createElement('div');
        d.className = 'tl-mark';
        d.dataset.label = m.label;
        d.style.left = pct(m.left);
        d.style.top = pct(m.lane / n);
        d.style.height = pct(1 / n);
        d.style.background = labelColour(m.label);
        return d;
      }),
    );
  }

  ticks(list: readonly Tick[]): void {
    const width = this.el.ticks.clientWidth;
    this.el.ticks.replaceChildren(
      ...list
        .map((t) => ({ t, text: tickLabel(t.t, t.day) }))
        // A label centred on a tick near either edge would stick out of the
        // track: it is left out when half of it (TICK_CHAR_PX a character)
        // does not fit on its side.
        .filter(({ t, text }) => {
          const half = (text.length * TICK_CHAR_PX) / 2 + 2;
          return t.left * width >= half && (1 - t.left) * width >= half;
        })
        .map(({ t, text }) => {
          const d = document.createElement('span');
          d.className = t.day ? 'tl-tick tl-day' : 'tl-tick';
          d.style.left = pct(t.left);
          d.textContent = text;
          return d;
        }),
    );
  }

  /** labels lists the labels seen as switches, pressed while shown; onToggle gets the one pressed. */
  labels(labels: readonly string[], hidden: ReadonlySet<string>, onToggle: (label: string) => void): void {
    const key = JSON.stringify([labels, [...hidden].sort()]);
    if (key === this.shownLabels) return;
    this.shownLabels = key;
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.label : undefined;
    this.el.labels.replaceChildren(
      ...labels.map((label) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'tl-button tl-label';
        b.dataset.label = label;
        b.setAttribute('aria-pressed', String(!hidden.has(label)));
        b.title = hidden.has(label) ? `Show ${label} marks` : `Hide ${label} marks`;
        const dot = document.createElement('span');
        dot.className = 'tl-dot';
        dot.style.background = labelColour(label);
        b.append(dot, label);
        b.addEventListener('click', () => onToggle(label));
        return b;
      }),
    );
    // Redrawn switches keep the keyboard where it was.
    if (focused !== undefined) this.el.labels.querySelector<HTMLElement>(`[data-label="${CSS.escape(focused)}"]`)?.focus();
  }

  /** line places the cursor (the time picked) or the play head at f; null hides it. */
  line(which: 'cursor' | 'head', f: number | null): void {
    const el = which === 'cursor' ? this.el.cursor : this.el.head;
    el.hidden = f === null || f < 0 || f > 1;
    if (f !== null) el.style.left = pct(f);
  }

  /** hover shows text at f over the track while the pointer is there; null hides it. */
  hover(f: number | null, text = ''): void {
    this.el.hover.hidden = f === null;
    if (f === null) return;
    this.el.hover.textContent = text;
    // Kept inside the track at either end.
    this.el.hover.style.left = pct(Math.min(0.96, Math.max(0.04, f)));
  }

  /** time is the line beside the buttons: what plays, or what the track shows. */
  time(text: string): void {
    this.el.time.textContent = text;
  }

  /** slider tells assistive technology where the cursor is. */
  slider(min: number, max: number, now: number, text: string): void {
    this.el.track.setAttribute('aria-valuemin', String(Math.round(min)));
    this.el.track.setAttribute('aria-valuemax', String(Math.round(max)));
    this.el.track.setAttribute('aria-valuenow', String(Math.round(now)));
    this.el.track.setAttribute('aria-valuetext', text);
  }

  /** playback shows Live and Pause while a recording is shown; paused says which way Pause goes. */
  playback(showing: boolean, paused: boolean): void {
    this.el.live.hidden = !showing;
    this.el.pause.hidden = !showing;
    this.el.pause.textContent = paused ? 'Play' : 'Pause';
    this.el.pause.setAttribute('aria-pressed', String(paused));
  }

  /** download points the link at url (null: nothing to download; a button is disabled then) and says what it gets. */
  download(url: string | null, title: string): void {
    const el = this.el.download;
    if (el instanceof HTMLButtonElement) {
      el.disabled = url === null;
    } else if (url === null) {
      el.removeAttribute('href');
      el.setAttribute('aria-disabled', 'true');
    } else {
      el.href = url;
      el.removeAttribute('aria-disabled');
    }
    el.title = title;
  }

  /** error shows a sentence under the track; "" hides it. */
  error(text: string): void {
    this.el.error.textContent = text;
    this.el.error.hidden = text === '';
  }
}
