import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

const middle = (): number => 0.5; // jitter factor exactly 1

describe('Backoff', () => {
  it('starts at 0.5 s and doubles up to a 10 s ceiling', () => {
    const b = new Backoff({ random: middle });
    const delays = Array.from({ length: 8 }, () => b.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it('starts over at the first delay after reset', () => {
    const b = new Backoff({ random: middle });
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(500);
  });

  it('spreads each delay by at most ±20 % with the default jitter', () => {
    expect(new Backoff({ random: () => 0 }).next()).toBe(400);
    expect(new Backoff({ random: () => 0.999999 }).next()).toBe(600);
  });

  it('keeps jittered delays within bounds for real randomness', () => {
    const b = new Backoff();
    for (let i = 0; i < 50; i++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(12000);
    }
  });

  it('gives exact delays when jitter is zero', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 250, jitter: 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 250]);
  });

  it('refuses settings that would never grow or never wait', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 1000, maxMs: 500 })).toThrow(RangeError);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(RangeError);
  });
});
