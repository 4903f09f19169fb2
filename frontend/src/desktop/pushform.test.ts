import { describe, expect, it } from 'vitest';
import { pushHints, pushPayload, pushView, relayHint, sentText, streamHint } from './pushform';

describe('pushPayload', () => {
  it('sends the form with the switch state', () => {
    expect(pushPayload({ relay: 'wss://relay.example.com:8188', stream: 'line1', publishToken: 'p'.repeat(20) }, true)).toEqual({
      enabled: true,
      relay: 'wss://relay.example.com:8188',
      stream: 'line1',
      publishToken: 'p'.repeat(20),
    });
  });
  it('drops the spaces and line breaks that pasting brings', () => {
    expect(pushPayload({ relay: ' wss://r:1 ', stream: '\tline1 ', publishToken: 'secret\n' }, false)).toEqual({
      enabled: false,
      relay: 'wss://r:1',
      stream: 'line1',
      publishToken: 'secret',
    });
  });
});

describe('relayHint', () => {
  const cases: Array<[string, string, RegExp | '']> = [
    ['takes a wss address with a port', 'wss://relay.example.com:8188', ''],
    ['takes ws, http and https too, as Go does', 'http://10.0.0.5:8188', ''],
    ['takes an address under a path', 'https://example.org/relay', ''],
    ['asks for an address when empty', '  ', /Give the relay's address/],
    ['asks for a scheme when only host:port is given', 'relay.example.com:8188', /Start it with wss:\/\//],
    ['refuses other schemes', 'ftp://relay.example.com', /Start it with wss:\/\//],
    ['refuses text that is no address', 'not a relay', /Not an address/],
  ];
  for (const [name, relay, want] of cases) {
    it(name, () => {
      const got = relayHint(relay);
      if (want === '') expect(got).toBe('');
      else expect(got).toMatch(want);
    });
  }
});

describe('streamHint', () => {
  it('takes the names a relay accepts', () => {
    for (const name of ['line1', 'L', 'cam_2.front-door', 'a'.repeat(64)]) expect(streamHint(name)).toBe('');
  });
  it('asks for a name when empty', () => expect(streamHint('')).toMatch(/Give the stream a name/));
  it('refuses spaces, slashes, a leading dot and names over 64 characters', () => {
    for (const name of ['line 1', 'a/b', '.hidden', 'a'.repeat(65)]) expect(streamHint(name)).toMatch(/1–64 letters/);
  });
});

describe('pushHints', () => {
  it('has no hints for a form Go will take', () => {
    expect(pushHints({ relay: 'wss://r.example:8188', stream: 'line1', publishToken: 'tok' })).toEqual({});
  });
  it('names every field that needs fixing', () => {
    const hints = pushHints({ relay: '', stream: 'a b', publishToken: ' ' });
    expect(Object.keys(hints).sort()).toEqual(['publishToken', 'relay', 'stream']);
    expect(hints.publishToken).toMatch(/publish token/);
  });
});

describe('pushView', () => {
  const cases: Array<[string, Parameters<typeof pushView>[0], ReturnType<typeof pushView>]> = [
    ['shows connected in green', { state: 'connected' }, { label: 'Connected', detail: '', tone: 'ok' }],
    ['shows connecting as busy', { state: 'connecting' }, { label: 'Connecting…', detail: '', tone: 'busy' }],
    [
      'shows retrying in amber with the error',
      { state: 'retrying', error: 'dial tcp 10.0.0.9:8188: connection refused' },
      { label: 'Retrying', detail: 'dial tcp 10.0.0.9:8188: connection refused', tone: 'warn' },
    ],
    ['still says why when retrying without an error', { state: 'retrying', error: '' }, { label: 'Retrying', detail: 'the relay did not answer', tone: 'warn' }],
    [
      'shows a refusal as refused, with the reason and how often it is asked again',
      { state: 'refused', error: 'the relay refused the publish token (401): check it with the relay\'s operator' },
      { label: 'Refused', detail: 'the relay refused the publish token (401): check it with the relay\'s operator; asked again every 30 s', tone: 'warn' },
    ],
    ['shows stopped in grey', { state: 'stopped' }, { label: 'Off', detail: '', tone: 'off' }],
    ['keeps a stopped push\'s last error', { state: 'stopped', error: 'publish token refused' }, { label: 'Off', detail: 'publish token refused', tone: 'off' }],
  ];
  for (const [name, info, want] of cases) {
    it(name, () => expect(pushView(info)).toEqual(want));
  }
  it('shows a state it does not know as it is, in grey', () => {
    expect(pushView({ state: 'paused' as never })).toEqual({ label: 'paused', detail: '', tone: 'off' });
  });
});

describe('sentText', () => {
  it('counts frames with thousands grouped', () => {
    expect(sentText(0)).toBe('Sent 0 frames');
    expect(sentText(1)).toBe('Sent 1 frame');
    expect(sentText(1234567)).toBe('Sent 1,234,567 frames');
  });
  it('shows nonsense as zero', () => {
    expect(sentText(Number.NaN)).toBe('Sent 0 frames');
    expect(sentText(-3)).toBe('Sent 0 frames');
  });
});
