import { describe, expect, it } from 'vitest';
import { parseEvent } from './events';

describe('parseEvent', () => {
  it('reads hello with its state and keeps the other fields', () => {
    const ev = parseEvent('{"type":"hello","stream":"cam","state":"no-signal","w":640,"h":480,"quality":80,"maxInFlight":2}');
    expect(ev).toMatchObject({ type: 'hello', state: 'no-signal', w: 640, maxInFlight: 2 });
  });

  it('reads the codec hello names, JPEG from a server that names none', () => {
    expect(parseEvent('{"type":"hello","state":"live","codec":"avc1.42E01F"}')).toMatchObject({ codec: 'avc1.42E01F' });
    expect(parseEvent('{"type":"hello","state":"live"}')).toMatchObject({ codec: 'jpeg' });
    expect(parseEvent('{"type":"hello","state":"live","codec":7}')).toMatchObject({ codec: 'jpeg' });
  });

  it('gives a null state for a hello whose state it does not know', () => {
    expect(parseEvent('{"type":"hello","state":"idle"}')).toMatchObject({ type: 'hello', state: null });
    expect(parseEvent('{"type":"hello"}')).toMatchObject({ type: 'hello', state: null });
  });

  it('gives a null state for a status whose state it does not know', () => {
    expect(parseEvent('{"type":"status","state":"exploded"}')).toMatchObject({ type: 'status', state: null });
  });

  it('reads status with state and reason', () => {
    expect(parseEvent('{"type":"status","state":"off","source":"test","reason":"operator"}')).toMatchObject({
      type: 'status',
      state: 'off',
      reason: 'operator',
    });
  });

  it('reads a bye that says the stream moved', () => {
    expect(parseEvent('{"type":"bye","reason":"moved","moved":true}')).toEqual({ type: 'bye', reason: 'moved', moved: true });
    expect(parseEvent('{"type":"bye","reason":"x","moved":"yes"}')).toEqual({ type: 'bye', reason: 'x', moved: false });
  });

  it('reads bye with its reason', () => {
    expect(parseEvent('{"type":"bye","reason":"shutdown"}')).toEqual({ type: 'bye', reason: 'shutdown', moved: false });
  });

  const ignored: Array<[string, string]> = [
    ['ignores text that is not JSON', 'hello'],
    ['ignores JSON that is not an object', '42'],
    ['ignores unknown event types', '{"type":"detections","items":[]}'],
  ];
  for (const [name, text] of ignored) {
    it(name, () => expect(parseEvent(text)).toBeNull());
  }
});
