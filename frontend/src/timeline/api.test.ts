import { describe, expect, it } from 'vitest';
import { parseMarks, parseSpans, recordingApi } from './api';

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** answering is a fetch that answers with answer and keeps what was asked. */
function answering(answer: (url: string) => Response | Promise<Response>) {
  const asked: Array<{ url: string; init?: RequestInit }> = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    asked.push({ url, init });
    return answer(url);
  }) as typeof fetch;
  return { asked, fetchFn };
}

const T = Date.parse('2026-12-06T14:03:05.123Z');

describe('recordingApi URLs', () => {
  const cases: Array<[string, string, string]> = [
    ['a stream page asks beside it, under /s/<name>/', 'https://cam.example/s/line-2/?token=abc#x', 'https://cam.example/s/line-2/'],
    ['the first stream at the root asks at the root', 'http://127.0.0.1:8080/?token=abc&rendition=360p', 'http://127.0.0.1:8080/'],
    ['a server under a proxy sub-path keeps it', 'https://example.org/cams/s/door/?token=abc', 'https://example.org/cams/s/door/'],
  ];
  for (const [name, page, dir] of cases) {
    it(name, async () => {
      const { asked, fetchFn } = answering(() => json(200, []));
      const api = recordingApi(page, 'abc', fetchFn);
      await api.spans();
      await api.marks(T, 3_600_000, 15_000);
      expect(asked.map((a) => a.url)).toEqual([
        `${dir}api/recordings?token=abc`,
        `${dir}api/detections?token=abc&start=2026-12-06T14%3A03%3A05.123Z&duration=3600s&every=15s&limit=5000`,
      ]);
      expect(api.clipUrl(T, 30_000, false)).toBe(`${dir}clip.mp4?token=abc&start=2026-12-06T14%3A03%3A05.123Z&duration=30s`);
      expect(api.clipUrl(T, 300_000, true)).toBe(`${dir}clip.mp4?token=abc&start=2026-12-06T14%3A03%3A05.123Z&duration=300s&download=1`);
    });
  }
});

describe('recordingApi answers', () => {
  it('reads the spans, oldest first', async () => {
    const { fetchFn } = answering(() =>
      json(200, [
        { start: '2026-12-06T14:00:00.000Z', end: '2026-12-06T14:05:00.000Z' },
        { start: '2026-12-06T13:00:00.000Z', end: '2026-12-06T13:30:00.500Z' },
      ]),
    );
    expect(await recordingApi('http://h/', 't', fetchFn).spans()).toEqual({
      ok: true,
      value: [
        { start: Date.parse('2026-12-06T13:00:00Z'), end: Date.parse('2026-12-06T13:30:00.5Z') },
        { start: Date.parse('2026-12-06T14:00:00Z'), end: Date.parse('2026-12-06T14:05:00Z') },
      ],
    });
  });
  it('says a stream is not recorded with the 404 and the server words', async () => {
    const { fetchFn } = answering(() => json(404, { error: 'this stream is not recorded' }));
    expect(await recordingApi('http://h/', 't', fetchFn).spans()).toEqual({ ok: false, status: 404, error: 'this stream is not recorded' });
  });
  it('gives a plain-text refusal as it is, with its status', async () => {
    const { fetchFn } = answering(() => new Response('404 page not found\n', { status: 404 }));
    expect(await recordingApi('http://h/', 't', fetchFn).spans()).toEqual({ ok: false, status: 404, error: '404 page not found (HTTP 404)' });
  });
  it('says when the server did not answer', async () => {
    const { fetchFn } = answering(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await recordingApi('http://h/', 't', fetchFn).marks(T, 1000, 1000)).toEqual({
      ok: false,
      status: 0,
      error: 'the server did not answer (Failed to fetch)',
    });
  });
  it('says when a 200 is not JSON', async () => {
    const { fetchFn } = answering(() => new Response('<html>', { status: 200 }));
    const got = await recordingApi('http://h/', 't', fetchFn).spans();
    expect(got.ok).toBe(false);
  });
  it('asks for one byte of a clip that did not play, and gives the server words', async () => {
    const { asked, fetchFn } = answering((url) =>
      url.includes('duration=5s') ? json(404, { error: 'nothing was recorded between 14:00:00 and 14:00:05' }) : new Response('x', { status: 206 }),
    );
    const api = recordingApi('http://h/', 't', fetchFn);
    expect(await api.clipError(api.clipUrl(T, 5000, false))).toBe('nothing was recorded between 14:00:00 and 14:00:05');
    expect(new Headers(asked[0]!.init?.headers).get('Range')).toBe('bytes=0-0');
    expect(await api.clipError(api.clipUrl(T, 6000, false))).toBeNull();
  });
});

describe('parsing', () => {
  it('reads detection times to the microsecond the server sends, to the millisecond', () => {
    expect(parseMarks([{ ts: '2026-12-06T14:03:05.123456Z', label: 'motion', score: 0.9, box: [1, 2, 3, 4] }])).toEqual([{ t: T, label: 'motion' }]);
  });
  it('drops malformed items and keeps the rest', () => {
    expect(parseMarks([{ ts: 'yesterday', label: 'x' }, { ts: '2026-12-06T14:03:05.123Z' }, null, { ts: '2026-12-06T14:03:05.123Z', label: 'face' }])).toEqual([
      { t: T, label: 'face' },
    ]);
    expect(parseSpans([{ start: '2026-12-06T14:00:00Z', end: '2026-12-06T13:00:00Z' }, { start: 'x', end: 'y' }, 5])).toEqual([]);
    expect(parseSpans({ error: 'x' })).toEqual([]);
  });
});
