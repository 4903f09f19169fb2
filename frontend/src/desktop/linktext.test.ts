import { describe, expect, it } from 'vitest';
import {
  clipText,
  duration,
  endedText,
  expiryText,
  keepText,
  KEEP,
  lastSeenText,
  linkChange,
  linkForm,
  linkSpec,
  recordDuration,
  span,
  streamsText,
  viewersText,
  type CustomerLink,
  type LinkForm,
} from './linktext';

const now = Date.parse('2026-12-06T12:00:00Z');
const before = (s: number) => new Date(now - s * 1000).toISOString();
const after = (s: number) => new Date(now + s * 1000).toISOString();

describe('span and duration', () => {
  const cases: Array<[string, number, string, string]> = [
    ['seconds under a minute', 45, '45 s', '45 s'],
    ['minutes under an hour', 12 * 60 + 30, '12 min', '12 min'],
    ['hours, with the minutes in a duration', 3600 + 5 * 60, '1 h', '1 h 5 min'],
    ['a whole hour without minutes', 2 * 3600, '2 h', '2 h'],
    ['days', 6 * 86400 + 100, '6 d', '144 h 1 min'],
    ['never negative', -5, '0 s', '0 s'],
  ];
  for (const [what, s, sp, d] of cases) {
    it(`says ${what}`, () => {
      expect(span(s)).toBe(sp);
      expect(duration(s)).toBe(d);
    });
  }
});

describe('lastSeenText', () => {
  it('says never for a link nobody used', () => expect(lastSeenText({ viewers: 0 }, now)).toBe('never'));
  it('says watching now while someone watches', () => expect(lastSeenText({ viewers: 2, lastSeen: before(0) }, now)).toBe('watching now'));
  it('says how long ago', () => expect(lastSeenText({ viewers: 0, lastSeen: before(3 * 60 + 10) }, now)).toBe('3 min ago'));
  it('says just now under a minute', () => expect(lastSeenText({ viewers: 0, lastSeen: before(20) }, now)).toBe('just now'));
});

describe('expiryText', () => {
  it('says when a link expires', () => expect(expiryText({ expiresAt: after(23 * 3600 + 59 * 60), expired: false }, now)).toBe('expires in 23 h'));
  it('says a link never expires', () => expect(expiryText({ expired: false }, now)).toBe('never expires'));
  it('says Go found it expired', () => expect(expiryText({ expiresAt: after(60), expired: true }, now)).toBe('expired'));
  it('says expired once its time passed, before Go says so', () => expect(expiryText({ expiresAt: before(1), expired: false }, now)).toBe('expired'));
  it('never says 0 s left', () => expect(expiryText({ expiresAt: after(0.2), expired: false }, now)).toBe('expires in 1 s'));
});

describe('viewersText and streamsText', () => {
  it('counts who watches', () => expect(viewersText({ viewers: 2, maxViewers: 0 })).toBe('● 2 watching'));
  it('counts against the cap', () => expect(viewersText({ viewers: 1, maxViewers: 3 })).toBe('● 1 of 3 watching'));
  it('says nobody watches, with the cap', () => expect(viewersText({ viewers: 0, maxViewers: 3 })).toBe('nobody watching (at most 3)'));
  it('says all cameras for a link to every camera', () => expect(streamsText([])).toBe('all cameras'));
  it('names the cameras of a link to some', () => expect(streamsText(['dock', 'line-1'])).toBe('dock, line-1'));
});

describe('an audit record', () => {
  it('is still watching while open, its duration up to now', () => {
    const r: { start: string; end?: string } = { start: before(125) };
    expect(endedText(r)).toBe('watching');
    expect(recordDuration(r, now)).toBe('2 min');
  });
  it('left when the viewer went', () => expect(endedText({ end: before(1), reason: '' })).toBe('left'));
  it('was cut when the link was revoked', () => expect(endedText({ end: before(1), reason: 'revoked' })).toBe('cut: link revoked'));
  it('was cut when the link expired', () => expect(endedText({ end: before(1), reason: 'expired' })).toBe('cut: link expired'));
  it('is downloading while a clip download is open', () => expect(endedText({ kind: 'clip', reason: '' })).toBe('downloading'));
  it('names the clip a download took', () => {
    const start = new Date(now - 3600_000);
    const at = start.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    expect(clipText(`${start.toISOString()}/1m30s`, now)).toBe(`clip of ${at}, 1 min 30 s`);
    expect(clipText(`${start.toISOString()}/1h0m0s`, now)).toBe(`clip of ${at}, 1 h`);
  });
  it('shows a clip it cannot read as it is', () => expect(clipText('yesterday/30s', now)).toBe('clip yesterday/30s'));
  it('lasted from start to end', () => expect(recordDuration({ start: before(3600 + 600), end: before(0) }, now)).toBe('1 h 10 min'));
});

