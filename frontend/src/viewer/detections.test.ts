import { describe, expect, it } from 'vitest';
import { countByLabel, countsText, MAX_DETECTIONS, MAX_LABEL, parseDetections, parseProc } from './detections';

describe('parseDetections', () => {
  it('reads label, score and box of each detection', () => {
    expect(
      parseDetections([
        { label: 'face', score: 0.93, box: [10, 20, 30, 40] },
        { label: 'motion', score: 1, box: [0, 0, 5.5, 6] },
      ]),
    ).toEqual([
      { label: 'face', score: 0.93, box: [10, 20, 30, 40] },
      { label: 'motion', score: 1, box: [0, 0, 5.5, 6] },
    ]);
  });

  it('leaves the score out when the server sent none or a bad one', () => {
    expect(parseDetections([{ label: 'face', box: [1, 2, 3, 4] }])).toEqual([{ label: 'face', box: [1, 2, 3, 4] }]);
    expect(parseDetections([{ label: 'face', score: 'high', box: [1, 2, 3, 4] }])[0]?.score).toBeUndefined();
  });

  it('clamps a score outside 0..1 into it', () => {
    const [a, b] = parseDetections([
      { label: 'a', score: 1.7, box: [0, 0, 1, 1] },
      { label: 'b', score: -0.2, box: [0, 0, 1, 1] },
    ]);
    expect([a?.score, b?.score]).toEqual([1, 0]);
  });

  it('calls a detection without a usable label "object" and shortens a long one', () => {
    const [a, b, c] = parseDetections([
      { box: [0, 0, 1, 1] },
      { label: '   ', box: [0, 0, 1, 1] },
      { label: 'x'.repeat(100), box: [0, 0, 1, 1] },
    ]);
    expect([a?.label, b?.label]).toEqual(['object', 'object']);
    expect(c?.label).toHaveLength(MAX_LABEL);
  });

  const absent: Array<[string, unknown]> = [
    ['a missing field', undefined],
    ['null', null],
    ['an object', { label: 'face', box: [1, 2, 3, 4] }],
    ['a string', 'face'],
    ['a number', 3],
  ];
  for (const [name, value] of absent) {
    it(`gives no detections for ${name}`, () => expect(parseDetections(value)).toEqual([]));
  }

  const badItems: Array<[string, unknown]> = [
    ['a box with NaN', { label: 'face', box: [Number.NaN, 0, 10, 10] }],
    ['a box with Infinity', { label: 'face', box: [0, 0, Number.POSITIVE_INFINITY, 10] }],
    ['a box of strings', { label: 'face', box: ['1', '2', '3', '4'] }],
    ['a box with three numbers', { label: 'face', box: [1, 2, 3] }],
    ['a box with five numbers', { label: 'face', box: [1, 2, 3, 4, 5] }],
    ['a box of zero width', { label: 'face', box: [1, 2, 0, 4] }],
    ['a box of negative height', { label: 'face', box: [1, 2, 3, -4] }],
    ['a box that is an object', { label: 'face', box: { x: 1, y: 2, w: 3, h: 4 } }],
    ['no box', { label: 'face' }],
    ['null', null],
    ['an array', [1, 2, 3, 4]],
  ];
  for (const [name, item] of badItems) {
    it(`skips ${name} and keeps the good ones around it`, () => {
      const got = parseDetections([{ label: 'a', box: [0, 0, 1, 1] }, item, { label: 'b', box: [0, 0, 1, 1] }]);
      expect(got.map((d) => d.label)).toEqual(['a', 'b']);
    });
  }

  it(`keeps at most ${MAX_DETECTIONS} detections from one header`, () => {
    const many = Array.from({ length: MAX_DETECTIONS + 10 }, () => ({ label: 'x', box: [0, 0, 1, 1] }));
    expect(parseDetections(many)).toHaveLength(MAX_DETECTIONS);
  });
});

describe('parseProc', () => {
  it('reads each processor time in chain order', () => {
    expect(parseProc([{ name: 'faces', ms: 12.3 }, { name: 'blur', ms: 0 }])).toEqual([
      { name: 'faces', ms: 12.3 },
      { name: 'blur', ms: 0 },
    ]);
  });

  it('gives [] for a missing or malformed field', () => {
    for (const v of [undefined, null, {}, 'faces', 12]) expect(parseProc(v)).toEqual([]);
  });

  it('skips entries without a name or with a time that is not a finite, non-negative number', () => {
    const got = parseProc([
      { name: 'ok', ms: 1 },
      { ms: 1 },
      { name: 'nan', ms: Number.NaN },
      { name: 'neg', ms: -1 },
      { name: 'str', ms: '3' },
      null,
    ]);
    expect(got).toEqual([{ name: 'ok', ms: 1 }]);
  });
});

describe('countByLabel and countsText', () => {
  const box: [number, number, number, number] = [0, 0, 1, 1];

  it('counts boxes per label, most first, then by name', () => {
    const counts = countByLabel([
      { label: 'motion', box },
      { label: 'face', box },
      { label: 'cat', box },
      { label: 'face', box },
    ]);
    expect(counts).toEqual([
      { label: 'face', count: 2 },
      { label: 'cat', count: 1 },
      { label: 'motion', count: 1 },
    ]);
    expect(countsText(counts)).toBe('2 face · 1 cat · 1 motion');
  });

  it('says nothing for a frame without detections', () => {
    expect(countsText(countByLabel([]))).toBe('');
  });
});
