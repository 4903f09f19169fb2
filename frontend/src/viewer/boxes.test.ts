import { describe, expect, it } from 'vitest';
import { drawDetections, labelColour, labelText, LINE_PX, placeTags, tagFontPx, type BoxContext } from './boxes';
import type { Detection } from './detections';

describe('labelText', () => {
  it('shows the score as a whole percentage', () => {
    expect(labelText({ label: 'face', score: 0.93 })).toBe('face 93%');
    expect(labelText({ label: 'face', score: 0.29 })).toBe('face 29%');
    expect(labelText({ label: 'face', score: 0 })).toBe('face 0%');
  });

  it('shows the label alone when there is no score or it is 1, as detectors without confidence send', () => {
    expect(labelText({ label: 'face' })).toBe('face');
    expect(labelText({ label: 'motion', score: 1 })).toBe('motion');
  });

  it('never rounds a real score up to 100%', () => {
    expect(labelText({ label: 'face', score: 0.999 })).toBe('face 99%');
  });
});

describe('labelColour', () => {
  it('gives faces cyan and motion amber', () => {
    expect(labelColour('face')).toBe('#22d3ee');
    expect(labelColour('motion')).toBe('#f59e0b');
  });

  it('gives any other label the same palette colour every time, unlike the known ones', () => {
    for (const label of ['cat', 'person', 'object', '']) {
      const c = labelColour(label);
      expect(c).toMatch(/^#[0-9a-f]{6}$/);
      expect(labelColour(label)).toBe(c);
      expect(['#22d3ee', '#f59e0b']).not.toContain(c);
    }
  });
});

// fakeContext records the calls drawDetections makes, with the style in force at each.
function fakeContext() {
  const calls: Array<[string, ...unknown[]]> = [];
  const ctx = {
    strokeStyle: '',
    fillStyle: '',
    lineWidth: 1,
    font: '',
    textBaseline: 'alphabetic',
    save: () => calls.push(['save']),
    restore: () => calls.push(['restore']),
    strokeRect: (...a: number[]) => calls.push(['strokeRect', ctx.strokeStyle, ctx.lineWidth, ...a]),
    fillRect: (...a: number[]) => calls.push(['fillRect', ctx.fillStyle, ...a]),
    fillText: (text: string, x: number, y: number) => calls.push(['fillText', ctx.fillStyle, text, x, y]),
    measureText: (text: string) => ({ width: text.length * 10 }),
  };
  return { ctx: ctx as unknown as BoxContext, calls };
}

const frame = { frameW: 640, frameH: 360, canvasW: 640, canvasH: 360 };

describe('drawDetections', () => {
  it('draws nothing at all for a frame without detections', () => {
    const { ctx, calls } = fakeContext();
    drawDetections(ctx, [], frame);
    expect(calls).toEqual([]);
  });

  it('outlines the box with a 3 px line lying just inside it, in the label colour', () => {
    const { ctx, calls } = fakeContext();
    drawDetections(ctx, [{ label: 'face', box: [100, 80, 50, 60] }], frame);
    expect(calls).toContainEqual(['strokeRect', '#22d3ee', LINE_PX, 101.5, 81.5, 47, 57]);
  });

  it('puts the tag above the box when there is room, else inside its top edge', () => {
    const { ctx, calls } = fakeContext();
    const dets: Detection[] = [
      { label: 'face', score: 0.5, box: [100, 80, 50, 60] },
      { label: 'face', box: [10, 2, 50, 60] },
    ];
    drawDetections(ctx, dets, frame);
    const font = tagFontPx(360);
    const pad = Math.round(font / 4);
    const tags = calls.filter((c) => c[0] === 'fillRect');
    expect(tags[0]).toEqual(['fillRect', '#22d3ee', 100, 80 - font - 2 * pad, 'face 50%'.length * 10 + 2 * pad, font + 2 * pad]);
    expect(tags[1]?.[3]).toBe(2);
    expect(calls.filter((c) => c[0] === 'fillText').map((c) => c[2])).toEqual(['face 50%', 'face']);
  });

  it('keeps a tag near the right edge inside the frame', () => {
    const { ctx, calls } = fakeContext();
    drawDetections(ctx, [{ label: 'motion', box: [630, 100, 10, 10] }], frame);
    const tag = calls.find((c) => c[0] === 'fillRect')!;
    expect((tag[2] as number) + (tag[4] as number)).toBe(640);
  });

  it('scales boxes when the canvas is not the size the header gave', () => {
    const { ctx, calls } = fakeContext();
    drawDetections(ctx, [{ label: 'face', box: [100, 50, 40, 20] }], { frameW: 320, frameH: 180, canvasW: 640, canvasH: 360 });
    expect(calls).toContainEqual(['strokeRect', '#22d3ee', LINE_PX, 201.5, 101.5, 77, 37]);
  });

  it('restores the context it found', () => {
    const { ctx, calls } = fakeContext();
    drawDetections(ctx, [{ label: 'face', box: [1, 1, 10, 10] }], frame);
    expect(calls[0]).toEqual(['save']);
    expect(calls.at(-1)).toEqual(['restore']);
  });
});

describe('tagFontPx', () => {
  it('grows with the frame within readable bounds', () => {
    expect(tagFontPx(720)).toBe(20);
    expect(tagFontPx(100)).toBe(12);
    expect(tagFontPx(4320)).toBe(48);
  });
});

describe('placeTags', () => {
  const tag = { w: 60, h: 20 };
  const place = (boxes: { x: number; y: number; w: number; h: number }[]) =>
    placeTags(boxes, boxes.map(() => tag), 640, 360);
  it('puts a tag above its box, or inside its top at the top edge', () => {
    expect(place([{ x: 100, y: 100, w: 100, h: 100 }])).toEqual([{ x: 100, y: 80, w: 60, h: 20 }]);
    expect(place([{ x: 100, y: 0, w: 100, h: 100 }])).toEqual([{ x: 100, y: 0, w: 60, h: 20 }]);
  });
  it('moves a tag that would leave the canvas on the right back in', () => {
    expect(place([{ x: 620, y: 100, w: 20, h: 100 }])).toEqual([{ x: 580, y: 80, w: 60, h: 20 }]);
  });
  it('gives boxes at the same place tags above, inside and below, never on top of each other', () => {
    const box = { x: 100, y: 100, w: 100, h: 100 };
    expect(place([box, box, box])).toEqual([
      { x: 100, y: 80, w: 60, h: 20 },
      { x: 100, y: 100, w: 60, h: 20 },
      { x: 100, y: 200, w: 60, h: 20 },
    ]);
  });
  it('leaves out a tag that has no free place', () => {
    const box = { x: 100, y: 100, w: 100, h: 100 };
    expect(place([box, box, box, { ...box, x: 110 }])[3]).toBeNull();
  });
  it('never lets two placed tags overlap, however the boxes pile up', () => {
    const boxes = Array.from({ length: 40 }, (_, i) => ({ x: (i * 37) % 500, y: (i * 53) % 300, w: 80, h: 60 }));
    const tags = place(boxes).filter((t) => t !== null);
    expect(tags.length).toBeGreaterThan(5);
    for (let i = 0; i < tags.length; i++) {
      const a = tags[i]!;
      expect(a.x >= 0 && a.y >= 0 && a.x + a.w <= 640 && a.y + a.h <= 360).toBe(true);
      for (let j = i + 1; j < tags.length; j++) {
        const b = tags[j]!;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart, `tags ${i} and ${j} overlap`).toBe(true);
      }
    }
  });
});
