// The recording endpoints of one stream (api/recordings, api/detections,
// clip.mp4), resolved next to the page like its other requests: /s/<name>/
// for a stream's page, / for the first stream, with the page's ?token=.
// Failures come back as a sentence to show, never as a thrown error.
import type { Mark, Span } from './model';
import { goDuration } from './format';

/** Result is an answer, or why there is none: the HTTP status (0: no answer) and the server's words. */
export type Result<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

/** MARKS_LIMIT bounds the detections one request asks for (the server allows up to 10000). */
export const MARKS_LIMIT = 5000;

/** RecordingApi reads one stream's recordings. */
export interface RecordingApi {
  /** spans lists what is recorded, oldest first; 404 means the stream is not recorded. */
  spans(): Promise<Result<Span[]>>;
  /** marks lists the detections from start, duration long, at most one per label per every. */
  marks(start: number, duration: number, every: number): Promise<Result<Mark[]>>;
  /** clipUrl is the MP4 of duration from start; download asks the server to send it as a file. */
  clipUrl(start: number, duration: number, download: boolean): string;
  /** clipError asks for a clip the video element could not play, and tells why: the server's words, or null when it serves it. */
  clipError(url: string): Promise<string | null>;
}

/** recordingApi makes the endpoints for the page at baseUrl (e.g. location.href) with token. */
export function recordingApi(baseUrl: string, token: string, fetchFn: typeof fetch = (...a) => fetch(...a)): RecordingApi {
  const base = new URL(baseUrl);
  // The page's own ?token= and fragment are not part of the endpoints' place.
  base.search = '';
  base.hash = '';
  const url = (path: string, params: Record<string, string> = {}): string => {
    const u = new URL(path, base);
    u.searchParams.set('token', token);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  };
  const iso = (t: number): string => new Date(t).toISOString();

  return {
    async spans() {
      const res = await getJSON(fetchFn, url('api/recordings'));
      return res.ok ? { ok: true, value: parseSpans(res.value) } : res;
    },
    async marks(start, duration, every) {
      const res = await getJSON(
        fetchFn,
        url('api/detections', { start: iso(start), duration: goDuration(duration), every: goDuration(every), limit: String(MARKS_LIMIT) }),
      );
      return res.ok ? { ok: true, value: parseMarks(res.value) } : res;
    },
    clipUrl(start, duration, download) {
      const params: Record<string, string> = { start: iso(start), duration: goDuration(duration) };
      if (download) params.download = '1';
      return url('clip.mp4', params);
    },
    async clipError(clip) {
      try {
        // One byte is enough to know the server serves it.
        const res = await fetchFn(clip, { headers: { Range: 'bytes=0-0' } });
        if (res.ok) return null;
        return await errorText(res);
      } catch (err) {
        return noAnswer(err);
      }
    },
  };
}

async function getJSON(fetchFn: typeof fetch, url: string): Promise<Result<unknown>> {
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { Accept: 'application/json' } });
  } catch (err) {
    return { ok: false, status: 0, error: noAnswer(err) };
  }
  if (!res.ok) return { ok: false, status: res.status, error: await errorText(res) };
  try {
    return { ok: true, value: await res.json() };
  } catch {
    return { ok: false, status: res.status, error: 'the server answered with something other than JSON' };
  }
}

/** errorText is the server's {"error": "…"}, or the status when it said nothing readable. */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') return (body as { error: string }).error;
  } catch {
    // not JSON: fall through
  }
  const plain = text.trim();
  return plain !== '' && plain.length <= 200 ? `${plain} (HTTP ${res.status})` : `HTTP ${res.status}`;
}

function noAnswer(err: unknown): string {
  return `the server did not answer (${err instanceof Error ? err.message : String(err)})`;
}

/** parseSpans reads api/recordings' [{"start","end"}], keeping the well-formed ones, oldest first. */
export function parseSpans(body: unknown): Span[] {
  if (!Array.isArray(body)) return [];
  const out: Span[] = [];
  for (const item of body) {
    const start = Date.parse(String((item as { start?: unknown })?.start));
    const end = Date.parse(String((item as { end?: unknown })?.end));
    if (Number.isFinite(start) && Number.isFinite(end) && end >= start) out.push({ start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** parseMarks reads api/detections' [{"ts","label",…}], keeping the well-formed ones. */
export function parseMarks(body: unknown): Mark[] {
  if (!Array.isArray(body)) return [];
  const out: Mark[] = [];
  for (const item of body) {
    const t = Date.parse(String((item as { ts?: unknown })?.ts));
    const label = (item as { label?: unknown })?.label;
    if (Number.isFinite(t) && typeof label === 'string' && label !== '') out.push({ t, label });
  }
  return out;
}
