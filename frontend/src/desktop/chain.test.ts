import { describe, expect, it } from 'vitest';
import type { ChainItem, ParamInfo, ProcessorInfo } from './backend';
import { addItem, costAt, costText, moveItem, paramProblem, paramValue, removeItem, setParam, skippedText, snapParam, titleOf, wideRange } from './chain';

const blurSize: ParamInfo = { name: 'size', title: 'Kernel size (odd)', min: 1, max: 99, step: 2, default: 9 };
const blur: ProcessorInfo = { name: 'blur', title: 'Gaussian blur', params: [blurSize] };
const gray: ProcessorInfo = { name: 'gray', title: 'Grayscale', params: [] };
const chain: ChainItem[] = [
  { name: 'gray', params: {} },
  { name: 'blur', params: { size: 9 } },
  { name: 'faces', params: { minSize: 40 } },
];
const names = (c: ChainItem[]): string[] => c.map((i) => i.name);

describe('chain edits', () => {
  it('appends a processor with every parameter at its default', () => {
    expect(addItem(chain, blur).at(-1)).toEqual({ name: 'blur', params: { size: 9 } });
    expect(addItem([], gray)).toEqual([{ name: 'gray', params: {} }]);
  });

  it('appends a processor whose parameter list Go sent as null', () => {
    const bare = { name: 'clock', title: 'Timestamp', params: null } as unknown as ProcessorInfo;
    expect(addItem([], bare)).toEqual([{ name: 'clock', params: {} }]);
  });

  it('moves an item up and down by one place', () => {
    expect(names(moveItem(chain, 1, -1))).toEqual(['blur', 'gray', 'faces']);
    expect(names(moveItem(chain, 1, 1))).toEqual(['gray', 'faces', 'blur']);
  });

  it('leaves the order alone for a move past either end', () => {
    expect(names(moveItem(chain, 0, -1))).toEqual(names(chain));
    expect(names(moveItem(chain, 2, 1))).toEqual(names(chain));
    expect(names(moveItem(chain, 7, -1))).toEqual(names(chain));
  });

  it('removes the item at an index only', () => {
    expect(names(removeItem(chain, 1))).toEqual(['gray', 'faces']);
    expect(names(removeItem(chain, 9))).toEqual(names(chain));
  });

  it('sets one parameter and keeps the others', () => {
    const next = setParam(chain, 2, 'minNeighbors', 7);
    expect(next[2]).toEqual({ name: 'faces', params: { minSize: 40, minNeighbors: 7 } });
    expect(next[1]).toBe(chain[1]);
  });

  it('never changes the chain it was given', () => {
    const before = JSON.stringify(chain);
    addItem(chain, blur);
    moveItem(chain, 0, 1);
    removeItem(chain, 0);
    setParam(chain, 1, 'size', 3);
    expect(JSON.stringify(chain)).toBe(before);
  });
});

describe('parameters', () => {
  it('reads the item value, or the default when the item leaves it out', () => {
    expect(paramValue({ name: 'blur', params: { size: 15 } }, blurSize)).toBe(15);
    expect(paramValue({ name: 'blur', params: {} }, blurSize)).toBe(9);
    expect(paramValue({ name: 'blur' } as ChainItem, blurSize)).toBe(9);
  });

  it.each([
    [8, 9],
    [10, 11],
    [0, 1],
    [500, 99],
    [Number.NaN, 9],
  ])('snaps a blur size of %d to %d, odd and in range', (typed, want) => {
    expect(snapParam(blurSize, typed)).toBe(want);
  });

  it('keeps decimal steps free of float dust', () => {
    expect(snapParam({ name: 'k', title: 'k', min: 0, max: 1, step: 0.1, default: 0.5 }, 0.3)).toBe(0.3);
  });

  it('stays at or under max when max is off the step grid', () => {
    expect(snapParam({ name: 'a', title: 'a', min: 1, max: 10, step: 4, default: 1 }, 10)).toBe(9);
  });

  it('takes a typed value in range off the step grid, and refuses one out of range instead of clamping it', () => {
    const minArea: ParamInfo = { name: 'minArea', title: '', min: 1, max: 1_000_000, step: 50, default: 500 };
    expect(paramProblem(minArea, 800)).toBe('');
    expect(paramProblem(minArea, -5)).toBe('-5 is out of range: use 1–1000000');
    expect(paramProblem(minArea, 2e6)).toBe('2000000 is out of range: use 1–1000000');
    expect(paramProblem(minArea, Number.NaN)).toBe('Type a number from 1 to 1000000');
  });

  it('prefers a number box to a slider for wide ranges', () => {
    expect(wideRange({ name: 'minArea', title: '', min: 1, max: 1_000_000, step: 50, default: 500 })).toBe(true);
    expect(wideRange(blurSize)).toBe(false);
  });
});

describe('costs and words', () => {
  const costs = [
    { name: 'gray', ms: 0.42 },
    { name: 'blur', ms: 3.25 },
    { name: 'faces', ms: 18.6 },
  ];

  it('matches costs to items by position and name', () => {
    expect(costAt(costs, chain, 2)).toBe(18.6);
  });

  it('gives no cost while the stats describe another chain', () => {
    expect(costAt(costs, moveItem(chain, 0, 1), 0)).toBeNull();
    expect(costAt(costs.slice(0, 2), chain, 0)).toBeNull();
    expect(costAt([], chain, 0)).toBeNull();
  });

  it('shows small costs with a decimal and large ones whole', () => {
    expect([costText(0.42), costText(18.6), costText(null)]).toEqual(['0.4 ms', '19 ms', '– ms']);
  });

  it('says nothing while no frame was skipped, and counts them after', () => {
    expect(skippedText(0)).toBe('');
    expect(skippedText(undefined)).toBe('');
    expect(skippedText(1)).toBe('Skipped 1 frame: processing is slower than the source');
    expect(skippedText(42)).toMatch(/^Skipped 42 frames/);
  });

  it('names the cause Go measured', () => {
    expect(skippedText(3, 'processor:faces')).toBe('Skipped 3 frames: processing (faces) is slower than the source');
    expect(skippedText(3, 'encoder')).toMatch(/JPEG encoding is slower/);
    expect(skippedText(3, 'renditions')).toMatch(/the preview among them/);
    expect(skippedText(3, 'cpu')).toMatch(/computer is too busy/);
  });

  it('names an item by its title, or by its name when Go did not describe it', () => {
    expect(titleOf([blur, gray], 'blur')).toBe('Gaussian blur');
    expect(titleOf([blur], 'faces')).toBe('faces');
  });
});
