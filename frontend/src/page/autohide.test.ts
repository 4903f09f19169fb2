import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTO_HIDE_MS, AutoHide } from './autohide';

describe('AutoHide', () => {
  let changes: boolean[];
  let hide: AutoHide;
  beforeEach(() => {
    vi.useFakeTimers();
    changes = [];
    hide = new AutoHide((shown) => changes.push(shown));
  });
  afterEach(() => {
    hide.close();
    vi.useRealTimers();
  });

  it('starts shown and hides once nobody has touched the page for the delay', () => {
    expect(hide.shown).toBe(true);
    vi.advanceTimersByTime(AUTO_HIDE_MS - 1);
    expect(hide.shown).toBe(true);
    vi.advanceTimersByTime(1);
    expect(hide.shown).toBe(false);
    expect(changes).toEqual([false]);
  });

  it('shows on input and counts the delay from the last input', () => {
    vi.advanceTimersByTime(AUTO_HIDE_MS);
    hide.poke();
    expect(hide.shown).toBe(true);
    vi.advanceTimersByTime(2000);
    hide.poke();
    vi.advanceTimersByTime(2000);
    expect(hide.shown).toBe(true);
    vi.advanceTimersByTime(AUTO_HIDE_MS - 2000);
    expect(hide.shown).toBe(false);
    expect(changes).toEqual([false, true, false]);
  });

  it('tells only of changes, not of every input', () => {
    for (let i = 0; i < 10; i++) hide.poke();
    expect(changes).toEqual([]);
  });

  it('stays up while held, however long, and hides the delay after the last hold ends', () => {
    hide.hold('focus', true);
    hide.hold('pointer', true);
    vi.advanceTimersByTime(10 * AUTO_HIDE_MS);
    expect(hide.shown).toBe(true);
    hide.hold('pointer', false);
    vi.advanceTimersByTime(10 * AUTO_HIDE_MS);
    expect(hide.shown).toBe(true);
    hide.hold('focus', false);
    vi.advanceTimersByTime(AUTO_HIDE_MS - 1);
    expect(hide.shown).toBe(true);
    vi.advanceTimersByTime(1);
    expect(hide.shown).toBe(false);
  });

  it('shows at once when a hold starts while hidden', () => {
    vi.advanceTimersByTime(AUTO_HIDE_MS);
    hide.hold('focus', true);
    expect(hide.shown).toBe(true);
  });

  it('releasing a hold it never had changes nothing', () => {
    vi.advanceTimersByTime(AUTO_HIDE_MS);
    hide.hold('pointer', false);
    expect(hide.shown).toBe(false);
    expect(changes).toEqual([false]);
  });

  it('hides at once when asked, unless held', () => {
    hide.hold('focus', true);
    hide.hideNow();
    expect(hide.shown).toBe(true);
    hide.hold('focus', false);
    hide.hideNow();
    expect(hide.shown).toBe(false);
  });
});
