// After a WebSocket closes the browser tells us nothing useful (a refused
// upgrade and a dead server both look like code 1006), so we ask the server
// over plain HTTP why, and tell the person something they can act on.
import type { Endpoints } from './urls';

/**
 * Diagnosis says why a connection ended:
 * "offline" the server does not answer; "unauthorized" the token is refused;
 * "replaced" the token was the stream's until a new link replaced it;
 * "revoked" a customer link the operator turned off; "expired" one whose time
 * is up;
 * "waiting" a relay has no stream live at this link yet (or the token is
 * wrong: a relay does not tell the two apart, so stream names cannot be
 * found out), and it may come; "retry" the server is up and accepts the
 * token, so just connect again.
 */
export type Diagnosis = 'offline' | 'unauthorized' | 'replaced' | 'revoked' | 'expired' | 'waiting' | 'retry';

/** REFUSED_HEADER is where the server says why it refused a token (backend/server/auth.go). */
export const REFUSED_HEADER = 'X-Framecast-Refused';

/** refusal reads a 401 or 429 answer's reason. */
function refusal(res: Response): Diagnosis {
  switch (res.headers.get(REFUSED_HEADER)) {
    case 'replaced':
      return 'replaced';
    case 'revoked':
      return 'revoked';
    case 'expired':
      return 'expired';
    case 'not-yet':
      return 'waiting';
    default:
      // A 429 without a reason is too many wrong tokens from this address.
      return 'unauthorized';
  }
}

/** DiagnoseOptions are the knobs of diagnose; fetchImpl exists for tests. */
export interface DiagnoseOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** diagnose probes healthz, then api/state with the token, next to the page. It never throws. */
export async function diagnose(urls: Endpoints, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 3000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    // no-cors: the desktop webview has another origin, and reachability is
    // all we need here; a cross-origin answer comes back opaque (status 0).
    const health = await fetchImpl(urls.healthz, { mode: 'no-cors', cache: 'no-store', signal });
    // Any answer but a server error means someone is there (a relay
    // answers /s/{stream}/healthz for every name, so it tells nobody which
    // streams exist). A proxy whose server is gone answers 502–504.
    if (health.type !== 'opaque' && health.status >= 500) return 'offline';
  } catch {
    return 'offline';
  }
  try {
    const state = await fetchImpl(urls.state, { cache: 'no-store', signal });
    return state.status === 401 || state.status === 429 ? refusal(state) : 'retry';
  } catch {
    // Up but unreadable (CORS, timeout): nothing proves the token wrong.
    return 'retry';
  }
}
