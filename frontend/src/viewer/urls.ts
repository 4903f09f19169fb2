// Endpoint URLs for one stream. They are resolved relative to a base URL, not
// to "/", so the same code works for the page served by the Go server, for a
// server behind a reverse proxy under a sub-path, and for the desktop app that
// points at ws://127.0.0.1:PORT.

/** Endpoints are the absolute URLs the viewer talks to. */
export interface Endpoints {
  /** WebSocket for frames and events (ws: or wss:). */
  ws: string;
  /** Liveness probe, needs no token. */
  healthz: string;
  /** Stream state; answers 401 when the token is wrong. */
  state: string;
}

/**
 * endpoints builds the viewer's URLs from baseUrl (http(s): or ws(s):, e.g.
 * location.href or "ws://127.0.0.1:8080") and the stream's access token.
 */
export function endpoints(baseUrl: string, token: string): Endpoints {
  const base = new URL(baseUrl);
  // Query and fragment of the base (e.g. the page's own ?token=) are not ours to keep.
  base.search = '';
  base.hash = '';
  const http = new URL(base);
  const ws = new URL(base);
  if (base.protocol === 'ws:' || base.protocol === 'wss:') {
    http.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  } else if (base.protocol === 'http:' || base.protocol === 'https:') {
    ws.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  } else {
    throw new TypeError(`unsupported base URL scheme "${base.protocol}" (want http, https, ws or wss)`);
  }
  const withToken = (path: string, root: URL): string => {
    const url = new URL(path, root);
    url.searchParams.set('token', token);
    return url.toString();
  };
  return {
    ws: withToken('ws', ws),
    healthz: new URL('healthz', http).toString(),
    state: withToken('api/state', http),
  };
}
