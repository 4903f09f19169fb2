// End-to-end: the grid page of several streams in Debian's Chromium, against
// the real `framecast serve --config` with four test-pattern streams (one
// with motion boxes). Checks what a person would see: a tile each, in the
// config's order, every one drawing moving pictures on the rendition that
// fits it; a tile (mouse or keyboard) opens that stream's full viewer; only
// the tiles in view stream; a wrong link says so.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, repoRoot, startConfigured, waitForViewer } from './harness.mjs';

const TOKEN = crypto.randomBytes(24).toString('base64url').slice(0, 32);
const NAMES = ['line-1', 'line-2', 'line-3', 'line-4'];
const ADMIN = crypto.randomBytes(24).toString('base64url').slice(0, 32);
const CONFIG = `addr: 127.0.0.1:0
token: ${TOKEN}
admin_token: ${ADMIN}
streams:
  line-1:
    source: test
  line-2:
    source: test
    process: motion
  line-3:
    source: test
  line-4:
    source: test
`;
const shots = path.join(repoRoot, 'build', 'e2e');

/** tiles reads each tile as the page shows it, in the page's order. */
function tiles(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#tiles > li.tile')].map((t) => {
      const canvas = t.querySelector('canvas');
      const fps = /([\d.]+) fps/.exec(t.querySelector('.tile-stats')?.textContent ?? '');
      return {
        name: t.querySelector('.tile-name')?.textContent ?? '',
        href: t.querySelector('a')?.href ?? '',
        state: t.dataset.state,
        frames: Number(t.dataset.frames ?? 0),
        rendition: t.dataset.rendition ?? null,
        boxes: JSON.parse(t.dataset.boxes ?? '[]').length,
        fps: fps ? Number(fps[1]) : 0,
        badge: t.querySelector('.tile-badge')?.textContent ?? '',
        frameWidth: canvas?.width ?? 0,
        shownWidth: canvas?.getBoundingClientRect().width ?? 0,
      };
    }),
  );
}

