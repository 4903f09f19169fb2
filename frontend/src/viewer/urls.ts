// Endpoint URLs for one stream. They are resolved relative to a base URL, not
// to "/", so the same code works for the page served by the Go server, for a
// server behind a reverse proxy under a sub-path, and for the desktop app that
// points at ws://127.0.0.1:PORT.
import { AUTO } from './renditions';

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
 * location.href or "ws://127.0.0.1:8080") and the stream's access token. A
 * rendition other than "auto" pins the WebSocket to it (?rendition=360p);
 * none or "auto" leaves the server to adapt. A codec other than "jpeg" asks
 * for it (?codec=h264).
 */
export function endpoints(baseUrl: string, token: string, rendition: string = AUTO, codec: string = 'jpeg'): Endpoints {
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
  const wsUrl = new URL(withToken('ws', ws));
  if (rendition !== AUTO) wsUrl.searchParams.set('rendition', rendition);
  if (codec !== 'jpeg') wsUrl.searchParams.set('codec', codec);
  return {
    ws: wsUrl.toString(),
    healthz: new URL('healthz', http).toString(),
    state: withToken('api/state', http),
  };
}

/**
 * withRendition is the page address href with its ?rendition= set to name,
 * or without one for "auto", so a reload or a shared link keeps the choice.
 * The rest of the address (the token, a fragment) is kept as it is.
 */
export function withRendition(href: string, name: string): string {
  const url = new URL(href);
  if (name === AUTO) url.searchParams.delete('rendition');
  else url.searchParams.set('rendition', name);
  return url.toString();
}
