import { describe, expect, it, vi } from 'vitest';
import {
  centredOn,
  downloadStart,
  fraction,
  keyStep,
  marksEvery,
  MAX_CLIP_MS,
  mergeLabels,
  placeMarks,
  playFrom,
  recordedAt,
  spanRanges,
  ticks,
  timeAt,
  windowAt,
  withOpenEnd,
  type Span,
} from './model';

// Ticks follow the local clock: a zone a half hour off UTC shows they do.
vi.stubEnv('TZ', 'Asia/Kolkata');

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = Date.parse('2026-12-06T14:00:00Z');

describe('window', () => {
  it('ends at the given time and is zoom wide', () => {
    expect(windowAt(T0, H)).toEqual({ start: T0 - H, end: T0 });
  });
  it('centres on a time, moved back so it never reaches past now', () => {
    expect(centredOn(T0 - 2 * H, H, T0)).toEqual({ start: T0 - 2.5 * H, end: T0 - 1.5 * H });
    expect(centredOn(T0 - 10 * MIN, H, T0)).toEqual({ start: T0 - H, end: T0 });
  });
  it('maps times to fractions of the track and back', () => {
    const win = windowAt(T0, H);
    expect(fraction(T0 - 30 * MIN, win)).toBe(0.5);
    expect(timeAt(0.25, win)).toBe(T0 - 45 * MIN);
    expect(timeAt(-1, win)).toBe(win.start);
    expect(timeAt(2, win)).toBe(win.end);
  });
  it('steps the keyboard cursor by a sixtieth of the zoom, a tenth with Shift', () => {
    expect(keyStep(10 * MIN, false)).toBe(10 * S);
    expect(keyStep(H, true)).toBe(6 * MIN);
  });
});

describe('spanRanges', () => {
  const win = windowAt(T0, H);
  const cases: Array<[string, Span[], Array<[number, number]>]> = [
    ['a span inside the window covers its part', [{ start: T0 - 30 * MIN, end: T0 - 15 * MIN }], [[0.5, 0.25]]],
    ['a span reaching before the window is cut at its left edge', [{ start: T0 - 2 * H, end: T0 - 45 * MIN }], [[0, 0.25]]],
    ['a span reaching past the window is cut at its right edge', [{ start: T0 - 6 * MIN, end: T0 + H }], [[0.9, 0.1]]],
    ['spans wholly outside the window are left out', [{ start: T0 - 3 * H, end: T0 - 2 * H }, { start: T0 + MIN, end: T0 + 2 * MIN }], []],
    ['an empty span is left out', [{ start: T0 - MIN, end: T0 - MIN }], []],
  ];
  for (const [name, spans, want] of cases) {
    it(name, () => {
      const got = spanRanges(spans, win).map((r) => [r.left, r.width]);
      expect(got.length).toBe(want.length);
      got.forEach(([l, w], i) => {
        expect(l).toBeCloseTo(want[i]![0], 9);
        expect(w).toBeCloseTo(want[i]![1], 9);
      });
    });
  }
});

describe('withOpenEnd', () => {
  const spans = [{ start: T0 - H, end: T0 - 30 * MIN }, { start: T0 - 10 * MIN, end: T0 }];
  it('takes a last span still being written when listed to reach the present', () => {
    expect(withOpenEnd(spans, T0 + 2 * S, T0 + 9 * S)[1]).toEqual({ start: T0 - 10 * MIN, end: T0 + 9 * S });
  });
  it('leaves a recording that had stopped when listed as it was', () => {
    expect(withOpenEnd(spans, T0 + MIN, T0 + MIN + 9 * S)).toEqual(spans);
  });
  it('does not change the list it was given', () => {
    const copy = structuredClone(spans);
    withOpenEnd(spans, T0, T0 + 5 * S);
    expect(spans).toEqual(copy);
  });
});

describe('marksEvery', () => {
  const cases: Array<[string, number, number, number]> = [
    ['10 min over 1200 px: one mark per label per 2 s', 10 * MIN, 1200, 2 * S],
    ['1 h over 1200 px: per 15 s', H, 1200, 15 * S],
    ['24 h over 1200 px: per 5 min', 24 * H, 1200, 5 * MIN],
    ['24 h on a 320 px phone: per 30 min', 24 * H, 320, 30 * MIN],
    ['a track not laid out yet asks for the thinnest', H, 0, H],
  ];
  for (const [name, zoom, width, want] of cases) {
    it(name, () => expect(marksEvery(zoom, width)).toBe(want));
  }
  it('never asks for more than one mark per label per MARK_PX', () => {
    for (const zoom of [10 * MIN, H, 24 * H]) {
      for (const width of [200, 333, 777, 1440, 2560]) expect(marksEvery(zoom, width)).toBeGreaterThanOrEqual((zoom * 4) / width);
    }
  });
});

