// End-to-end: the viewer page's timeline in Debian's Chromium. The live
// picture comes from the real server (test source); the recording endpoints
// (api/recordings, api/detections, clip.mp4) come, until the server has them,
// from RECORDING STAND-IN below, a proxy in front of the server that answers
// those three itself and forwards the rest. The tests check what a person
// sees: the timeline with its spans and marks, the label filter, a click that
// plays the recording in place of the live picture, Live (and Esc) back to
// it, Download clip; and no timeline at all for a stream that is not
// recorded.
//
// To move to the real API: start the server with recording on, drop the
// stand-in, and read the clicked start from the server's log or clip
// request instead of standIn.requests.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, repoRoot, startServer, viewerState, waitForViewer, waitUntil as waitFor } from './harness.mjs';
import { layoutFaults } from './layout.mjs';
import { AUTO_HIDE_MS, savedPicture, waitControls } from './viewer-page.mjs';

const TOKEN = 'e2e-timeline-' + Math.random().toString(36).slice(2);
const STREAM = 'line-2';
const MIN = 60_000;
const CLIP_SECONDS = 6;
// Copied to docs/screenshot-timeline.png for the README.
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'timeline-1280x720.png');
const phoneShot = path.join(repoRoot, 'build', 'e2e', 'timeline-phone-360x740.png');

