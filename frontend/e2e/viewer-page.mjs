// Helpers for the viewer page's e2e tests (viewer-controls and
// viewer-renditions): reading the control bar and the rendition menu, and
// a hello with a full ladder.

/** AUTO_HIDE_MS as in src/page/autohide.ts. */
export const AUTO_HIDE_MS = 2500;

/** controls reads whether the bar is up, as data-controls and as what is painted and takes pointers. */
export function controls(page) {
  return page.evaluate(() => {
    const bar = document.getElementById('controls');
    const cs = getComputedStyle(bar);
    return { attr: document.getElementById('viewer').dataset.controls, opacity: Number(cs.opacity), pointerEvents: cs.pointerEvents };
  });
}

/** waitControls waits until the bar is fully shown (true) or fully gone (false). */
export async function waitControls(page, shown, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await controls(page);
    const up = last.attr === 'shown' && last.opacity === 1 && last.pointerEvents !== 'none';
    const gone = last.attr === 'hidden' && last.opacity === 0 && last.pointerEvents === 'none';
    if (shown ? up : gone) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for the controls ${what}; last: ${JSON.stringify(last)}`);
}

/** menu reads the rendition menu. */
export function menu(page) {
  return page.evaluate(() => {
    const select = document.getElementById('rendition');
    return {
      shown: select.checkVisibility(),
      value: select.value,
      options: [...select.options].map((o) => o.textContent),
      rendition: document.getElementById('viewer').dataset.rendition ?? null,
    };
  });
}

/** askedFor is the rendition a socket URL asks for; null: auto. */
export const askedFor = (url) => new URL(url).searchParams.get('rendition');

/** LADDER is the renditions routeWithLadder's hello offers. */
export const LADDER = [
  { name: '720p', w: 1280, h: 720, quality: 80 },
  { name: '360p', w: 640, h: 360, quality: 70 },
  { name: '240p', w: 426, h: 240, quality: 60 },
  { name: '180p', w: 320, h: 180, quality: 50 },
];

/**
 * routeWithLadder sends the page's WebSocket through the test to the real
 * server and back, adding to hello the ladder LADDER (and the rendition the
 * socket asked for), and to each frame the rendition the server would send:
 * the pinned one, or 360p under auto, as if it had moved this viewer down.
 * A socket asking for a name not on the ladder is refused, as the server
 * refuses it. It records each socket's URL.
 */
export async function routeWithLadder(page) {
  const urls = [];
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    urls.push(ws.url());
    const asked = new URL(ws.url()).searchParams.get('rendition') ?? 'auto';
    if (asked !== 'auto' && !LADDER.some((r) => r.name === asked)) {
      ws.close({ code: 1002, reason: 'no such rendition' });
      return;
    }
    const frameRendition = asked === 'auto' ? '360p' : asked;
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (typeof m === 'string') {
        const ev = JSON.parse(m);
        if (ev.type === 'hello') Object.assign(ev, { renditions: LADDER, rendition: asked });
        ws.send(JSON.stringify(ev));
        return;
      }
      const n = m.readUInt32BE(0);
      const header = JSON.parse(m.subarray(4, 4 + n).toString('utf8'));
      // Absent means the stream's own size, as the server sends it.
      if (frameRendition !== LADDER[0].name) header.rendition = frameRendition;
      const json = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(4);
      len.writeUInt32BE(json.length);
      ws.send(Buffer.concat([len, json, m.subarray(4 + n)]));
    });
  });
  return urls;
}