describe('marks', () => {
  const win = windowAt(T0, H);
  const marks = [
    { t: T0 - 30 * MIN, label: 'motion' },
    { t: T0 - 15 * MIN, label: 'face' },
    { t: T0 - 2 * H, label: 'face' },
  ];
  it('places the marks in the window, each label in its lane', () => {
    expect(placeMarks(marks, win, ['face', 'motion'], new Set())).toEqual([
      { left: 0.5, label: 'motion', lane: 1 },
      { left: 0.75, label: 'face', lane: 0 },
    ]);
  });
  it('leaves out the labels the filter hides', () => {
    expect(placeMarks(marks, win, ['face', 'motion'], new Set(['motion']))).toEqual([{ left: 0.75, label: 'face', lane: 0 }]);
  });
  it('keeps labels once seen, sorted, so the filter does not lose one that has no marks in view', () => {
    expect(mergeLabels(['person'], marks)).toEqual(['face', 'motion', 'person']);
  });
});

describe('ticks', () => {
  it('falls on round minutes of the local clock, at least TICK_PX apart', () => {
    // 13:00 to 14:00 UTC is 18:30 to 19:30 in Kolkata: 10 min ticks over 1000 px.
    const win = windowAt(T0, H);
    const got = ticks(win, 1000);
    const local = got.map((t) => new Date(t.t).toTimeString().slice(0, 5));
    expect(local).toEqual(['18:30', '18:40', '18:50', '19:00', '19:10', '19:20', '19:30']);
    expect(got[0]!.left).toBe(0);
    expect(got.at(-1)!.left).toBe(1);
  });
  it('names local midnight by its day', () => {
    // 18:30 UTC is midnight in Kolkata.
    const midnight = Date.parse('2026-12-06T18:30:00Z');
    const got = ticks(windowAt(midnight + 6 * H, 24 * H), 1200);
    expect(got.filter((t) => t.day).map((t) => t.t)).toEqual([midnight]);
    expect(got.length).toBeGreaterThan(4);
    for (let i = 1; i < got.length; i++) expect((got[i]!.left - got[i - 1]!.left) * 1200).toBeGreaterThanOrEqual(90);
  });
});

describe('playFrom', () => {
  const spans = [
    { start: T0 - H, end: T0 - 50 * MIN },
    { start: T0 - 40 * MIN, end: T0 + 30 * MIN },
  ];
  const cases: Array<[string, number, { start: number; duration: number } | null]> = [
    ['a time in a span plays from there to the span end', T0 - 55 * MIN, { start: T0 - 55 * MIN, duration: 5 * MIN }],
    ['a time in a gap plays from the next span start', T0 - 45 * MIN, { start: T0 - 40 * MIN, duration: MAX_CLIP_MS }],
    ['a time before all plays from the first span', T0 - 2 * H, { start: T0 - H, duration: 10 * MIN }],
    ['a clip is never over an hour', T0 - 35 * MIN, { start: T0 - 35 * MIN, duration: MAX_CLIP_MS }],
    ['a time past the end plays the last 5 s', T0 + H, { start: T0 + 30 * MIN - 5 * S, duration: 5 * S }],
    ['a time just before a span end still plays a second', T0 - 50 * MIN - 200, { start: T0 - 50 * MIN - 200, duration: S }],
  ];
  for (const [name, t, want] of cases) {
    it(name, () => expect(playFrom(t, spans)).toEqual(want));
  }
  it('plays nothing when nothing is recorded', () => expect(playFrom(T0, [])).toBeNull());
  it('rounds a duration up to whole seconds', () => {
    expect(playFrom(T0, [{ start: T0 - S, end: T0 + 2500 }])).toEqual({ start: T0, duration: 3 * S });
  });
  it('tells whether a time is recorded', () => {
    expect(recordedAt(T0 - 55 * MIN, spans)).toBe(true);
    expect(recordedAt(T0 - 45 * MIN, spans)).toBe(false);
  });
});

describe('downloadStart', () => {
  const spans = [{ start: T0 - H, end: T0 }];
  it('starts at the time picked', () => expect(downloadStart(T0 - 20 * MIN, spans, 30 * S)).toBe(T0 - 20 * MIN));
  it('with none picked, is the last length of the recording', () => expect(downloadStart(null, spans, 30 * S)).toBe(T0 - 30 * S));
  it('with none picked, starts no earlier than a short recording', () => {
    expect(downloadStart(null, [{ start: T0 - 2 * S, end: T0 }], 30 * S)).toBe(T0 - 2 * S);
  });
  it('has nothing to download when nothing is recorded', () => expect(downloadStart(null, [], 30 * S)).toBeNull());
});
