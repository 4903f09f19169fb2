// End-to-end for the old setup against `framecast relay --legacy-ingest`,
// unchanged: the old Python OpenCV producer (old-setup/producer.py, run by
// Debian's python3 with python3-opencv and python3-websockets) sends
// "img=sq=data:image/jpeg;base64,…" then "a1=sq=<boxes>" to the relay's root,
// and a page written for the old Node.js relay, on a site of its own, connects
// to that same root in Chromium. Both start orders: page first, producer first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, repoRoot, startRelay } from './harness.mjs';

const rand = () => Math.random().toString(36).slice(2, 10);
const PUBLISH = `legacy-publish-${rand()}-${rand()}`;
const PYTHON = process.env.LEGACY_PYTHON || '/usr/bin/python3';
const producerScript = path.join(repoRoot, 'frontend', 'e2e', 'old-setup', 'producer.py');
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'legacy.png');
// The producer draws a 120×100 box of this colour on this background (RGB).
const BOX_RGB = [255, 200, 0];
const BG_RGB = [20, 60, 120];

/**
 * oldPage is the viewer page as it was written for the old Node.js relay:
 * connect to the relay's root, say hello, split every message on "=sq=".
 * The window.* counters are only there for the test to read.
 */
function oldPage(wsUrl) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Camera</title>
<style>
  body { font-family: sans-serif; background: #eee; }
  #view { position: relative; display: inline-block; }
  #img { display: block; width: 640px; height: 360px; background: #000; }
  .box { position: absolute; border: 3px solid #f0f; box-sizing: border-box; }
</style></head>
<body>
<h3>Camera</h3>
<div id="view"><img id="img" alt="camera"><div id="boxes"></div></div>
<p>Status: <span id="status">connecting</span></p>
<p>a1: <code id="a1"></code></p>
<script>
  var img = document.getElementById('img');
  var counts = {};        // messages per key
  var keys = [];          // the last keys, in order of arrival
  var pairs = [];         // each a1 that came right after a picture, with that picture
  window.counts = counts; window.keys = keys; window.pairs = pairs;
  window.opened = false; window.wsClosed = false;

  var ws = new WebSocket(${JSON.stringify(wsUrl)});
  ws.onopen = function () {
    window.opened = true;
    document.getElementById('status').textContent = 'connected';
    ws.send('Hello WebSockets!');
  };
  ws.onclose = function () {
    window.wsClosed = true;
    document.getElementById('status').textContent = 'closed';
  };
  ws.onmessage = function (event) {
    var parts = event.data.split('=sq=');
    var key = parts[0], value = parts[1];
    counts[key] = (counts[key] || 0) + 1;
    var previous = keys[keys.length - 1];
    keys.push(key);
    if (keys.length > 2000) keys.shift();
    if (key === 'img') {
      img.src = value;
    } else if (key === 'a1') {
      document.getElementById('a1').textContent = value;
      var boxes = JSON.parse(value);
      var html = '';
      for (var i = 0; i < boxes.length; i++) {
        var b = boxes[i];
        html += '<div class="box" style="left:' + b[0] + 'px;top:' + b[1] + 'px;width:' + b[2] + 'px;height:' + b[3] + 'px"></div>';
      }
      document.getElementById('boxes').innerHTML = html;
      if (previous === 'img') {
        pairs.push({ src: img.src, a1: value });
        if (pairs.length > 20) pairs.shift();
      }
    }
  };
</script>
</body></html>`;
}

/**
 * pairsMatch runs in the page: it decodes each picture that an a1 followed
 * and checks that the a1 box sits on the drawn box, edge by edge (the box
 * moves 8 px a frame, so a neighbour's boxes would miss its edges).
 */
async function pairsMatch({ box, bg }) {
  const near = (px, rgb) => Math.abs(px[0] - rgb[0]) <= 40 && Math.abs(px[1] - rgb[1]) <= 40 && Math.abs(px[2] - rgb[2]) <= 40;
  const out = [];
  for (const { src, a1 } of window.pairs) {
    const im = new Image();
    im.src = src;
    await im.decode();
    const c = document.createElement('canvas');
    c.width = im.naturalWidth;
    c.height = im.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(im, 0, 0);
    const at = (x, y) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
    const bad = [];
    for (const [x, y, w, h] of JSON.parse(a1)) {
      const my = Math.round(y + h / 2);
      const mx = Math.round(x + w / 2);
      const probes = [
        [x + 4, my, box], [x + w - 5, my, box], [mx, y + 4, box], [mx, y + h - 5, box],
        [x - 5, my, bg], [x + w + 4, my, bg], [mx, y - 5, bg], [mx, y + h + 4, bg],
      ];
      for (const [px, py, want] of probes) {
        if (px < 0 || py < 0 || px >= c.width || py >= c.height) continue;
        const got = at(px, py);
        if (!near(got, want)) bad.push({ px, py, got, want });
      }
    }
    out.push({ a1, bad });
  }
  return out;
}

describe('the old Python producer and an old page on `framecast relay --legacy-ingest`', () => {
  let relay;
  let viewToken;
  let oldSite;
  let oldSiteUrl;
  let browser;
  const producers = [];
  let producersSeen = 0; // producers started, each of which the relay should log as connected once

  /** stateUrl is the legacy stream's /api/state on the relay. */
  const stateUrl = () => `${relay.base}/s/default/api/state?token=${encodeURIComponent(viewToken)}`;
  const relayState = async () => {
    const res = await fetch(stateUrl(), { signal: AbortSignal.timeout(2000) });
    assert.equal(res.status, 200, `api/state: ${res.status}`);
    return res.json();
  };
  const legacyViewers = (state) => (state.viewers ?? []).filter((v) => v.kind === 'legacy');
  const logs = () => `\n--- relay log:\n${relay?.log()}\n--- producer logs:\n${producers.map((p) => p.log()).join('\n---\n')}`;

  /** waitUntil polls fn until it returns something truthy, and returns that. */
  async function waitUntil(fn, what, ms) {
    const deadline = Date.now() + ms;
    let lastErr;
    for (;;) {
      const v = await fn().catch((err) => { lastErr = err; return false; });
      if (v) return v;
      if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}${lastErr ? ` (last error: ${lastErr.message})` : ''}${logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** startProducer runs the old producer script against the relay's root. */
  function startProducer() {
    const proc = spawn(PYTHON, [producerScript, `ws://127.0.0.1:${relay.port}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONPATH: '', PYTHONHOME: '' },
    });
    let log = '';
    const keep = (chunk) => { log = (log + chunk).slice(-4000); };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    const exited = once(proc, 'exit');
    const p = {
      proc,
      log: () => log,
      running: () => proc.exitCode === null && proc.signalCode === null,
      async kill(signal = 'SIGTERM') {
        if (p.running()) proc.kill(signal);
        await exited;
      },
    };
    producers.push(p);
    producersSeen++;
    return p;
  }

  /** openOldPage opens the old page in Chromium and waits for its socket to open. */
  async function openOldPage(t) {
    const page = await browser.context.newPage();
    t.after(() => page.close());
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await page.goto(oldSiteUrl);
    await page.waitForFunction(() => window.opened || window.wsClosed, undefined, { timeout: 10_000, polling: 100 });
    assert.equal(await page.evaluate(() => window.opened && !window.wsClosed), true, `the old page's socket did not open${logs()}`);
    return { page, errors };
  }

  /** watchPictures checks that the page shows the producer's pictures, with their a1 boxes. */
  async function watchPictures(page, producer) {
    const first = await page.waitForFunction(
      () => {
        const img = document.getElementById('img');
        return img.complete && img.naturalWidth === 640 && (window.counts.a1 ?? 0) >= 1 &&
          { w: img.naturalWidth, h: img.naturalHeight, src: img.src.slice(0, 27) };
      },
      undefined,
      { timeout: 15_000, polling: 100 },
    ).catch((err) => assert.fail(`no picture on the old page: ${err.message}; producer running: ${producer.running()}${logs()}`));
    // "/9j/" is FF D8 FF, the start of every JPEG, in base64.
    assert.deepEqual(await first.jsonValue(), { w: 640, h: 360, src: 'data:image/jpeg;base64,/9j/' });

    // The pictures keep changing, and a1 values keep coming with them.
    const before = await page.evaluate(() => ({ src: document.getElementById('img').src, counts: { ...window.counts } }));
    await page.waitForFunction(
      (b) => document.getElementById('img').src !== b.src && window.counts.img >= b.counts.img + 20 && window.counts.a1 >= b.counts.a1 + 20,
      before,
      { timeout: 10_000, polling: 100 },
    ).catch((err) => assert.fail(`pictures stopped changing: ${err.message}${logs()}`));

    // Every picture is followed by its a1 and by nothing else (the producer
    // sends them in that order), and nothing but img and a1 comes.
    const { keys, counts, a1Text } = await page.evaluate(() => ({ keys: window.keys, counts: window.counts, a1Text: document.getElementById('a1').textContent }));
    assert.deepEqual(Object.keys(counts).sort(), ['a1', 'img'], `keys seen: ${JSON.stringify(counts)}`);
    const last = keys.length - 1; // the newest picture's a1 may still be on its way
    const lonely = keys.map((k, i) => (k === 'img' && i < last && keys[i + 1] !== 'a1' ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(lonely, [], `pictures not followed by their a1, at ${lonely.slice(0, 10)} of ${keys.length}: ${keys.slice(0, 40)}`);
    assert.match(a1Text, /^\[\[\d+, \d+, 120, 100\]\]$/, 'the a1 value is the producer\'s JSON list of boxes');

    // And the a1 that follows a picture describes that picture, not another.
    const pairs = await page.evaluate(pairsMatch, { box: BOX_RGB, bg: BG_RGB });
    assert.ok(pairs.length >= 10, `only ${pairs.length} picture+a1 pairs`);
    const wrong = pairs.filter((p) => p.bad.length > 0);
    assert.deepEqual(wrong, [], 'a1 boxes that do not sit on the box of the picture before them');
    return counts;
  }

  /** checkState: the relay got pictures, the page is its one legacy viewer, the producer is none. */
  async function checkState(t) {
    const state = await waitUntil(async () => {
      const s = await relayState();
      return s.received > 0 && s.captureFps > 0 && legacyViewers(s).length === 1 && s;
    }, 'received > 0 and one legacy viewer in api/state', 10_000);
    assert.equal(state.state, 'live');
    assert.ok(state.captureFps > 5, `captureFps ${state.captureFps}; the producer sends about 18 a second`);
    assert.deepEqual(state.viewers.map((v) => v.kind), ['legacy'], `viewers ${JSON.stringify(state.viewers)}: only the page, not the producer`);
    assert.equal(state.width, 640);
    assert.equal(state.height, 360);
    assert.ok(!state.refused, `the relay refused ${state.refused} producer messages: ${state.lastRefusal}`);
    // The producer connected once and is still there: the relay never dropped it.
    const log = relay.log();
    assert.equal(log.split('old-style producer connected').length - 1, producersSeen, `producer connections in the relay log${logs()}`);
    assert.equal(log.split('old-style producer gone').length - 1, producersSeen - 1, `producers gone in the relay log${logs()}`);
    assert.doesNotMatch(log, /level=ERROR/, `errors in the relay log${logs()}`);
    const [v] = state.viewers;
    t.diagnostic(`relay: received ${state.received}, capture ${state.captureFps.toFixed(1)} fps, output ${state.outputFps.toFixed(1)} fps, ` +
      `sent ${state.sent}, dropped ${state.dropped}; legacy viewer ${v.addr} at ${v.fps.toFixed(1)} fps, ${v.drops} drops`);
    return state;
  }

  /** stopProducer stops the producer and checks that the relay and the page stay up. */
  async function stopProducer(producer, page) {
    assert.ok(producer.running(), `the producer exited by itself:\n${producer.log()}`);
    await producer.kill();
    const res = await fetch(`${relay.base}/healthz`, { signal: AbortSignal.timeout(2000) });
    assert.equal(res.status, 200);
    assert.equal(relay.proc.exitCode, null, 'relay still running');
    // The relay lets the producer go; the old page stays connected, waiting for the next.
    const state = await waitUntil(async () => {
      const s = await relayState();
      return s.state === 'no-signal' && s;
    }, 'the relay to see the producer gone (state no-signal)', 10_000);
    assert.deepEqual(state.viewers.map((v) => v.kind), ['legacy'], `viewers after the producer left: ${JSON.stringify(state.viewers)}`);
    assert.equal(await page.evaluate(() => window.opened && !window.wsClosed), true, 'the old page is still connected');
  }

  before(async () => {
    relay = await startRelay({ publishToken: PUBLISH, args: ['--legacy-ingest'] });
    // The relay prints Framecast's own page for the legacy stream, with its view token.
    const m = await waitUntil(async () => relay.log().match(/Framecast's page: \S+\/s\/default\/\?token=(\S+)/), "the relay's \"Framecast's page\" line", 5000);
    viewToken = m[1];
    // The old page lives on its own site, as such pages do.
    const wsUrl = `ws://127.0.0.1:${relay.port}/`;
    oldSite = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(oldPage(wsUrl));
    });
    oldSite.listen(0, '127.0.0.1');
    await once(oldSite, 'listening');
    oldSiteUrl = `http://127.0.0.1:${oldSite.address().port}/`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const p of producers) await p.kill('SIGKILL');
    if (oldSite) await new Promise((r) => oldSite.close(r));
    await relay?.kill();
  });

  test('page first: an old page opened before the producer shows its pictures once it sends', async (t) => {
    const { page, errors } = await openOldPage(t);
    // Connected, counted as a viewer of the stream, and nothing yet.
    await waitUntil(async () => legacyViewers(await relayState()).length === 1, 'the page as a legacy viewer', 5000);
    const idle = await relayState();
    assert.ok(!idle.received, `received ${idle.received} before any producer`);
    assert.deepEqual(await page.evaluate(() => window.counts), {}, 'no messages before the producer');

    const producer = startProducer();
    t.after(() => producer.kill('SIGKILL')); // so that a failed test leaves no producer to the next
    await watchPictures(page, producer);
    await checkState(t);
    await stopProducer(producer, page);
    assert.deepEqual(errors, []);
  });

  test('producer first: an old page opened while the producer sends shows its pictures', async (t) => {
    const before = (await relayState()).received ?? 0;
    const producer = startProducer();
    t.after(() => producer.kill('SIGKILL')); // so that a failed test leaves no producer to the next
    // The producer is taken as the producer, and is no viewer.
    const state = await waitUntil(async () => {
      const s = await relayState();
      return (s.received ?? 0) > before && s;
    }, 'the producer\'s pictures at the relay', 15_000);
    assert.deepEqual(state.viewers ?? [], [], `viewers with only the producer connected: ${JSON.stringify(state.viewers)}`);

    const { page, errors } = await openOldPage(t);
    await watchPictures(page, producer);
    await checkState(t);

    await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });

    await stopProducer(producer, page);
    assert.deepEqual(errors, []);
  });
});
