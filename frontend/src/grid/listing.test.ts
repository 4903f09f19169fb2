import { describe, expect, it } from 'vitest';
import { listUrl, MAX_STREAMS, parseStreams, readListing, UNAUTHORIZED, viewerLink } from './listing';

const PAGE = 'http://cam.example:8188/?token=abc';

describe('listUrl', () => {
  it('asks next to the page, with the token and nothing else of the page address', () => {
    expect(listUrl('http://cam.example:8188/?token=abc&codec=jpeg#x', 'abc')).toBe('http://cam.example:8188/api/streams?token=abc');
  });
  it('keeps a sub-path a reverse proxy serves the page under', () => {
    expect(listUrl('https://site.example/cams/?token=a', 'a')).toBe('https://site.example/cams/api/streams?token=a');
  });
  it('escapes the token', () => {
    expect(listUrl(PAGE, 'a&b=c')).toBe('http://cam.example:8188/api/streams?token=a%26b%3Dc');
  });
});

describe('parseStreams', () => {
  it('reads the streams in the order the server gives them', () => {
    const body = { streams: [{ name: 'line-2', path: 's/line-2/' }, { name: 'line-1', path: 's/line-1/' }] };
    expect(parseStreams(body, PAGE)).toEqual([
      { name: 'line-2', url: 'http://cam.example:8188/s/line-2/' },
      { name: 'line-1', url: 'http://cam.example:8188/s/line-1/' },
    ]);
  });

  it('resolves the paths under the page, as served behind a sub-path', () => {
    expect(parseStreams({ streams: [{ name: 'a', path: 's/a/' }] }, 'https://site.example/cams/?token=t')).toEqual([
      { name: 'a', url: 'https://site.example/cams/s/a/' },
    ]);
  });

  it('keeps a name as it is, markup and all: it is shown as text', () => {
    const name = '<img src=x onerror=alert(1)> Kamera Süd 📷';
    expect(parseStreams({ streams: [{ name, path: 's/x/' }] }, PAGE)[0]?.name).toBe(name);
  });

  it('keeps an escaped name in the path escaped', () => {
    expect(parseStreams({ streams: [{ name: 'a b/c', path: 's/a%20b%2Fc/' }] }, PAGE)[0]?.url).toBe('http://cam.example:8188/s/a%20b%2Fc/');
  });

  const skipped: Array<[string, unknown]> = [
    ['a path that leaves s/ with ../', { name: 'x', path: 's/../api/streams/' }],
    ['a path that leaves s/ escaped', { name: 'x', path: 's/%2e%2e/admin/' }],
    ['a path to another origin', { name: 'x', path: '//evil.example/s/x/' }],
    ['an absolute URL', { name: 'x', path: 'http://evil.example/s/x/' }],
    ['a javascript: URL', { name: 'x', path: 'javascript:alert(1)' }],
    ['a path outside s/', { name: 'x', path: 'api/streams' }],
    ['s/ itself', { name: 'x', path: 's/' }],
    ['a path to a file, not a viewer', { name: 'x', path: 's/x/ws' }],
    ['an empty name', { name: '', path: 's/x/' }],
    ['a name too long to show', { name: 'n'.repeat(201), path: 's/x/' }],
    ['a name that is not text', { name: 7, path: 's/x/' }],
    ['no path', { name: 'x' }],
    ['an item that is not an object', 'line-1'],
    ['null', null],
  ];
  for (const [name, item] of skipped) {
    it(`skips ${name}`, () => {
      expect(parseStreams({ streams: [item, { name: 'ok', path: 's/ok/' }] }, PAGE)).toEqual([{ name: 'ok', url: 'http://cam.example:8188/s/ok/' }]);
    });
  }

  it('drops a query or fragment the path carries: the token is added by the page', () => {
    expect(parseStreams({ streams: [{ name: 'a', path: 's/a/?token=other#f' }] }, PAGE)[0]?.url).toBe('http://cam.example:8188/s/a/');
  });

  it('skips a stream listed twice', () => {
    expect(parseStreams({ streams: [{ name: 'a', path: 's/a/' }, { name: 'a again', path: 's/a/' }] }, PAGE)).toHaveLength(1);
  });

  it(`keeps at most ${MAX_STREAMS} streams`, () => {
    const streams = Array.from({ length: MAX_STREAMS + 5 }, (_, i) => ({ name: `c${i}`, path: `s/c${i}/` }));
    expect(parseStreams({ streams }, PAGE)).toHaveLength(MAX_STREAMS);
  });

  const empty: Array<[string, unknown]> = [
    ['null', null],
    ['an array', [{ name: 'a', path: 's/a/' }]],
    ['streams that is not a list', { streams: { name: 'a', path: 's/a/' } }],
    ['no streams', {}],
  ];
  for (const [name, body] of empty) {
    it(`reads ${name} as no streams`, () => expect(parseStreams(body, PAGE)).toEqual([]));
  }
});

describe('viewerLink', () => {
  it("is the stream's viewer page with the token", () => {
    expect(viewerLink({ name: 'a', url: 'http://cam.example:8188/s/a/' }, 'a&b')).toBe('http://cam.example:8188/s/a/?token=a%26b');
  });
});

describe('readListing', () => {
  const answer = (status: number, body: string, seen: string[] = []): typeof fetch =>
    (async (input: RequestInfo | URL) => {
      seen.push(String(input));
      return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
    }) as typeof fetch;

  it('gives the streams of a good answer, having asked with the token', async () => {
    const seen: string[] = [];
    const got = await readListing(PAGE, 'abc', answer(200, '{"streams":[{"name":"line-1","path":"s/line-1/"}]}', seen));
    expect(got).toEqual({ ok: true, streams: [{ name: 'line-1', url: 'http://cam.example:8188/s/line-1/' }] });
    expect(seen).toEqual(['http://cam.example:8188/api/streams?token=abc']);
  });

  it("says the link is not valid on 401, in the viewer page's words", async () => {
    expect(await readListing(PAGE, 'wrong', answer(401, '401 unauthorized'))).toEqual({ ok: false, status: 'unauthorized', message: UNAUTHORIZED });
    expect(UNAUTHORIZED).toMatch(/not valid/);
  });

  it('says the link is not valid on 429 (too many wrong tokens)', async () => {
    expect((await readListing(PAGE, 'wrong', answer(429, ''))).ok).toBe(false);
    expect(await readListing(PAGE, 'wrong', answer(429, ''))).toMatchObject({ status: 'unauthorized' });
  });

  it('says the link is not valid without asking when there is no token', async () => {
    const seen: string[] = [];
    expect(await readListing('http://cam.example:8188/', '', answer(200, '{}', seen))).toMatchObject({ ok: false, status: 'unauthorized' });
    expect(seen).toEqual([]);
  });

  it('says what failed on a server error', async () => {
    expect(await readListing(PAGE, 'abc', answer(500, 'boom'))).toMatchObject({ ok: false, status: 'failed', message: expect.stringMatching(/\(500\)/) });
  });

  it('says the server does not answer when the request fails', async () => {
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await readListing(PAGE, 'abc', down)).toMatchObject({ ok: false, status: 'failed', message: expect.stringMatching(/does not answer/) });
  });

  it('says the link opens no streams on an answer that is not a list', async () => {
    expect(await readListing(PAGE, 'abc', answer(200, '<html>'))).toMatchObject({ ok: false, status: 'failed', message: 'This link opens no streams.' });
    expect(await readListing(PAGE, 'abc', answer(200, '{"streams":[]}'))).toMatchObject({ ok: false, message: 'This link opens no streams.' });
  });
});
