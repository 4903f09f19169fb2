import { describe, expect, it } from 'vitest';
import { FrameStats, latencyMs } from './stats';

const T0 = 1_764_000_000_000; // Unix ms

describe('FrameStats', () => {
  it('reports 30 fps for frames drawn every 33.3 ms over a second', () => {
    const s = new FrameStats();
    for (let i = 0; i < 90; i++) s.record((T0 + i * (1000 / 30)) * 1000, T0 + i * (1000 / 30));
    expect(s.fps(T0 + 89 * (1000 / 30))).toBeCloseTo(30, 0);
  });

  it('forgets frames older than the window', () => {
    const s = new FrameStats();
    for (let i = 0; i < 10; i++) s.record(T0 * 1000, T0 + i * 10);
    expect(s.fps(T0 + 100)).toBe(10);
    expect(s.fps(T0 + 1085)).toBe(1);
    expect(s.fps(T0 + 5000)).toBe(0);
  });

  it('reports no latency before the first frame', () => {
    expect(new FrameStats().latencyMs()).toBeNull();
  });

  it('measures latency as now minus capture time in ms', () => {
    const s = new FrameStats();
    s.record((T0 - 12) * 1000, T0);
    expect(s.latencyMs()).toBe(12);
  });

  it('takes the median so one slow frame does not move the figure', () => {
    const s = new FrameStats();
    for (const lat of [10, 11, 500, 12, 9]) s.record((T0 - lat) * 1000, T0);
    expect(s.latencyMs()).toBe(11);
  });

  it('averages the two middle samples for an even count', () => {
    const s = new FrameStats();
    for (const lat of [10, 20]) s.record((T0 - lat) * 1000, T0);
    expect(s.latencyMs()).toBe(15);
  });

  it('keeps only the most recent latency samples', () => {
    const s = new FrameStats({ latencySamples: 3 });
    for (const lat of [900, 900, 900, 5, 6, 7]) s.record((T0 - lat) * 1000, T0);
    expect(s.latencyMs()).toBe(6);
  });

  it('starts from nothing after reset', () => {
    const s = new FrameStats();
    s.record(T0 * 1000, T0);
    s.reset();
    expect(s.fps(T0)).toBe(0);
    expect(s.latencyMs()).toBeNull();
  });
});

describe('latencyMs', () => {
  it('keeps sub-millisecond precision of microsecond timestamps', () => {
    expect(latencyMs(T0 * 1000 - 1500, T0)).toBe(1.5);
  });
});