/** waitTiles waits until predicate(tiles) holds, or fails with the last tiles. */
async function waitTiles(page, predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await tiles(page);
    if (last.length > 0 && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; tiles: ${JSON.stringify(last, null, 1)}`);
}

/** picture is a fingerprint of tile i's canvas: it changes when a new frame is drawn. */
function picture(page, i) {
  return page.evaluate((n) => {
    const canvas = document.querySelectorAll('#tiles canvas')[n];
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let h = 0;
    for (let k = 0; k < data.length; k += 4 * 7) h = (h * 31 + data[k] + data[k + 1] * 3 + data[k + 2] * 7) | 0;
    return `${canvas.width}x${canvas.height}:${h}`;
  }, i);
}

/** tapSockets records each WebSocket the page opens and the hello it got. */
function tapSockets(page) {
  const sockets = [];
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), hello: null, closed: false };
    sockets.push(s);
    ws.on('framereceived', ({ payload }) => {
      if (s.hello !== null || typeof payload !== 'string') return;
      const msg = JSON.parse(payload);
      if (msg.type === 'hello') s.hello = msg;
    });
    ws.on('close', () => {
      s.closed = true;
    });
  });
  return sockets;
}

const setHidden = (page, hidden) =>
  page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

describe('the grid page of four streams', () => {
  let server;
  let browser;
  const errors = [];
  before(async () => {
    server = await startConfigured(CONFIG);
    browser = await launchBrowser([], { viewport: { width: 1440, height: 900 } });
    await fs.mkdir(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.kill();
    assert.deepEqual(errors, []);
  });
  const open = async (viewport) => {
    const page = await browser.context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('pageerror', (err) => errors.push(err.message));
    return page;
  };

  test('/api/streams lists the streams the token opens, in the config order, and refuses a wrong token', async () => {
    const res = await fetch(`${server.base}/api/streams?token=${TOKEN}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { streams: NAMES.map((name) => ({ name, path: `s/${name}/` })) });
    assert.equal((await fetch(`${server.base}/api/streams?token=wrong-${TOKEN}`)).status, 401);
  });

  test('shows a tile each, every one drawing moving pictures with fps on the small rendition, boxes on the motion stream', async () => {
    const page = await open();
    const sockets = tapSockets(page);
    const res = await page.goto(`${server.base}/?token=${TOKEN}`);
    assert.equal(res.status(), 200);
    await page.waitForSelector('#grid[data-state="tiles"]', { timeout: 10_000 });
    assert.equal(await page.evaluate(() => `${document.getElementById('grid').dataset.cols}×${document.getElementById('grid').dataset.rows}`), '2×2');

    const live = await waitTiles(page, (ts) => ts.every((t) => t.state === 'live' && t.frames > 30 && t.rendition !== null), 30_000, 'every tile live, 30 frames drawn');
    assert.deepEqual(live.map((t) => t.name), NAMES);
    for (const t of live) {
      const href = new URL(t.href);
      assert.equal(href.pathname, `/s/${t.name}/`);
      assert.equal(href.searchParams.get('token'), TOKEN);
    }

    // Each tile is about 660 CSS pixels wide at a device pixel a CSS pixel:
    // it takes 360p (640×360), not the stream's 1280×720.
    for (const t of live) {
      assert.equal(t.rendition, '360p', `${t.name} draws ${t.rendition}`);
      assert.equal(t.frameWidth, 640, `${t.name}'s frames are ${t.frameWidth} wide`);
      assert.ok(t.shownWidth >= t.frameWidth && t.shownWidth < 1280, `${t.name} is shown ${t.shownWidth} wide`);
    }
    // What each tile's socket asked for, and of which stream the server says it is.
    const openSockets = sockets.filter((s) => !s.closed);
    assert.equal(openSockets.length, NAMES.length, `open sockets: ${JSON.stringify(sockets.map((s) => s.url))}`);
    for (const name of NAMES) {
      const s = openSockets.find((x) => new URL(x.url).pathname === `/s/${name}/ws`);
      assert.ok(s, `no open socket of ${name}: ${JSON.stringify(openSockets.map((x) => x.url))}`);
      assert.equal(new URL(s.url).searchParams.get('rendition'), '360p');
      assert.equal(s.hello?.stream, name);
    }

    // Every tile's picture moves, and its overlay counts frames a second.
    const before = await Promise.all(NAMES.map((_, i) => picture(page, i)));
    const drawn = (await tiles(page)).map((t) => t.frames);
    await waitTiles(page, (ts) => ts.every((t, i) => t.fps > 0 && t.frames > drawn[i] + 5), 10_000, 'five more frames and fps in every overlay');
    const after = await Promise.all(NAMES.map((_, i) => picture(page, i)));
    NAMES.forEach((name, i) => assert.notEqual(after[i], before[i], `${name}'s picture did not change`));

    // The motion stream's tile draws boxes; the others have none to draw.
    const boxed = await waitTiles(page, (ts) => ts[1].boxes > 0, 15_000, 'boxes on line-2');
    assert.equal(boxed[0].boxes, 0);
    assert.match(await page.locator('#tiles > li').nth(1).locator('.tile-counts').textContent(), /motion/);

    await page.waitForTimeout(1200); // a full fps window in every overlay
    const shown = await tiles(page);
    console.log(`grid 2×2 at 1440×900: ${shown.map((t) => `${t.name} ${t.fps} fps ${t.rendition}`).join(', ')}`);
    await page.screenshot({ path: path.join(shots, 'grid-1440x900.png') });

    // A smaller window: tiles 402 pixels wide, narrower than 240p's 426, take 180p once the resize settles.
    await page.setViewportSize({ width: 900, height: 600 });
    await waitTiles(page, (ts) => ts.every((t) => t.state === 'live' && t.rendition === '180p' && t.frameWidth === 320), 15_000, 'every tile on 180p');
    await page.close();
  });

  test('a stream added or removed on the server (runtime API) appears and goes without a reload, the others streaming on', async () => {
    const page = await open();
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitTiles(page, (ts) => ts.length === 4 && ts.every((t) => t.frames > 0), 30_000, 'four live tiles');
    const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
    const add = await fetch(`${server.base}/api/streams`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'dock', width: 320, height: 180 }) });
    assert.equal(add.status, 201, await add.text());
    const before = (await tiles(page)).find((t) => t.name === 'line-1').frames;
    let ts = await waitTiles(page, (ts) => ts.length === 5 && ts[4].name === 'dock' && ts[4].frames > 0, 30_000, 'the new stream as a fifth live tile');
    assert.ok(ts[0].frames > before, 'line-1 kept streaming (its tile was not rebuilt)');
    const del = await fetch(`${server.base}/api/streams/dock`, { method: 'DELETE', headers: admin });
    assert.equal(del.status, 204);
    ts = await waitTiles(page, (ts) => ts.length === 4 && !ts.some((t) => t.name === 'dock'), 30_000, 'the removed stream gone');
    assert.deepEqual(ts.map((t) => t.name), NAMES);
    await page.close();
  });

  test('a tile opens its stream’s full viewer, with the mouse and with the keyboard', async () => {
    const page = await open();
    const sockets = tapSockets(page);
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitTiles(page, (ts) => ts.length === NAMES.length && ts[2].state === 'live', 20_000, 'line-3 live');
    await page.locator('#tiles > li').nth(2).click();
    await page.waitForURL((u) => u.pathname === '/s/line-3/', { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('token'), TOKEN);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 15_000, 'the full viewer of line-3 live');
    const viewerSocket = sockets.at(-1);
    assert.equal(new URL(viewerSocket.url).pathname, '/s/line-3/ws');
    assert.equal(viewerSocket.hello?.stream, 'line-3');

    await page.goBack();
    await waitTiles(page, (ts) => ts.length === NAMES.length, 10_000, 'the grid again');
    // The first stop of the page's tab order is the first tile's link.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('li.tile')?.dataset.stream), 'line-1');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/s/line-1/', { timeout: 10_000 });
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 15_000, 'the full viewer of line-1 live');
    await page.close();
  });

  test('only the tiles in view stream: one scrolled out of view pauses, and streams again when back', async () => {
    // A small window, 390×500: the tiles stack, and two are below the fold.
    const page = await open({ width: 390, height: 500 });
    const sockets = tapSockets(page);
    await page.goto(`${server.base}/?token=${TOKEN}`);
    const first = await waitTiles(page, (ts) => ts[0].state === 'live' && ts[0].frames > 10 && ts[3].state === 'paused', 20_000, 'the first tile live, the last paused');
    assert.equal(first[3].frames, 0, 'the tile out of view drew frames');
    assert.equal(sockets.filter((s) => new URL(s.url).pathname === '/s/line-4/ws').length, 0, 'the tile out of view opened a socket');
    // A tile 366 pixels wide takes 320×180.
    assert.equal(first[0].rendition, '180p');

    await page.locator('#tiles > li').nth(3).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const scrolled = await waitTiles(page, (ts) => ts[3].state === 'live' && ts[3].frames > 10 && ts[0].state === 'paused', 20_000, 'the last tile live, the first paused');
    const line1 = sockets.filter((s) => new URL(s.url).pathname === '/s/line-1/ws');
    assert.ok(line1.length > 0 && line1.every((s) => s.closed), 'the first tile kept its socket open out of view');
    await page.waitForTimeout(500);
    const still = await tiles(page);
    assert.ok(still[0].frames - scrolled[0].frames <= 1, `the first tile drew out of view: ${scrolled[0].frames} → ${still[0].frames}`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await waitTiles(page, (ts) => ts[0].state === 'live' && ts[0].frames > still[0].frames + 5, 20_000, 'the first tile live again');
    await page.close();
  });

  test('a hidden tab stops every tile, and shown again they stream', async () => {
    const page = await open();
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitTiles(page, (ts) => ts.every((t) => t.state === 'live' && t.frames > 5), 20_000, 'every tile live');
    await setHidden(page, true);
    const paused = await waitTiles(page, (ts) => ts.every((t) => t.state === 'paused'), 5_000, 'every tile paused');
    await page.waitForTimeout(500);
    const still = await tiles(page);
    still.forEach((t, i) => assert.ok(t.frames - paused[i].frames <= 1, `${t.name} drew while hidden`));
    await setHidden(page, false);
    await waitTiles(page, (ts) => ts.every((t, i) => t.state === 'live' && t.frames > still[i].frames + 5), 20_000, 'every tile live again');
    await page.close();
  });

  test('a wrong or missing token says the link is not valid', async () => {
    for (const query of [`?token=wrong-${TOKEN}`, '']) {
      const page = await open();
      await page.goto(`${server.base}/${query}`);
      await page.waitForFunction(() => /This link is not valid/.test(document.body.innerText), null, { timeout: 10_000 });
      await page.close();
    }
    // The grid page's own sentence, when the list is refused after the page
    // came (the token changed since): the real server's 401 to a wrong token.
    const page = await open();
    await page.route('**/api/streams?*', (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('token', `wrong-${TOKEN}`);
      return route.continue({ url: url.toString() });
    });
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await page.waitForSelector('#grid[data-state="unauthorized"]', { timeout: 10_000 });
    assert.match(await page.locator('#grid-message').textContent(), /This link is not valid/);
    assert.ok(await page.locator('#grid-message').isVisible());
    assert.equal(await page.locator('#tiles > li').count(), 0);
    await page.close();
  });
});
