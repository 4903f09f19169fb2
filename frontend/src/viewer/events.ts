// Text messages from the server (docs/protocol.md, "events"). Anything that is
// not a known, well-formed event parses to null and is ignored, so a newer
// server can add event types without breaking older viewers.
import { parseRenditionName, parseRenditions, type Rendition } from './renditions';

/** StreamState is the stream's own state as the server reports it. */
export type StreamState = 'live' | 'no-signal' | 'off';

/** HelloEvent arrives right after the upgrade. */
export interface HelloEvent {
  type: 'hello';
  /** null for a state this viewer does not know (the server may add some, e.g. "idle"). */
  state: StreamState | null;
  stream?: string;
  w?: number;
  h?: number;
  quality?: number;
  maxInFlight?: number;
  /** The server's renditions, largest first; [] from a server without them. */
  renditions: Rendition[];
  /** The rendition this viewer takes: "auto" or a pinned name; undefined from a server without renditions. */
  rendition?: string;
  /** What the frames carry: "jpeg", or a VideoDecoder codec string ("avc1.42E01F"); "jpeg" from an older server. */
  codec: string;
}

/** StatusEvent arrives when the stream's state changes. */
export interface StatusEvent {
  type: 'status';
  /** null for a state this viewer does not know. */
  state: StreamState | null;
  source?: string;
  reason?: string;
}

/** ByeEvent arrives before the server closes the connection on purpose. */
export interface ByeEvent {
  type: 'bye';
  reason?: string;
  /** The stream no longer serves at this address (port or HTTPS changed): retrying cannot help. */
  moved?: boolean;
}

/** ServerEvent is any event the viewer understands. */
export type ServerEvent = HelloEvent | StatusEvent | ByeEvent;

const STATES: readonly string[] = ['live', 'no-signal', 'off'];

/** isStreamState tells whether v is one of the protocol's stream states. */
export function isStreamState(v: unknown): v is StreamState {
  return typeof v === 'string' && STATES.includes(v);
}

/** parseEvent reads one text message; it returns null for anything unusable. */
export function parseEvent(text: string): ServerEvent | null {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'hello':
      return {
        ...m,
        type: 'hello',
        state: isStreamState(m.state) ? m.state : null,
        renditions: parseRenditions(m.renditions),
        rendition: parseRenditionName(m.rendition) ?? undefined,
        codec: typeof m.codec === 'string' && m.codec !== '' ? m.codec : 'jpeg',
      };
    case 'status':
      // An unknown state is kept as null rather than guessed: the caller
      // waits for frames or a known state instead.
      return { ...m, type: m.type, state: isStreamState(m.state) ? m.state : null };
    case 'bye':
      return { type: 'bye', reason: typeof m.reason === 'string' ? m.reason : undefined, moved: m.moved === true };
    default:
      return null;
  }
}
