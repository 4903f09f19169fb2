import { describe, expect, it } from 'vitest';
import { endpoints, withRendition } from './urls';

describe('endpoints', () => {
  const cases: Array<[string, string, { ws: string; healthz: string; state: string }]> = [
    [
      'uses ws: next to a page served over http, dropping the page query',
      'http://cam.local:8188/?token=abc',
      { ws: 'ws://cam.local:8188/ws?token=T', healthz: 'http://cam.local:8188/healthz', state: 'http://cam.local:8188/api/state?token=T' },
    ],
    [
      'uses wss: for a page served over https',
      'https://example.org/',
      { ws: 'wss://example.org/ws?token=T', healthz: 'https://example.org/healthz', state: 'https://example.org/api/state?token=T' },
    ],
    [
      'accepts a bare ws: base as the desktop app gives it',
      'ws://127.0.0.1:9000',
      { ws: 'ws://127.0.0.1:9000/ws?token=T', healthz: 'http://127.0.0.1:9000/healthz', state: 'http://127.0.0.1:9000/api/state?token=T' },
    ],
    [
      'stays under a reverse-proxy sub-path',
      'https://example.org/cam/viewer.html?token=x#top',
      { ws: 'wss://example.org/cam/ws?token=T', healthz: 'https://example.org/cam/healthz', state: 'https://example.org/cam/api/state?token=T' },
    ],
    [
      'stays under a relay\'s stream prefix',
      'https://relay.example.com:8188/s/line1/?token=V',
      {
        ws: 'wss://relay.example.com:8188/s/line1/ws?token=T',
        healthz: 'https://relay.example.com:8188/s/line1/healthz',
        state: 'https://relay.example.com:8188/s/line1/api/state?token=T',
      },
    ],
  ];
  for (const [name, base, want] of cases) {
    it(name, () => expect(endpoints(base, 'T')).toEqual(want));
  }

  it('escapes a token with reserved characters', () => {
    expect(endpoints('http://h/', 'a&b=c d').ws).toBe('ws://h/ws?token=a%26b%3Dc+d');
  });

  it('refuses a base URL of another scheme', () => {
    expect(() => endpoints('file:///tmp/viewer.html', 'T')).toThrow(/unsupported base URL scheme/);
  });
});

describe('endpoints with a rendition', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['pins the WebSocket to a named rendition', '360p', 'ws://h/ws?token=T&rendition=360p'],
    ['leaves the WebSocket adaptive for auto', 'auto', 'ws://h/ws?token=T'],
    ['leaves the WebSocket adaptive when none is given', undefined, 'ws://h/ws?token=T'],
  ];
  for (const [name, rendition, want] of cases) {
    it(name, () => expect(endpoints('http://h/?token=x&rendition=720p', 'T', rendition).ws).toBe(want));
  }

  it('asks for a codec other than JPEG on the WebSocket alone', () => {
    const e = endpoints('http://h/?codec=jpeg', 'T', 'auto', 'h264');
    expect(e.ws).toBe('ws://h/ws?token=T&codec=h264');
    expect(e.state).toBe('http://h/api/state?token=T');
    expect(endpoints('http://h/', 'T', '360p', 'jpeg').ws).toBe('ws://h/ws?token=T&rendition=360p');
  });

  it('never pins healthz or api/state', () => {
    const e = endpoints('http://h/', 'T', '240p');
    expect(e.healthz).toBe('http://h/healthz');
    expect(e.state).toBe('http://h/api/state?token=T');
  });
});

describe('withRendition', () => {
  const cases: Array<[string, string, string, string]> = [
    ['adds the rendition and keeps the token', 'https://h/s/cam/?token=T', '360p', 'https://h/s/cam/?token=T&rendition=360p'],
    ['replaces a rendition already there', 'https://h/?token=T&rendition=720p', '240p', 'https://h/?token=T&rendition=240p'],
    ['drops the rendition for auto', 'https://h/?rendition=720p&token=T#top', 'auto', 'https://h/?token=T#top'],
  ];
  for (const [name, href, rendition, want] of cases) {
    it(name, () => expect(withRendition(href, rendition)).toBe(want));
  }
});
