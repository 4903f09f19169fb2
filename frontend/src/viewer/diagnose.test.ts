import { describe, expect, it } from 'vitest';
import { diagnose } from './diagnose';
import { endpoints } from './urls';

const urls = endpoints('http://127.0.0.1:1/', 'T');

// fakeFetch answers by URL; a missing entry is a network failure, like a dead server.
function fakeFetch(answers: Record<string, () => Response>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const answer = answers[String(input)];
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  }) as typeof fetch;
}

describe('diagnose', () => {
  it('reports offline when /healthz cannot be reached', async () => {
    expect(await diagnose(urls, { fetchImpl: fakeFetch({}) })).toBe('offline');
  });

  it('reports offline when /healthz answers with an error status', async () => {
    const fetchImpl = fakeFetch({ [urls.healthz]: () => new Response('bad gateway', { status: 502 }) });
    expect(await diagnose(urls, { fetchImpl })).toBe('offline');
  });

  it('asks the stream when healthz is not served under the page\'s path, as on a relay', async () => {
    const relay = endpoints('http://relay.example:8188/s/line1/?token=x', 'T');
    const answers = {
      [relay.healthz]: () => new Response('404 page not found', { status: 404 }),
      [relay.state]: () => new Response('unauthorized', { status: 401 }),
    };
    expect(await diagnose(relay, { fetchImpl: fakeFetch(answers) })).toBe('unauthorized');
    answers[relay.state] = () => new Response('{}', { status: 200 });
    expect(await diagnose(relay, { fetchImpl: fakeFetch(answers) })).toBe('retry');
  });

  it('reports unauthorized when the server is up and refuses the token', async () => {
    const fetchImpl = fakeFetch({
      [urls.healthz]: () => new Response('ok'),
      [urls.state]: () => new Response('unauthorized', { status: 401 }),
    });
    expect(await diagnose(urls, { fetchImpl })).toBe('unauthorized');
  });

  it('reports replaced when the server says the link was replaced', async () => {
    const fetchImpl = fakeFetch({
      [urls.healthz]: () => new Response('ok'),
      [urls.state]: () => new Response('replaced', { status: 401, headers: { 'X-Framecast-Refused': 'replaced' } }),
    });
    expect(await diagnose(urls, { fetchImpl })).toBe('replaced');
  });

  it('reports waiting when a relay has no stream at this link yet, locked out or not', async () => {
    for (const status of [401, 429]) {
      const fetchImpl = fakeFetch({
        [urls.healthz]: () => new Response('ok'),
        [urls.state]: () => new Response('not yet', { status, headers: { 'X-Framecast-Refused': 'not-yet' } }),
      });
      expect(await diagnose(urls, { fetchImpl })).toBe('waiting');
    }
  });

  it('reports unauthorized for too many wrong tokens from this address', async () => {
    const fetchImpl = fakeFetch({
      [urls.healthz]: () => new Response('ok'),
      [urls.state]: () => new Response('429', { status: 429 }),
    });
    expect(await diagnose(urls, { fetchImpl })).toBe('unauthorized');
  });

  it('says retry when the server is up and accepts the token', async () => {
    const fetchImpl = fakeFetch({
      [urls.healthz]: () => new Response('ok'),
      [urls.state]: () => new Response('{}', { status: 200 }),
    });
    expect(await diagnose(urls, { fetchImpl })).toBe('retry');
  });

  it('says retry when the state cannot be read, since nothing proves the token wrong', async () => {
    const fetchImpl = fakeFetch({ [urls.healthz]: () => new Response('ok') });
    expect(await diagnose(urls, { fetchImpl })).toBe('retry');
  });
});