let server;
let dir;
let mp4;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-timeline-'));
  mp4 = path.join(dir, 'clip.mp4');
  // A real H.264 MP4, as the server's clips are: 640×360, 30 fps, 6 s.
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30`, '-t', String(CLIP_SECONDS),
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', mp4,
  ]);
  server = await startServer({ token: TOKEN, args: ['--name', STREAM] });
});
after(async () => {
  await server?.kill();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** timeline reads what the timeline shows. */
const timeline = (page) =>
  page.evaluate(() => {
    const root = document.getElementById('timeline');
    const track = document.getElementById('tl-track');
    const shown = (el) => el.checkVisibility();
    const marks = {};
    for (const m of document.querySelectorAll('#tl-marks .tl-mark')) if (shown(m)) marks[m.dataset.label] = (marks[m.dataset.label] ?? 0) + 1;
    return {
      shown: shown(root),
      spans: [...document.querySelectorAll('#tl-spans .tl-span')].filter(shown).length,
      marks,
      labels: [...document.querySelectorAll('#tl-labels button')].map((b) => ({ label: b.dataset.label, pressed: b.getAttribute('aria-pressed') })),
      min: Number(track.getAttribute('aria-valuemin')),
      max: Number(track.getAttribute('aria-valuemax')),
      time: document.getElementById('tl-time').textContent,
      live: shown(document.getElementById('tl-live')),
      head: shown(document.getElementById('tl-head')) ? parseFloat(document.getElementById('tl-head').style.left) : null,
      download: document.getElementById('tl-download').getAttribute('href'),
      error: document.getElementById('tl-error').hidden ? '' : document.getElementById('tl-error').textContent,
    };
  });

/** picture reads which picture shows, and how far the recorded one has played. */
const picture = (page) =>
  page.evaluate(() => {
    const video = document.getElementById('playback');
    return {
      canvas: document.getElementById('screen').checkVisibility(),
      video: video.checkVisibility(),
      currentTime: video.currentTime,
      videoWidth: video.videoWidth,
      paused: video.paused,
      pill: getComputedStyle(document.querySelector('.pill'), '::before').content,
    };
  });

/** liveAgain waits for the live picture back: the canvas shown, the viewer live, and frames drawn after it. */
async function liveAgain(page) {
  await waitFor(() => picture(page), (p) => p.canvas && !p.video, 5_000, 'the live canvas back in place of the video');
  const before = (await viewerState(page)).frames;
  await waitForViewer(page, (v) => v.state === 'live' && v.frames >= before + 10, 15_000, 'live frames drawn again');
  assert.match((await picture(page)).pill, /LIVE/);
}

describe('the timeline of a recorded stream', () => {
  let standIn;
  let browser;
  let page;
  const errors = [];
  before(async () => {
    standIn = await startRecordingStandIn({ target: server.port, token: TOKEN, mp4, recorded: true });
    browser = await launchBrowser([], { viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${standIn.base}/s/${STREAM}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
    await standIn?.close();
  });

  test('shows the last hour under the picture: the recorded spans, and marks of each label seen', async () => {
    const tl = await waitFor(() => timeline(page), (t) => t.shown && t.marks.face > 0 && t.marks.motion > 0, 10_000, 'the timeline with marks');
    assert.equal(tl.spans, 2);
    assert.deepEqual(tl.labels, [{ label: 'face', pressed: 'true' }, { label: 'motion', pressed: 'true' }]);
    assert.ok(Math.abs(tl.max - tl.min - 60 * MIN) < 1_000, `the track shows ${(tl.max - tl.min) / MIN} min`);
    assert.ok(Math.abs(tl.max - Date.now()) < 15_000, 'the track ends now');
    // It asked beside the stream's page, with the page's token, and marks thinned to the track.
    const asked = standIn.requests.filter((r) => r.path.endsWith('/api/detections'));
    assert.ok(asked.length > 0);
    const q = asked.at(-1).query;
    assert.equal(asked.at(-1).path, `/s/${STREAM}/api/detections`);
    assert.equal(q.get('duration'), '3600s');
    assert.match(q.get('every'), /^\d+s$/);
    assert.equal(q.get('token'), TOKEN);
  });

  test('the label filter hides the marks of a label and brings them back', async () => {
    await page.click('#tl-labels button[data-label="motion"]');
    let tl = await timeline(page);
    assert.equal(tl.marks.motion, undefined, `motion marks still shown: ${JSON.stringify(tl.marks)}`);
    assert.ok(tl.marks.face > 0);
    assert.deepEqual(tl.labels.map((l) => l.pressed), ['true', 'false']);
    await page.click('#tl-labels button[data-label="motion"]');
    tl = await timeline(page);
    assert.ok(tl.marks.motion > 0 && tl.marks.face > 0);
  });

  test('zoom shows 10 minutes, or 24 hours, and asks for marks to fit', async () => {
    await page.click('button[data-zoom="600000"]');
    let tl = await timeline(page);
    assert.ok(Math.abs(tl.max - tl.min - 10 * MIN) < 1_000, `10 min zoom shows ${(tl.max - tl.min) / MIN} min`);
    await waitFor(() => standIn.requests.at(-1), (r) => r.query.get('duration') === '600s', 5_000, 'marks asked for 10 min');
    await page.click('button[data-zoom="86400000"]');
    tl = await timeline(page);
    assert.ok(Math.abs(tl.max - tl.min - 24 * 60 * MIN) < 1_000);
    await page.click('button[data-zoom="3600000"]');
    await waitFor(() => timeline(page), (t) => t.marks.face > 0 && Math.abs(t.max - t.min - 60 * MIN) < 1_000, 5_000, 'the hour back with its marks');
  });

  test('a click on the timeline plays the recording from there in place of the live picture', async () => {
    const tl = await timeline(page);
    const box = await page.locator('#tl-track').boundingBox();
    // 12 minutes ago: in the second span.
    const want = Date.now() - 12 * MIN;
    const f = (want - tl.min) / (tl.max - tl.min);
    await page.mouse.click(box.x + f * box.width, box.y + box.height / 2);

    const p = await waitFor(() => picture(page), (p) => p.video && p.currentTime > 1.5 && p.videoWidth > 0, 15_000, 'the recording playing');
    assert.equal(p.canvas, false, 'the live canvas is still shown beside the recording');
    assert.equal(p.videoWidth, 640);
    assert.match(p.pill, /RECORDED/);
    // The live socket rests while the recording plays.
    assert.equal((await viewerState(page)).state, 'paused');

    const clip = standIn.requests.filter((r) => r.path === `/s/${STREAM}/clip.mp4`).at(0);
    assert.ok(clip, 'no clip.mp4 request');
    const start = Date.parse(clip.query.get('start'));
    const perPixel = (tl.max - tl.min) / box.width;
    assert.ok(Math.abs(start - want) <= 2 * perPixel, `asked from ${clip.query.get('start')}, clicked ${new Date(want).toISOString()}`);
    // To the end of the recording (it goes on until now), whole seconds.
    const duration = Number(/^(\d+)s$/.exec(clip.query.get('duration'))?.[1]);
    assert.ok(Math.abs(duration * 1000 - (Date.now() - start)) < 20_000, `duration ${clip.query.get('duration')}`);
    assert.equal(clip.query.get('download'), null);

    // The play head shows where the picture is, and moves on.
    const a = await waitFor(() => timeline(page), (t) => t.head !== null && t.live, 2_000, 'the play head and Live');
    const atHead = tl.min + (a.head / 100) * (tl.max - tl.min);
    assert.ok(Math.abs(atHead - start) < 10_000, `head at ${new Date(atHead).toISOString()}, clip from ${clip.query.get('start')}`);
    await waitFor(() => timeline(page), (t) => t.head > a.head, 5_000, 'the head moving on');
    assert.match(a.time, /Playing/);

    // Out of the way of the picture for the README's screenshot.
    await page.mouse.move(640, 30);
    await waitControls(page, false, AUTO_HIDE_MS + 3_000, 'gone');
    await page.screenshot({ path: screenshotPath });
  });

  test('Download clip gets the chosen length from the time shown', async () => {
    await page.selectOption('#tl-length', '300000');
    const tl = await timeline(page);
    const url = new URL(tl.download, page.url());
    assert.equal(url.pathname, `/s/${STREAM}/clip.mp4`);
    assert.equal(url.searchParams.get('download'), '1');
    assert.equal(url.searchParams.get('duration'), '300s');
    assert.equal(url.searchParams.get('token'), TOKEN);
    assert.ok(Number.isFinite(Date.parse(url.searchParams.get('start'))));
    const file = await savedPicture(page, () => page.click('#tl-download'));
    assert.equal(file.bytes.subarray(4, 8).toString(), 'ftyp', 'the download is not an MP4');
    assert.equal(standIn.requests.at(-1).query.get('download'), '1');
  });

  test('s saves the recorded picture while it plays', async () => {
    const file = await savedPicture(page, () => page.keyboard.press('s'));
    assert.match(file.name, new RegExp(`^${STREAM}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ\\.jpg$`));
    assert.deepEqual([...file.bytes.subarray(0, 2)], [0xff, 0xd8]);
  });

  test('Live returns to the live picture, with frames coming again', async () => {
    await page.click('#tl-live');
    await liveAgain(page);
    const tl = await timeline(page);
    assert.equal(tl.live, false);
    assert.equal(tl.head, null);
  });

  test('the keyboard plays from the track (End, Enter), and Esc goes back to live', async () => {
    await page.focus('#tl-track');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await waitFor(() => picture(page), (p) => p.video && p.currentTime > 0.5, 15_000, 'the recording playing');
    await page.keyboard.press('Escape');
    await liveAgain(page);
  });
});

describe('the timeline on a phone, 360×740', () => {
  let standIn;
  let browser;
  before(async () => {
    standIn = await startRecordingStandIn({ target: server.port, token: TOKEN, mp4, recorded: true });
    browser = await launchBrowser([], { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  });
  after(async () => {
    await browser?.close();
    await standIn?.close();
  });

  test('fits the width with nothing cut or overlapping, and a tap plays the recording', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${standIn.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
    const tl = await waitFor(() => timeline(page), (t) => t.shown && t.marks.face > 0, 10_000, 'the timeline with marks');
    const box = await page.locator('#tl-track').boundingBox();
    await page.touchscreen.tap(box.x + ((Date.now() - 20 * MIN - tl.min) / (tl.max - tl.min)) * box.width, box.y + box.height / 2);
    await waitFor(() => picture(page), (p) => p.video && p.currentTime > 0.5, 15_000, 'the recording playing');
    await fs.mkdir(path.dirname(phoneShot), { recursive: true });
    await page.screenshot({ path: phoneShot });
    assert.deepEqual(await layoutFaults(page), []);
    const stage = await page.locator('#stage').boundingBox();
    assert.ok(stage.height > 150, `the picture is left ${stage.height} px`);
    assert.deepEqual(errors, []);
  });
});

describe('a stream that is not recorded', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser([], { viewport: { width: 1280, height: 720 } });
  });
  after(async () => {
    await browser?.close();
  });

  /** noTimeline checks a page whose recordings answered 404: nothing of the timeline, the picture to the foot of the window. */
  async function noTimeline(base) {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const asked = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    const recordings = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/recordings');
    try {
      await page.goto(`${base}/?token=${TOKEN}`);
      assert.equal((await recordings).status(), 404);
      await waitForViewer(page, (v) => v.state === 'live' && v.frames > 10, 15_000, 'live frames');
      const got = await page.evaluate(() => ({
        timeline: document.getElementById('timeline').checkVisibility(),
        video: document.getElementById('playback').checkVisibility(),
        stageBottom: document.getElementById('stage').getBoundingClientRect().bottom,
      }));
      assert.deepEqual(got, { timeline: false, video: false, stageBottom: 720 });
      assert.deepEqual(asked.filter((p) => /detections|clip\.mp4/.test(p)), []);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }

  test('with the server as it is (no recording API), the page shows no timeline', async () => {
    await noTimeline(server.base);
  });

  test('with recording off (404 "this stream is not recorded"), the page shows no timeline', async () => {
    const standIn = await startRecordingStandIn({ target: server.port, token: TOKEN, mp4, recorded: false });
    try {
      await noTimeline(standIn.base);
    } finally {
      await standIn.close();
    }
  });
});

// ---------------------------------------------------------------------------
// RECORDING STAND-IN: a stand-in for the server's recording API (issue 25's
// design: api/recordings, api/detections, clip.mp4), used until the real one
// is merged. It listens on a free loopback port and forwards every request,
// WebSocket upgrades too, to the real server at target, except those three,
// which it answers itself from made-up recordings: two spans, 50 to 32 and 25
// minutes ago to now (still recording), with "face" marks every 20 s in both
// and "motion" every 7 s in the second; every clip is the same MP4 file.
// recorded false answers api/recordings 404 as a stream with recording off.
// It keeps each request it answered in requests ({path, query}).
// ---------------------------------------------------------------------------
async function startRecordingStandIn({ target, token, mp4: file, recorded }) {
  const t0 = Date.now();
  const spans = (now) => [
    { start: t0 - 50 * MIN, end: t0 - 32 * MIN },
    { start: t0 - 25 * MIN, end: now - 1_000 },
  ];
  const detections = (now) => {
    const out = [];
    for (const s of spans(now)) for (let t = s.start + 3_000; t < s.end; t += 20_000) out.push({ t, label: 'face' });
    const s = spans(now)[1];
    for (let t = s.start + 1_000; t < s.end; t += 7_000) out.push({ t, label: 'motion' });
    return out.sort((a, b) => a.t - b.t);
  };
  const seconds = (v) => (/^\d+(\.\d+)?s$/.test(v ?? '') ? parseFloat(v) * 1000 : NaN);
  const requests = [];
  const send = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const answer = async (req, res, url) => {
    const q = url.searchParams;
    requests.push({ path: url.pathname, query: q });
    if (q.get('token') !== token) return send(res, 401, { error: 'wrong token' });
    const now = Date.now();
    if (url.pathname.endsWith('/api/recordings')) {
      if (!recorded) return send(res, 404, { error: 'this stream is not recorded' });
      return send(res, 200, spans(now).map((s) => ({ start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() })));
    }
    const start = Date.parse(q.get('start') ?? '');
    const duration = seconds(q.get('duration'));
    if (!Number.isFinite(start) || !(duration > 0)) return send(res, 400, { error: 'bad start or duration' });
    if (url.pathname.endsWith('/api/detections')) {
      const every = q.has('every') ? seconds(q.get('every')) : 0;
      const last = new Map();
      const out = [];
      for (const d of detections(now)) {
        if (d.t < start || d.t >= start + duration) continue;
        if (every > 0 && d.t - (last.get(d.label) ?? -Infinity) < every) continue;
        last.set(d.label, d.t);
        out.push({ ts: new Date(d.t).toISOString(), label: d.label, score: 1, box: [10, 10, 50, 50] });
      }
      return send(res, 200, out.slice(0, Number(q.get('limit') ?? 1000)));
    }
    // clip.mp4: the same file whatever was asked, with Range as the server gives it.
    const bytes = await fs.readFile(file);
    const headers = { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes' };
    if (q.get('download') === '1') headers['Content-Disposition'] = `attachment; filename="${STREAM}-${new Date(start).toISOString().replace(/[-:]|\.\d+/g, '')}.mp4"`;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { ...headers, 'Content-Length': bytes.length });
      return res.end(bytes);
    }
    const from = Number(range[1]);
    const to = Math.min(bytes.length - 1, range[2] ? Number(range[2]) : bytes.length - 1);
    res.writeHead(206, { ...headers, 'Content-Length': to - from + 1, 'Content-Range': `bytes ${from}-${to}/${bytes.length}` });
    res.end(bytes.subarray(from, to + 1));
  };

  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://stand-in');
    if (/\/(api\/recordings|api\/detections|clip\.mp4)$/.test(url.pathname)) {
      answer(req, res, url).catch((err) => send(res, 500, { error: String(err) }));
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  // The page's WebSocket: the upgrade request as it came, then bytes both ways.
  srv.on('upgrade', (req, socket, head) => {
    const up = net.connect(target, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const drop = () => {
      up.destroy();
      socket.destroy();
    };
    up.on('error', drop);
    socket.on('error', drop);
    up.on('close', drop);
    socket.on('close', drop);
  });
  // Upgraded sockets are no longer the HTTP server's to close, but it waits for them.
  const sockets = new Set();
  srv.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    base: `http://127.0.0.1:${srv.address().port}`,
    requests,
    close: () => {
      const closed = new Promise((resolve) => srv.close(resolve));
      for (const socket of sockets) socket.destroy();
      return closed;
    },
  };
}
