import { describe, expect, it } from 'vitest';
import { parseFrame } from './frame';

// message builds a frame byte by byte: 4-byte big-endian length, header, body.
function message(header: string | Uint8Array, body: number[], lengthOverride?: number): Uint8Array<ArrayBuffer> {
  const head = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const n = lengthOverride ?? head.length;
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...head, ...body]);
}

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xff, 0xd9];
const HEADER = '{"seq":7,"ts":1764000000123456,"w":1280,"h":720}';

describe('parseFrame', () => {
  it('splits a well-formed frame into header and JPEG bytes', () => {
    const result = parseFrame(message(HEADER, JPEG));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame.header).toEqual({ seq: 7, ts: 1764000000123456, w: 1280, h: 720 });
    expect(Array.from(result.frame.jpeg)).toEqual(JPEG);
  });

  it('tells a JPEG (each a keyframe) from an H.264 access unit and its key flag', () => {
    const read = (header: string) => {
      const result = parseFrame(message(header, JPEG));
      return result.ok ? { codec: result.frame.codec, key: result.frame.key } : null;
    };
    expect(read(HEADER)).toEqual({ codec: 'jpeg', key: true });
    expect(read('{"seq":7,"ts":1,"w":640,"h":360,"codec":"h264","key":true}')).toEqual({ codec: 'h264', key: true });
    expect(read('{"seq":8,"ts":1,"w":640,"h":360,"codec":"h264"}')).toEqual({ codec: 'h264', key: false });
    expect(read('{"seq":8,"ts":1,"w":640,"h":360,"codec":"h264","key":"true"}')).toEqual({ codec: 'h264', key: false });
  });

  it('marks the NO SIGNAL picture only when its header says placeholder: true', () => {
    const marked = (header: string) => {
      const result = parseFrame(message(header, JPEG));
      return result.ok && result.frame.placeholder;
    };
    expect(marked('{"seq":7,"ts":1,"w":1280,"h":720,"placeholder":true}')).toBe(true);
    expect(marked(HEADER)).toBe(false);
    expect(marked('{"seq":7,"ts":1,"w":1280,"h":720,"placeholder":"true"}')).toBe(false);
  });

  it('reads the rendition a frame is, and none when the header names none or a bad one', () => {
    const rendition = (header: string) => {
      const result = parseFrame(message(header, JPEG));
      return result.ok ? result.frame.rendition : 'failed';
    };
    expect(rendition('{"seq":7,"ts":1,"w":640,"h":360,"rendition":"360p"}')).toBe('360p');
    expect(rendition(HEADER)).toBeNull();
    expect(rendition('{"seq":7,"ts":1,"w":640,"h":360,"rendition":360}')).toBeNull();
    expect(rendition('{"seq":7,"ts":1,"w":640,"h":360,"rendition":"auto"}')).toBeNull();
  });

  it('accepts an ArrayBuffer as the WebSocket delivers it', () => {
    const bytes = message(HEADER, JPEG);
    const result = parseFrame(bytes.buffer.slice(0));
    expect(result.ok && result.frame.header.seq).toBe(7);
  });

  it('reads a view that starts in the middle of a larger buffer', () => {
    const inner = message(HEADER, JPEG);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    const result = parseFrame(outer.subarray(3));
    expect(result.ok && Array.from(result.frame.jpeg)).toEqual(JPEG);
  });

  it('reads the header length as big-endian across all four bytes', () => {
    // A header longer than 255 bytes needs the second length byte.
    const header = JSON.stringify({ seq: 1, ts: 2, w: 3, h: 4, pad: 'x'.repeat(300) });
    const result = parseFrame(message(header, JPEG));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.frame.jpeg.length).toBe(JPEG.length);
  });

  it('keeps unknown header fields so later protocol versions pass through', () => {
    const header = '{"seq":1,"ts":2,"w":3,"h":4,"detections":[{"label":"cat"}]}';
    const result = parseFrame(message(header, JPEG));
    expect(result.ok && result.frame.header.detections).toEqual([{ label: 'cat' }]);
  });

  it('reads detections and processor times from the header', () => {
    const header = JSON.stringify({
      seq: 1, ts: 2, w: 640, h: 360,
      detections: [{ label: 'face', score: 0.93, box: [10, 20, 30, 40] }],
      proc: [{ name: 'faces', ms: 12.3 }],
    });
    const result = parseFrame(message(header, JPEG));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame.detections).toEqual([{ label: 'face', score: 0.93, box: [10, 20, 30, 40] }]);
    expect(result.frame.proc).toEqual([{ name: 'faces', ms: 12.3 }]);
  });

  it('gives empty detections and times for a header without them', () => {
    const result = parseFrame(message(HEADER, JPEG));
    expect(result.ok && [result.frame.detections, result.frame.proc]).toEqual([[], []]);
  });

  it('still delivers the frame when detections and proc are malformed', () => {
    const header = '{"seq":1,"ts":2,"w":3,"h":4,"detections":{"face":1},"proc":"slow"}';
    const result = parseFrame(message(header, JPEG));
    expect(result.ok && [result.frame.detections, result.frame.proc]).toEqual([[], []]);
  });

  it('drops only the detections whose box has numbers JSON cannot make finite', () => {
    // 1e999 parses to Infinity.
    const header = '{"seq":1,"ts":2,"w":3,"h":4,"detections":[{"label":"a","box":[1e999,0,1,1]},{"label":"b","box":[0,0,1,1]}]}';
    const result = parseFrame(message(header, JPEG));
    expect(result.ok && result.frame.detections.map((d) => d.label)).toEqual(['b']);
  });

  it('decodes a UTF-8 header with non-ASCII text', () => {
    const result = parseFrame(message('{"seq":1,"ts":2,"w":3,"h":4,"name":"Küche 📷"}', JPEG));
    expect(result.ok && result.frame.header.name).toBe('Küche 📷');
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['rejects an empty message', new Uint8Array(0), /too short: 0 bytes/],
    ['rejects a message shorter than the length field', new Uint8Array([0, 0, 1]), /too short: 3 bytes/],
    ['rejects a header length of zero', message('', JPEG), /length is 0/],
    ['rejects a header length larger than the message', message(HEADER, JPEG, 5000), /5000 is larger than/],
    ['rejects a header length just one byte too large', message('{}', [], 3), /3 is larger than the 2 bytes/],
    ['rejects a header that is not JSON', message('{"seq":1,', JPEG), /not valid UTF-8 JSON/],
    ['rejects a header that is not UTF-8', message(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), JPEG), /not valid UTF-8 JSON/],
    ['rejects a JSON header that is an array', message('[1,2]', JPEG), /not a JSON object/],
    ['rejects a JSON header that is null', message('null', JPEG), /not a JSON object/],
    ['rejects a header without seq', message('{"ts":2,"w":3,"h":4}', JPEG), /"seq" must be/],
    ['rejects a header whose ts is a string', message('{"seq":1,"ts":"2","w":3,"h":4}', JPEG), /"ts" must be/],
    ['rejects a header with a fractional width', message('{"seq":1,"ts":2,"w":3.5,"h":4}', JPEG), /"w" must be/],
    ['rejects a header with a negative height', message('{"seq":1,"ts":2,"w":3,"h":-4}', JPEG), /"h" must be/],
    ['rejects a frame with no JPEG bytes', message(HEADER, []), /no JPEG bytes/],
  ];
  for (const [name, input, error] of bad) {
    it(`${name} with a clear error instead of throwing`, () => {
      let result: ReturnType<typeof parseFrame> | undefined;
      expect(() => (result = parseFrame(input))).not.toThrow();
      expect(result?.ok).toBe(false);
      if (result && !result.ok) expect(result.error).toMatch(error);
    });
  }
});
