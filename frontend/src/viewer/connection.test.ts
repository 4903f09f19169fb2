import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff';
import { Connection, type ConnectionOptions } from './connection';
import type { HelloEvent } from './events';

/** FakeSocket stands in for the browser's WebSocket: tests open, greet and close it by hand. */
class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(): void {}
  close(): void {
    this.closed = true;
  }
  /** refuse is the server answering the upgrade with an error: the socket closes having said nothing. */
  refuse(): void {
    this.readyState = 3;
    this.onclose?.();
  }
  greet(hello: object): void {
    this.readyState = 1;
    this.onopen?.();
    this.onmessage?.({ data: JSON.stringify({ type: 'hello', state: 'live', ...hello }) });
  }
}

const rendition = (url: string): string | null => new URL(url).searchParams.get('rendition');
const lastUrl = (): string => FakeSocket.all.at(-1)!.url;

describe('Connection and renditions', () => {
  let fetchOk: boolean;
  let refused: string[];
  let hellos: HelloEvent[];
  const open = (extra: Partial<ConnectionOptions> = {}): Connection => {
    const c = new Connection({
      baseUrl: 'http://cam.local/?token=T',
      token: 'T',
      onFrame: () => {},
      onState: () => {},
      onHello: (h) => hellos.push(h),
      onRenditionRefused: (name) => refused.push(name),
      backoff: new Backoff({ initialMs: 100, jitter: 0 }),
      ...extra,
    });
    c.start();
    return c;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    fetchOk = true;
    refused = [];
    hellos = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    // diagnose: /healthz and /api/state answer 200 while the server is up.
    vi.stubGlobal('fetch', async () => {
      if (!fetchOk) throw new TypeError('fetch failed');
      return new Response('{}', { status: 200 });
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('asks for no rendition by default, so the server adapts', () => {
    open();
    expect(rendition(lastUrl())).toBeNull();
  });

  it('asks for the pinned rendition on the WebSocket', () => {
    open({ rendition: '360p' });
    expect(rendition(lastUrl())).toBe('360p');
  });

  it('passes each hello on with its renditions', () => {
    open();
    FakeSocket.all[0]!.greet({ renditions: [{ name: '720p', w: 1280, h: 720, quality: 80 }, { name: '360p', w: 640, h: 360, quality: 70 }], rendition: 'auto' });
    expect(hellos).toHaveLength(1);
    expect(hellos[0]!.renditions.map((r) => r.name)).toEqual(['720p', '360p']);
    expect(hellos[0]!.rendition).toBe('auto');
  });

  it('reconnects at once with the new rendition when another is picked', () => {
    const c = open();
    FakeSocket.all[0]!.greet({});
    c.setRendition('240p');
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[0]!.closed).toBe(true);
    expect(rendition(lastUrl())).toBe('240p');
    c.setRendition('auto');
    expect(FakeSocket.all).toHaveLength(3);
    expect(rendition(lastUrl())).toBeNull();
  });

  it('does not reconnect when the same rendition is picked again', () => {
    const c = open({ rendition: '360p' });
    c.setRendition('360p');
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('only remembers a rendition picked while stopped, for the next start', () => {
    const c = open();
    c.stop();
    c.setRendition('180p');
    expect(FakeSocket.all).toHaveLength(1);
    c.start();
    expect(rendition(lastUrl())).toBe('180p');
  });

  it('asks for auto after the server refused the pinned rendition, and says so', async () => {
    open({ rendition: '1080p' });
    FakeSocket.all[0]!.refuse();
    await vi.advanceTimersByTimeAsync(1000);
    expect(refused).toEqual(['1080p']);
    expect(FakeSocket.all).toHaveLength(2);
    expect(rendition(lastUrl())).toBeNull();
  });

  it('keeps the pin when the server is unreachable: that says nothing of the rendition', async () => {
    fetchOk = false;
    open({ rendition: '360p' });
    FakeSocket.all[0]!.refuse();
    await vi.advanceTimersByTimeAsync(1000);
    expect(refused).toEqual([]);
    expect(rendition(lastUrl())).toBe('360p');
  });

  it('keeps the pin when a connection the server greeted ends', async () => {
    open({ rendition: '360p' });
    FakeSocket.all[0]!.greet({ rendition: '360p' });
    FakeSocket.all[0]!.refuse();
    await vi.advanceTimersByTimeAsync(1000);
    expect(refused).toEqual([]);
    expect(FakeSocket.all).toHaveLength(2);
    expect(rendition(lastUrl())).toBe('360p');
  });
});

describe('Connection to a relay link whose stream has not started', () => {
  let stateAnswer: () => Response;
  let stateAsked: number;
  let states: string[];
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    states = [];
    stateAsked = 0;
    stateAnswer = () => new Response('not yet', { status: 401, headers: { 'X-Framecast-Refused': 'not-yet' } });
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      if (String(input).includes('/api/state')) {
        stateAsked++;
        return stateAnswer();
      }
      return new Response('ok', { status: 200 });
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('waits, asking the state with growing pauses and opening no socket, then connects once the stream is there', async () => {
    const c = new Connection({
      baseUrl: 'http://relay.example/s/cam/?token=T',
      token: 'T',
      onFrame: () => {},
      onState: (s) => states.push(s),
      backoff: new Backoff({ initialMs: 100, jitter: 0 }),
      waitBackoff: new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0 }),
    });
    c.start();
    FakeSocket.all[0]!.refuse();
    await vi.advanceTimersByTimeAsync(10);
    expect(states.at(-1)).toBe('waiting');
    expect(stateAsked).toBe(1);
    // Looks at 1 s, then 2 s and 4 s later: only the state is asked.
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(stateAsked).toBe(4);
    expect(FakeSocket.all).toHaveLength(1);
    expect(states.at(-1)).toBe('waiting');
    // The producer arrives: the next look finds the stream and connects.
    stateAnswer = () => new Response('{}', { status: 200 });
    await vi.advanceTimersByTimeAsync(4000);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.greet({});
    expect(states.at(-1)).toBe('live');
    c.stop();
  });

  it('stops and says the link was replaced when it was', async () => {
    stateAnswer = () => new Response('replaced', { status: 401, headers: { 'X-Framecast-Refused': 'replaced' } });
    const c = new Connection({ baseUrl: 'http://cam.local/?token=T', token: 'T', onFrame: () => {}, onState: (s) => states.push(s) });
    c.start();
    FakeSocket.all[0]!.refuse();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.at(-1)).toBe('replaced');
    expect(FakeSocket.all).toHaveLength(1);
  });

  for (const why of ['revoked', 'expired'] as const) {
    it(`stops and says the customer link was ${why} when it was`, async () => {
      stateAnswer = () => new Response(why, { status: 401, headers: { 'X-Framecast-Refused': why } });
      const c = new Connection({ baseUrl: 'http://cam.local/?token=T', token: 'T', onFrame: () => {}, onState: (s) => states.push(s) });
      c.start();
      FakeSocket.all[0]!.refuse();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(states.at(-1)).toBe(why);
      expect(FakeSocket.all).toHaveLength(1);
    });
  }
});
