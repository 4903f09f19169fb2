import { describe, expect, it, vi } from 'vitest';
import { clock, goDuration, lengthName, tickLabel, when } from './format';

// Local time is the browser's: a zone a half hour off UTC shows it is used.
vi.stubEnv('TZ', 'Asia/Kolkata');

const T = Date.parse('2026-12-06T14:03:05.678Z'); // 19:33:05 in Kolkata

describe('times', () => {
  it('shows the local time of day', () => expect(clock(T)).toBe('19:33:05'));
  it('adds the date when it is not today', () => {
    expect(when(T, T + 60_000)).toBe('19:33:05');
    expect(when(T, T + 24 * 3600_000)).toBe('6 Dec 19:33:05');
  });
  it('names ticks by hour and minute, and midnight by its day', () => {
    expect(tickLabel(T, false)).toBe('19:33');
    expect(tickLabel(Date.parse('2026-12-06T18:30:00Z'), true)).toBe('7 Dec');
  });
});

describe('durations', () => {
  const cases: Array<[number, string, string]> = [
    [5000, '5s', '5 s'],
    [60_000, '60s', '1 min'],
    [1500, '1.5s', '2 s'],
    [3_600_000, '3600s', '1 h'],
    [3_905_000, '3905s', '1 h 5 min 5 s'],
  ];
  for (const [ms, go, person] of cases) {
    it(`${ms} ms is ${go} to the server and "${person}" to a person`, () => {
      expect(goDuration(ms)).toBe(go);
      expect(lengthName(ms)).toBe(person);
    });
  }
});
