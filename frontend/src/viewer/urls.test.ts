import { describe, expect, it } from 'vitest';
import { endpoints } from './urls';

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
