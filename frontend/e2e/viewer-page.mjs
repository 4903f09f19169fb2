// Helpers for the viewer page's e2e tests (viewer-controls,
// viewer-renditions and viewer-h264): reading the control bar and the
// rendition menu, a hello with a full ladder, a socket tapped (and frames
// damaged) on its way, the frames drawn, and the pictures shown and saved.
import fs from 'node:fs/promises';

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

/**
 * tapSockets sends the page's WebSocket through the test to the real server
 * and back, and keeps, for each socket in the order they opened, its URL,
 * the header of every frame the server sent on it, and the text messages
 * the page sent (acks, key requests). damage(header, socket) says whether
 * to spoil a frame on its way: every byte of its payload after the first
 * NAL unit's header turned to noise, which Chromium's H.264 decoder
 * refuses. socket.damaged lists the seqs spoilt.
 */
export async function tapSockets(page, damage = () => false) {
  const sockets = [];
  await page.routeWebSocket((url) => url.pathname === '/ws', (ws) => {
    const socket = { url: ws.url(), frames: [], sent: [], damaged: [] };
    sockets.push(socket);
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      socket.sent.push(m);
      server.send(m);
    });
    server.onMessage((m) => {
      if (typeof m === 'string') {
        ws.send(m);
        return;
      }
      const n = m.readUInt32BE(0);
      const header = JSON.parse(m.subarray(4, 4 + n).toString('utf8'));
      socket.frames.push(header);
      if (!damage(header, socket)) {
        ws.send(m);
        return;
      }
      const spoilt = Buffer.from(m);
      let x = header.seq | 1;
      for (let i = 4 + n + 5; i < spoilt.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        spoilt[i] = x >>> 24;
      }
      socket.damaged.push(header.seq);
      ws.send(spoilt);
    });
  });
  return sockets;
}

/** keyRequests counts the {"type":"key"} messages the page sent on a socket from tapSockets. */
export const keyRequests = (socket) => socket.sent.filter((m) => typeof m === 'string' && JSON.parse(m).type === 'key').length;

/**
 * recordDrawn makes the page keep the seq of every frame it draws, in
 * order, in window.drawnSeqs (from data-last-seq, which the viewer sets as
 * it draws). Call it before the page loads.
 */
export async function recordDrawn(page) {
  await page.addInitScript(() => {
    window.drawnSeqs = [];
    document.addEventListener('DOMContentLoaded', () => {
      const root = document.getElementById('viewer');
      // Each record holds the value before its change: the one after is the
      // next record's old value, or the current one.
      new MutationObserver((records) => {
        records.forEach((r, i) => window.drawnSeqs.push(Number(i + 1 < records.length ? records[i + 1].oldValue : root.dataset.lastSeq)));
      }).observe(root, { attributeFilter: ['data-last-seq'], attributeOldValue: true });
    });
  });
}

/** drawnSeqs reads what recordDrawn kept. */
export const drawnSeqs = (page) => page.evaluate(() => window.drawnSeqs);

/**
 * pictureDistance runs in the page: it fetches the server's snapshot (a
 * JPEG of the stream's picture, drawn at the canvas's size) and gives the
 * mean difference, per colour channel out of 255, between it and the
 * canvas. A still source's picture decoded right is within a few levels of
 * it; a broken decode (grey or smeared blocks) is tens away.
 */
export async function pictureDistance(token) {
  const canvas = document.getElementById('screen');
  const res = await fetch(`/snapshot.jpg?token=${encodeURIComponent(token)}`);
  const bitmap = await createImageBitmap(await res.blob());
  const ref = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d');
  ref.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const want = ref.getImageData(0, 0, canvas.width, canvas.height).data;
  const got = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < got.length; i += 4 * 7) {
    for (let c = 0; c < 3; c++) sum += Math.abs(got[i + c] - want[i + c]);
    n += 3;
  }
  return sum / n;
}

/**
 * faceOutline runs in the page: it decodes a JPEG (base64) and counts, along
 * the outline of each face box the viewer last drew, pixels of the face
 * colour. It also gives the picture's size.
 */
export async function faceOutline({ jpegBase64, rgb }) {
  const bytes = Uint8Array.from(atob(jpegBase64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const boxes = JSON.parse(document.getElementById('viewer').dataset.boxes || '[]').filter((d) => d.label === 'face');
  let samples = 0;
  let matching = 0;
  for (const { box } of boxes) {
    const [x, y, w, h] = box.map(Math.round);
    for (let t = 0.3; t <= 0.91; t += 0.05) {
      for (const [px, py] of [[x + 1, Math.round(y + h * t)], [x + w - 2, Math.round(y + h * t)], [Math.round(x + w * t), y + h - 2]]) {
        const i = (py * bitmap.width + px) * 4;
        samples++;
        if (Math.abs(data[i] - rgb[0]) <= 28 && Math.abs(data[i + 1] - rgb[1]) <= 28 && Math.abs(data[i + 2] - rgb[2]) <= 28) matching++;
      }
    }
  }
  return { width: bitmap.width, height: bitmap.height, boxes: boxes.length, samples, matching };
}

/** savedPicture does what starts a download (a click, a key), and returns the file's name and bytes. */
export async function savedPicture(page, act) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 5_000 }), act()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: await fs.readFile(file) };
}
