// The grid's list of streams: /api/streams?token=T, next to the page, says
// which streams the token opens and where each one's viewer is
// ({"streams":[{"name":"line-1","path":"s/line-1/"}, …]}, in the server's
// order). Anything unusable in it is skipped, never followed: a path must
// stay under the page's own s/ on the page's own origin.
import { statusMessage } from '../viewer';

/** StreamLink is one stream of the list: its name and its viewer page's address without the token. */
export interface StreamLink {
  /** As the server names it; shown as text only. */
  name: string;
  /** Absolute URL of the stream's viewer page (s/<name>/), no query. */
  url: string;
}

/** MAX_STREAMS bounds how many tiles one answer can make. */
export const MAX_STREAMS = 64;
/** MAX_NAME bounds the length of a name shown. */
export const MAX_NAME = 200;

/** Listing is what the page does with the answer: tiles, or a sentence for the person. */
export type Listing = { ok: true; streams: StreamLink[] } | { ok: false; status: 'unauthorized' | 'failed'; message: string };

/** UNAUTHORIZED is the grid's sentence for a refused token: the viewer's own. */
export const UNAUTHORIZED = statusMessage('unauthorized', undefined, 0);

/** listUrl is the list's address for a page at pageHref with token. */
export function listUrl(pageHref: string, token: string): string {
  const url = new URL('api/streams', pageHref);
  url.search = '';
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * parseStreams reads the list's JSON (already parsed) for a page at
 * pageHref: items without a name, with a path that leaves the page's s/
 * or its origin, or repeated, are skipped; at most MAX_STREAMS are kept.
 */
export function parseStreams(body: unknown, pageHref: string): StreamLink[] {
  if (typeof body !== 'object' || body === null) return [];
  const items = (body as Record<string, unknown>).streams;
  if (!Array.isArray(items)) return [];
  const page = new URL(pageHref);
  const under = new URL('s/', page).pathname;
  const out: StreamLink[] = [];
  for (const item of items) {
    if (out.length >= MAX_STREAMS) break;
    if (typeof item !== 'object' || item === null) continue;
    const { name, path } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || name.length > MAX_NAME) continue;
    if (typeof path !== 'string' || !path.startsWith('s/')) continue;
    let url: URL;
    try {
      url = new URL(path, page);
    } catch {
      continue;
    }
    url.search = '';
    url.hash = '';
    // "s/../api/" and the like resolve out of s/: not a stream's page.
    const { pathname } = url;
    if (url.origin !== page.origin || !pathname.startsWith(under) || pathname === under || !pathname.endsWith('/')) continue;
    if (out.some((s) => s.url === url.href)) continue;
    out.push({ name, url: url.href });
  }
  return out;
}

/** viewerLink is a stream's full viewer, with the token: what its tile opens. */
export function viewerLink(stream: StreamLink, token: string): string {
  const url = new URL(stream.url);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * readListing turns the server's answer into a Listing: the streams, or why
 * there are none. fetchImpl exists for tests.
 */
export async function readListing(pageHref: string, token: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<Listing> {
  if (token === '') return { ok: false, status: 'unauthorized', message: UNAUTHORIZED };
  let res: Response;
  try {
    res = await fetchImpl(listUrl(pageHref, token), { cache: 'no-store', signal: AbortSignal.timeout(10_000) });
  } catch {
    return { ok: false, status: 'failed', message: 'The server does not answer. Reload the page to try again.' };
  }
  // 429: too many wrong tokens from this address; the token is as good as wrong.
  if (res.status === 401 || res.status === 429) return { ok: false, status: 'unauthorized', message: UNAUTHORIZED };
  if (!res.ok) return { ok: false, status: 'failed', message: `The server could not list the streams (${res.status}). Reload the page to try again.` };
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const streams = parseStreams(body, pageHref);
  if (streams.length === 0) return { ok: false, status: 'failed', message: 'This link opens no streams.' };
  return { ok: true, streams };
}