describe('linkSpec', () => {
  const form = (f: Partial<LinkForm>): LinkForm => ({ name: 'Acme QA', all: true, picked: [], expiresIn: '', cap: '', recordings: false, ...f });
  it('asks Go for every camera with no cap', () =>
    expect(linkSpec(form({}))).toEqual({ spec: { name: 'Acme QA', cameras: [], expiresIn: '', maxViewers: 0, recordings: false } }));
  it('sends the cameras picked, the expiry, the cap and recordings', () =>
    expect(linkSpec(form({ name: '  Globex line 2 ', all: false, picked: ['dock'], expiresIn: '7d', cap: '3', recordings: true }))).toEqual({
      spec: { name: 'Globex line 2', cameras: ['dock'], expiresIn: '7d', maxViewers: 3, recordings: true },
    }));
  it('asks for a name', () => expect(linkSpec(form({ name: '  ' }))).toEqual({ problem: expect.stringMatching(/name/) }));
  it('asks for a camera when none is picked', () => expect(linkSpec(form({ all: false }))).toEqual({ problem: expect.stringMatching(/Pick at least one camera/) }));
  for (const cap of ['0', '-2', '1.5', 'x']) {
    it(`refuses a cap of ${cap}`, () => expect(linkSpec(form({ cap }))).toEqual({ problem: expect.stringMatching(/whole number from 1/) }));
  }
});

describe('linkChange', () => {
  const link: CustomerLink = {
    name: 'Acme QA', streams: ['dock', 'gate'], url: 'http://h/?token=t', urls: ['http://h/?token=t'], qr: 'data:,', viewers: 0, watchSeconds: 0,
    expiresAt: after(3600), expired: false, maxViewers: 3, recordings: false, created: before(86400),
  };
  it('is filled with what the link is, its expiry kept', () =>
    expect(linkForm(link)).toEqual({ name: 'Acme QA', all: false, picked: ['dock', 'gate'], expiresIn: KEEP, cap: '3', recordings: false }));
  it('asks for nothing when nothing changed', () => expect(linkChange(link, linkForm(link))).toEqual({ change: {} }));
  it('asks for nothing when the cameras are ticked in another order', () =>
    expect(linkChange(link, { ...linkForm(link), picked: ['gate', 'dock'] })).toEqual({ change: {} }));
  it('asks only for the new name, trimmed, on a rename', () =>
    expect(linkChange(link, { ...linkForm(link), name: ' Acme Quality ' })).toEqual({ change: { name: 'Acme Quality' } }));
  it('asks for every camera, the expiry, no cap and recordings as changed', () =>
    expect(linkChange(link, { ...linkForm(link), all: true, expiresIn: '7d', cap: '', recordings: true })).toEqual({
      change: { cameras: [], expiresIn: '7d', maxViewers: 0, recordings: true },
    }));
  it('asks for never expiring', () => expect(linkChange(link, { ...linkForm(link), expiresIn: '' })).toEqual({ change: { expiresIn: '' } }));
  it('asks for a camera less', () => expect(linkChange(link, { ...linkForm(link), picked: ['gate'] })).toEqual({ change: { cameras: ['gate'] } }));
  it('asks for a name', () => expect(linkChange(link, { ...linkForm(link), name: ' ' })).toEqual({ problem: expect.stringMatching(/name/) }));
  it('refuses a cap of 0', () => expect(linkChange(link, { ...linkForm(link), cap: '0' })).toEqual({ problem: expect.stringMatching(/whole number from 1/) }));
  it('says how the expiry is kept', () => {
    expect(keepText(link, now)).toBe('Keep: expires in 1 h');
    expect(keepText({ ...link, expired: true }, now)).toBe('Keep: expired');
    expect(keepText({ expired: false }, now)).toBe('Keep: never expires');
  });
});
