// End-to-end through the relay: the real binary twice, `framecast relay` and
// `framecast serve --push` into it, and Debian's Chromium as the viewer on
// the relay's side. Checks that the viewer page works under the stream's
// /s/{stream}/ prefix, that a page written for the old Node.js relay still
// gets pictures from ?format=dataurl, and that a replaced link says so.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canvasColours, launchBrowser, repoRoot, startRelay, startServer, viewerState, waitForViewer } from './harness.mjs';

const rand = () => Math.random().toString(36).slice(2, 10);
const PUBLISH = `relay-publish-${rand()}-${rand()}`;
const VIEW = `relay-view-${rand()}-${rand()}`;
const STREAM = 'line1';
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'relay.png');

/** waitUntil polls fn until it returns something truthy, and returns that. */
async function waitUntil(fn, what, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => false);
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** oldPage is a viewer page as the old Python + Node.js setup had them: an <img> fed data URLs. */
function oldPage(wsUrl) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Old viewer</title></head>
<body>
<img id="img" alt="camera">
<script>
  const img = document.getElementById('img');
  const ws = new WebSocket(${JSON.stringify(wsUrl)});
  ws.onmessage = e => img.src = e.data;
</script>
</body></html>`;
}

describe('viewers on the relay of a pushed stream', () => {
  let relay;
  let producer;
  let oldSite;
  let browser;
  const streamUrl = (token, rest = '') => `${relay.base}/s/${STREAM}/${rest}${rest.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const push = (token) =>
    startServer({
      token,
      args: ['--push', `ws://127.0.0.1:${relay.port}/ingest/${STREAM}`, '--publish-token', PUBLISH],
    });
  /** published waits until the relay has the stream with that view token. */
  const published = (token) =>
    waitUntil(async () => (await fetch(streamUrl(token, 'api/state'), { signal: AbortSignal.timeout(2000) })).status === 200, `stream ${STREAM} on the relay`, 15_000);

  before(async () => {
    relay = await startRelay({ publishToken: PUBLISH });
    producer = await push(VIEW);
    await published(VIEW);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    if (oldSite) await new Promise((r) => oldSite.close(r));
    await producer?.kill();
    await relay?.kill();
  });

  test('the viewer page under /s/line1/ draws the pushed frames live, in H.264 where the browser decodes it', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const failed = [];
    page.on('requestfailed', (req) => failed.push(req.url()));
    const res = await page.goto(streamUrl(VIEW));
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), 'Framecast');

    const live = await waitForViewer(page, (v) => v.state === 'live' && v.frames > 30, 10_000, 'more than 30 frames drawn');
    assert.ok(live.lastSeq > 0, `last seq ${live.lastSeq}`);
    // http://127.0.0.1 is a secure context: the page takes H.264, which the
    // relay passes on from the producer's encoder.
    assert.equal(await page.evaluate(() => document.getElementById('viewer')?.dataset.codec), 'h264');
    // Let the fps window fill before reading the overlay.
    await page.waitForTimeout(1200);
    const v = await viewerState(page);
    assert.equal(v.state, 'live');
    assert.match(v.stats, /fps/);
    assert.match(v.stats, /1280×720/, 'resolution shown');
    // The producer's capture time travels end to end, so this is the whole way's latency.
    assert.ok(v.latencyMs < 1000, `data-latency-ms ${v.latencyMs}`);
    assert.equal(v.message, '', 'no status message while live');

    const picture = await canvasColours(page);
    assert.deepEqual([picture.width, picture.height], [1280, 720]);
    assert.ok(picture.distinct > 1, `canvas is one colour (${JSON.stringify(picture)})`);

    // The relay counts this page as a viewer of the stream, and the
    // producer, whose only viewer is this page, encodes no JPEG for it.
    const state = await (await fetch(streamUrl(VIEW, 'api/state'))).json();
    assert.ok(state.viewers.some((x) => x.kind === 'ws'), `no ws viewer in ${JSON.stringify(state.viewers)}`);
    const local = await (await fetch(`${producer.base}/api/state?token=${encodeURIComponent(VIEW)}`)).json();
    const pushes = local.viewers.filter((x) => x.kind === 'push');
    assert.ok(pushes.length > 0 && pushes.every((x) => (x.rendition ?? '').endsWith('@h264')), `the push takes ${JSON.stringify(pushes)}`);

    await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    assert.deepEqual(errors, []);
    assert.deepEqual(failed, [], 'every request of the page (scripts, styles, socket) found its way under the prefix');
    await page.close();
  });

  test('a page written for the old relay gets decoded pictures from ?format=dataurl', async () => {
    const wsUrl = `ws://127.0.0.1:${relay.port}/s/${STREAM}/ws?format=dataurl&token=${encodeURIComponent(VIEW)}`;
    // The old page lives on its own site, as such pages do.
    oldSite = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(oldPage(wsUrl));
    });
    oldSite.listen(0, '127.0.0.1');
    await once(oldSite, 'listening');
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${oldSite.address().port}/`);

    const first = await page.waitForFunction(
      () => {
        const img = document.getElementById('img');
        return img.complete && img.naturalWidth === 1280 && { w: img.naturalWidth, h: img.naturalHeight, src: img.src.slice(0, 27) };
      },
      undefined,
      { timeout: 10_000, polling: 100 },
    );
    const got = await first.jsonValue();
    // "/9j/" is FF D8 FF, the start of every JPEG, in base64.
    assert.deepEqual(got, { w: 1280, h: 720, src: 'data:image/jpeg;base64,/9j/' });
    // And the pictures keep coming.
    const srcA = await page.evaluate(() => document.getElementById('img').src);
    await page.waitForFunction((a) => document.getElementById('img').src !== a, srcA, { timeout: 5000, polling: 100 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a viewer whose link was replaced is told so, not that the relay is unreachable', async () => {
    const page = await browser.context.newPage();
    await page.goto(streamUrl(VIEW));
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 10_000, 'live');

    // The app's "New link": the producer comes back with another view token.
    await producer.kill();
    const rotated = `${VIEW}-rotated`;
    producer = await push(rotated);
    await published(rotated);
    const refused = await waitForViewer(page, (v) => v.state === 'replaced', 15_000, 'replaced');
    assert.match(refused.message, /This link was replaced by a new one/);
    await page.close();
  });

  test('a link opened before its producer waits, trying again, and shows the video once the producer comes', async () => {
    const later = 'later1';
    const token = `relay-later-${rand()}-${rand()}`;
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const url = `${relay.base}/s/${later}/?token=${encodeURIComponent(token)}`;
    const res = await page.goto(url);
    // Refused as any wrong token is (names cannot be enumerated), yet the page is the viewer.
    assert.equal(res.status(), 401);
    const waiting = await waitForViewer(page, (v) => v.state === 'waiting', 15_000, 'waiting');
    assert.match(waiting.message, /Waiting for the stream/);

    const lateProducer = await startServer({
      token,
      args: ['--push', `ws://127.0.0.1:${relay.port}/ingest/${later}`, '--publish-token', PUBLISH],
    });
    try {
      const live = await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 60_000, 'live once the producer came');
      assert.equal(live.message, '');
      const picture = await canvasColours(page);
      assert.ok(picture.distinct > 1, `canvas is one colour (${JSON.stringify(picture)})`);
    } finally {
      await lateProducer.kill();
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
