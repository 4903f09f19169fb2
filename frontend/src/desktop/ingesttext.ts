// Pure helpers of the external producer panel (ingest.ts): what its status
// line says for the stream's state, and the token kept out of sight.

/** INGEST is the source spec of a camera fed by an external producer. */
export const INGEST = 'ingest';

/** IngestView is the panel's status line: a tone for the dot, the state and a detail. */
export interface IngestView {
  tone: 'ok' | 'warn' | 'off';
  label: string;
  detail: string;
}

/**
 * ingestView says whether a producer is sending, from the engine's state and
 * error (app.AppStats): NO SIGNAL is the engine waiting for one, before it
 * connects, after it leaves, or after it stops sending. The detail is the
 * engine's reason when it says more than the label.
 */
export function ingestView(state: string, error: string): IngestView {
  switch (state) {
    case 'live':
      return { tone: 'ok', label: 'Producer connected', detail: '' };
    case 'no-signal': {
      // The engine's reason for want of a producer only repeats the label.
      const detail = /waiting for the producer/i.test(error) ? '' : error.trim();
      return { tone: 'warn', label: 'Waiting for the producer', detail };
    }
    case 'off':
      return { tone: 'off', label: 'Camera off: no producer is taken', detail: '' };
    case 'idle':
      return { tone: 'off', label: 'Idle: nobody is watching', detail: '' };
    default:
      return { tone: 'off', label: '…', detail: '' };
  }
}

/** TOKEN_MASK stands for a hidden token: the same few dots whatever its length. */
export const TOKEN_MASK = '••••••••';

/** hideToken is text with every copy of token in it replaced by TOKEN_MASK. */
export function hideToken(text: string, token: string): string {
  return token === '' ? text : text.split(token).join(TOKEN_MASK);
}

/**
 * snippetOf is the three lines to paste into a Python script around Go's
 * Publisher line: the import, the publisher, a send.
 */
export function snippetOf(publisher: string): string {
  return publisher ? `import framecast\npub = ${publisher}\npub.send(frame, detections)` : '';
}
