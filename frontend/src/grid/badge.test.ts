import { describe, expect, it } from 'vitest';
import { badge } from './badge';

describe('badge', () => {
  it('says LIVE in red while live', () => expect(badge('live', true)).toEqual({ text: '● LIVE', tone: 'live' }));
  it('says NO SIGNAL as the viewer page does', () => expect(badge('no-signal', true).text).toBe('NO SIGNAL'));
  it('says CONNECTING before the first picture', () => expect(badge('connecting', false)).toEqual({ text: 'CONNECTING', tone: 'quiet' }));
  it('says RECONNECTING once a picture was shown', () => expect(badge('connecting', true)).toEqual({ text: 'RECONNECTING', tone: 'warn' }));
  it('says PAUSED while out of view or hidden', () => expect(badge('paused', true).text).toBe('PAUSED'));
  it('says INVALID LINK for a refused token', () => expect(badge('unauthorized', false).text).toBe('INVALID LINK'));
});
