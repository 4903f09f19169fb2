import { describe, expect, it } from 'vitest';
import { messageOverPicture, statsLine, statusMessage } from './format';

describe('statsLine', () => {
  it('shows fps, latency and resolution', () => {
    expect(statsLine(29.96, 12.4, 1280, 720)).toBe('30.0 fps · 12 ms · 1280×720');
  });

  it('shows a dash for latency and no size before the first frame', () => {
    expect(statsLine(0, null, 0, 0)).toBe('0.0 fps · – ms');
  });

  it('never shows a negative latency when clocks disagree a little', () => {
    expect(statsLine(1, -3, 10, 10)).toBe('1.0 fps · 0 ms · 10×10');
  });

  it('names the size as asked, as the desktop preview does for a smaller copy', () => {
    expect(statsLine(30, 12, 640, 360, (w, h) => `preview ${w}×${h} of 1280×720`)).toBe('30.0 fps · 12 ms · preview 640×360 of 1280×720');
  });
});

describe('statusMessage', () => {
  it('counts down whole seconds to the next try while offline', () => {
    expect(statusMessage('offline', 10_000 + 2_100, 10_000)).toBe('Server unreachable — retrying in 3s');
    expect(statusMessage('offline', 10_000, 12_000)).toBe('Server unreachable — retrying now…');
  });

  it('says nothing while live', () => {
    expect(statusMessage('live', undefined, 0)).toBe('');
  });

  const sentences: Array<[Parameters<typeof statusMessage>[0], string]> = [
    ['connecting', 'Connecting…'],
    ['no-signal', 'NO SIGNAL — the camera is being retried'],
    ['off', 'Camera is off'],
    ['unauthorized', 'This link is not valid (its token is wrong). Ask for a new link.'],
    ['replaced', 'This link was replaced by a new one. Ask for the new link.'],
    ['revoked', 'This link was revoked. Ask the person who shared it if you should still have access.'],
    ['expired', 'This link expired. Ask for a new one.'],
    ['waiting', 'Waiting for the stream: nothing is live at this link yet, or the link is not valid — trying again now…'],
  ];
  for (const [state, text] of sentences) {
    it(`tells the person "${text}" when ${state}`, () => expect(statusMessage(state, undefined, 0)).toBe(text));
  }
});

describe('messageOverPicture', () => {
  const noSignal = statusMessage('no-signal', undefined, 0);
  const cases: Array<[string, Parameters<typeof messageOverPicture>[1], boolean, string]> = [
    ['draws no NO SIGNAL label over the NO SIGNAL picture, which says it already', 'no-signal', true, ''],
    ['says NO SIGNAL over the last real frame until the NO SIGNAL picture comes', 'no-signal', false, noSignal],
    ['says the server is unreachable over a NO SIGNAL picture left on screen', 'offline', true, 'Server unreachable — retrying now…'],
    ['says the camera is off over a NO SIGNAL picture left on screen', 'off', true, 'Camera is off'],
    ['says nothing while live, whatever is on screen', 'live', true, ''],
  ];
  for (const [name, state, placeholder, want] of cases) {
    it(name, () => expect(messageOverPicture(statusMessage(state, undefined, 0), state, placeholder)).toBe(want));
  }
});
