import { describe, expect, it } from 'vitest';
import { TOKEN_MASK, hideToken, ingestView } from './ingesttext';

describe('ingestView', () => {
  const cases: Array<[string, string, string, string, string, string]> = [
    ['says the producer is connected while frames come', 'live', '', 'ok', 'Producer connected', ''],
    ['says it waits for a producer under NO SIGNAL', 'no-signal', 'waiting for the producer', 'warn', 'Waiting for the producer', ''],
    ['does not repeat the waiting reason when Go words it with context', 'no-signal', 'source ingest: Waiting for the producer', 'warn', 'Waiting for the producer', ''],
    ['gives any other reason as the detail', 'no-signal', 'no frame for 2 s', 'warn', 'Waiting for the producer', 'no frame for 2 s'],
    ['says an off camera takes no producer', 'off', '', 'off', 'Camera off: no producer is taken', ''],
    ['says so when nobody watches', 'idle', '', 'off', 'Idle: nobody is watching', ''],
    ['claims nothing before the first state', '', '', 'off', '…', ''],
  ];
  for (const [name, state, error, tone, label, detail] of cases) {
    it(name, () => expect(ingestView(state, error)).toEqual({ tone, label, detail }));
  }
});

describe('hideToken', () => {
  const token = 'Xk3f9aQ2-_pLm7Zt0wQz0w';
  it('hides every copy of the token', () => {
    const snippet = `pub = framecast.Publisher("ws://10.0.0.5:8188/ingest/camera?token=${token}", publish_token="${token}")`;
    const hidden = hideToken(snippet, token);
    expect(hidden).not.toContain(token);
    expect(hidden).toBe(`pub = framecast.Publisher("ws://10.0.0.5:8188/ingest/camera?token=${TOKEN_MASK}", publish_token="${TOKEN_MASK}")`);
  });
  it('leaves text without the token, or with no token to hide, as it is', () => {
    expect(hideToken('import framecast', token)).toBe('import framecast');
    expect(hideToken('import framecast', '')).toBe('import framecast');
  });
});
