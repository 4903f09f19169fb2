// A tile's state badge: the viewer page's words for its states, short
// enough for a tile's bar.
import type { ViewerState } from '../viewer';

/** Badge is what a tile's bar says of its stream, and how loud. */
export interface Badge {
  text: string;
  /** live: red; warn: amber; quiet: grey. */
  tone: 'live' | 'warn' | 'quiet';
}

/**
 * badge names state for a tile; drawn says whether the tile has shown a
 * picture before, so that connecting again reads RECONNECTING.
 */
export function badge(state: ViewerState, drawn: boolean): Badge {
  switch (state) {
    case 'connecting':
      return { text: drawn ? 'RECONNECTING' : 'CONNECTING', tone: drawn ? 'warn' : 'quiet' };
    case 'live':
      return { text: '● LIVE', tone: 'live' };
    case 'no-signal':
      return { text: 'NO SIGNAL', tone: 'warn' };
    case 'off':
      return { text: 'OFF', tone: 'quiet' };
    case 'unauthorized':
      return { text: 'INVALID LINK', tone: 'quiet' };
    case 'replaced':
      return { text: 'LINK REPLACED', tone: 'quiet' };
    case 'revoked':
      return { text: 'LINK REVOKED', tone: 'quiet' };
    case 'expired':
      return { text: 'LINK EXPIRED', tone: 'quiet' };
    case 'waiting':
      return { text: 'WAITING', tone: 'warn' };
    case 'moved':
      return { text: 'MOVED', tone: 'warn' };
    case 'offline':
      return { text: 'OFFLINE', tone: 'warn' };
    case 'paused':
      return { text: 'PAUSED', tone: 'quiet' };
  }
}
