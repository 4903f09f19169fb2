// End-to-end: the viewer page asks for H.264 (?codec=h264, or by default
// where WebCodecs decodes it) and the real server sends it; Chromium decodes each
// frame with VideoDecoder and draws it with its own frame's boxes. Where
// WebCodecs is missing, auto falls back to JPEG. A frame the decoder refuses
// (spoilt on its way by the test) costs a keyframe, asked for; refusals that
// go on make the page take JPEG and say so. Save picture, fullscreen and
// the hidden tab's pause work as with JPEG, and a shown tab starts at a keyframe.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canvasColours, launchBrowser, repoRoot, startServer, viewerState, waitForViewer } from './harness.mjs';
import { drawnSeqs, faceOutline, keyRequests, pictureDistance, recordDrawn, savedPicture, tapSockets } from './viewer-page.mjs';

const TOKEN = 'e2e-h264-' + Math.random().toString(36).slice(2);
const FACE_PHOTO = 'backend/vision/testdata/face.jpg';
const FACE_RGB = [0x22, 0xd3, 0xee];
// A picture decoded right is a few levels from the server's snapshot of
// it (both lossy); a broken decode is tens away.
const SAME_PICTURE = 12;
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'viewer-h264.png');

/** codecOf reads what the viewer draws: data-codec on its root. */
const codecOf = (page) => page.evaluate(() => document.getElementById('viewer')?.dataset.codec);

/**
 * decoderFailures collects the page's warnings that a frame did not decode:
 * the decoder failed on it, or refused it at once (a keyframe that is not one).
 */
function decoderFailures(page) {
  const seen = [];
  page.on('console', (m) => {
    if (/H\.264 decoder failed|could not be decoded/.test(m.text())) seen.push(m.text());
  });
  return seen;
}

/** notice reads the sentence the viewer shows about a choice it made itself. */
const notice = (page) =>
  page.evaluate(() => {
    const el = document.getElementById('notice');
    return { shown: el.checkVisibility(), text: el.textContent, fallback: document.getElementById('viewer').dataset.codecFallback ?? null };
  });

/** waitFor polls check() until it gives something truthy, or fails saying what it waited for. */
async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** setHidden makes the page believe its tab was hidden or shown again. */
const setHidden = (page, hidden) =>
  page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

describe('viewer page with H.264', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ token: TOKEN, source: FACE_PHOTO, args: ['--process', 'faces'] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  test('?codec=h264 draws decoded H.264 live, with its boxes, acking as it draws', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    const live = await waitForViewer(page, (v) => v.frames > 30, 15_000, 'more than 30 H.264 frames drawn');
    assert.equal(live.state, 'live');
    assert.equal(await codecOf(page), 'h264');
    const boxes = await page.evaluate(() => JSON.parse(document.getElementById('viewer')?.dataset.boxes ?? '[]'));
    assert.ok(boxes.length > 0, 'the face found in the frame came with it');
    const drawnBoxes = await page.evaluate(() => Number(document.getElementById('viewer')?.dataset.detections ?? 0));
    assert.ok(drawnBoxes > 0, 'boxes drawn over the decoded picture');
    const colours = await canvasColours(page);
    assert.ok(colours.width === 640 && colours.height === 480, `canvas ${colours.width}×${colours.height}, want the photo's 640×480`);
    assert.ok(colours.distinct > 50, `the decoded picture has ${colours.distinct} colours: not a photo`);
    // Acks keep coming: the server sees this viewer with a latency, and it takes H.264.
    await page.waitForTimeout(1200);
    const v = await viewerState(page);
    assert.ok(v.latencyMs < 500, `data-latency-ms ${v.latencyMs}`);
    const state = await (await fetch(`${server.base}/api/state?token=${TOKEN}`)).json();
    // Any rate: a machine under load draws fewer frames, but acks each it draws.
    assert.ok(state.viewers.some((x) => x.kind === 'ws' && x.fps > 2 && x.latencyMs > 0), `no ws viewer acking in ${JSON.stringify(state.viewers)}`);
    await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a link without ?codec= takes H.264 where WebCodecs decodes it', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.frames > 10, 15_000, 'frames drawn');
    assert.equal(await codecOf(page), 'h264');
    await page.close();
  });

  test('the codec menu switches a watching viewer to H.264 and back, and the address keeps the choice', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.base}/?token=${TOKEN}&codec=jpeg`);
    await waitForViewer(page, (v) => v.frames > 5, 15_000, 'frames drawn');
    assert.equal(await codecOf(page), 'jpeg');
    const menu = page.locator('#codec');
    await menu.waitFor({ state: 'visible' });
    await page.mouse.move(10, 10); // the controls show on input
    await menu.selectOption('h264');
    let before = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.frames > before + 10, 15_000, 'frames after choosing H.264');
    assert.equal(await codecOf(page), 'h264');
    assert.match(page.url(), /[?&]codec=h264/);
    await menu.selectOption('auto');
    before = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.frames > before + 10, 15_000, 'frames after choosing Auto');
    assert.equal(await codecOf(page), 'h264');
    assert.doesNotMatch(page.url(), /codec=/);
    await menu.selectOption('jpeg');
    before = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.frames > before + 10, 15_000, 'frames after choosing JPEG');
    assert.equal(await codecOf(page), 'jpeg');
    assert.match(page.url(), /[?&]codec=jpeg/);
    await page.close();
  });

  test('a frame the decoder refuses makes the page ask for a keyframe, and it goes on from that keyframe', async (t) => {
    const page = await browser.context.newPage();
    const failures = decoderFailures(page);
    await recordDrawn(page);
    // Spoil one predicted frame, once the picture is going.
    let target = null;
    const sockets = await tapSockets(page, (h, socket) => {
      if (target === null && socket === sockets[0] && socket.frames.length > 30 && !h.key) target = h.seq;
      return h.seq === target;
    });
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await waitFor(async () => target !== null && (await drawnSeqs(page)).filter((s) => s > target).length >= 30, 20_000, '30 frames drawn after the spoilt one');

    const [socket] = sockets;
    assert.equal(sockets.length, 1, 'the page reconnected instead of asking for a keyframe');
    assert.deepEqual(socket.damaged, [target]);
    assert.equal(failures.length, 1, `decoder failures: ${failures}`);
    assert.ok(keyRequests(socket) >= 1, 'no {"type":"key"} sent after the decoder failed');
    // Nothing between the spoilt frame and the next keyframe is drawn: those frames refer to what the decoder lost.
    const next = (await drawnSeqs(page)).find((s) => s > target);
    const resumed = socket.frames.find((h) => h.seq === next);
    assert.ok(resumed?.key, `the first frame drawn after the spoilt ${target} is ${next}, not a keyframe`);
    t.diagnostic(`spoilt ${target}; drawn again from keyframe ${next}, captured ${((resumed.ts - socket.frames.find((h) => h.seq === target).ts) / 1000).toFixed(0)} ms later`);
    assert.equal(await codecOf(page), 'h264');
    assert.deepEqual(await notice(page), { shown: false, text: '', fallback: null });
    const distance = await page.evaluate(pictureDistance, TOKEN);
    assert.ok(distance < SAME_PICTURE, `the picture is ${distance.toFixed(1)} levels from the stream's`);
    await page.close();
  });

  test('decoder errors that go on make the page take JPEG and say so, until H.264 is chosen again', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const failures = decoderFailures(page);
    // Every frame of the first socket spoilt from the 20th on, keyframes too.
    const sockets = await tapSockets(page, (h, socket) => socket === sockets[0] && socket.frames.length > 20);
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await page.waitForFunction(() => document.getElementById('viewer').dataset.codecFallback === 'true', null, { timeout: 20_000 });
    assert.equal(failures.length, 3, `decoder failures: ${failures}`);
    assert.ok(keyRequests(sockets[0]) >= 2, 'the page gave up without asking for keyframes');
    const before = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.frames > before + 20, 15_000, 'JPEG frames drawn');
    assert.equal(sockets.length, 2);
    assert.equal(new URL(sockets[1].url).searchParams.get('codec') ?? 'jpeg', 'jpeg', 'the second socket does not ask for JPEG');
    assert.equal(await codecOf(page), 'jpeg');
    const said = await notice(page);
    assert.ok(said.shown, 'the page does not say it fell back to JPEG');
    assert.match(said.text, /H\.264.*JPEG/);
    assert.equal(await page.locator('#codec').inputValue(), 'jpeg', 'the codec menu does not show what is drawn');
    assert.match(page.url(), /[?&]codec=h264/, 'the address lost what was asked for');
    const distance = await page.evaluate(pictureDistance, TOKEN);
    assert.ok(distance < SAME_PICTURE, `the picture is ${distance.toFixed(1)} levels from the stream's`);
    await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: path.join(path.dirname(screenshotPath), 'viewer-h264-fallback.png') });

    await page.mouse.move(10, 10); // the controls show on input
    await page.locator('#codec').selectOption('h264');
    await page.waitForFunction(() => document.getElementById('viewer').dataset.codec === 'h264', null, { timeout: 15_000 });
    const again = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.frames > again + 10, 15_000, 'H.264 frames after choosing it again');
    assert.equal(sockets.length, 3);
    assert.deepEqual(await notice(page), { shown: false, text: '', fallback: null });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('save picture and fullscreen work on H.264 as on JPEG', async () => {
    const page = await browser.context.newPage();
    const failures = decoderFailures(page);
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await waitForViewer(page, (v) => v.frames > 5, 15_000, 'frames drawn');
    await page.waitForFunction(() => Number(document.getElementById('viewer').dataset.detections) >= 1, null, { timeout: 15_000 });
    assert.equal(await codecOf(page), 'h264');

    await page.mouse.move(600, 300);
    const saved = await savedPicture(page, () => page.click('#save'));
    assert.deepEqual([...saved.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'not a JPEG');
    const canvas = await page.evaluate(() => [document.getElementById('screen').width, document.getElementById('screen').height]);
    const outline = await page.evaluate(faceOutline, { jpegBase64: saved.bytes.toString('base64'), rgb: FACE_RGB });
    assert.deepEqual([outline.width, outline.height], canvas, 'the saved picture is not the frame\'s size');
    assert.ok(outline.boxes >= 1 && outline.matching / outline.samples > 0.8, `boxes missing from the saved picture: ${JSON.stringify(outline)}`);
    const colours = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add(`${data[i] >> 3},${data[i + 1] >> 3},${data[i + 2] >> 3}`);
      return seen.size;
    }, saved.bytes.toString('base64'));
    assert.ok(colours > 50, `the saved picture has ${colours} colours: not the photo`);

    await page.click('#fullscreen');
    await page.waitForFunction(() => document.fullscreenElement?.id === 'stage', null, { timeout: 3_000 });
    const inFull = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > inFull + 10, 10_000, 'frames drawn in fullscreen');
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 3_000 });
    assert.equal(await codecOf(page), 'h264');
    assert.deepEqual(failures, []);
    await page.close();
  });

  test('a hidden tab pauses H.264, and shown again starts at a keyframe, never drawing what it cannot decode', async () => {
    const page = await browser.context.newPage();
    const failures = decoderFailures(page);
    await recordDrawn(page);
    const sockets = await tapSockets(page);
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 10, 15_000, 'live');

    await setHidden(page, true);
    const paused = await waitForViewer(page, (v) => v.state === 'paused', 2_000, 'paused');
    // Long enough for the stream to move on: the next frames refer to pictures this page never had.
    await page.waitForTimeout(1_000);
    const still = await viewerState(page);
    assert.ok(still.frames - paused.frames <= 2, `frames kept coming while hidden: ${paused.frames} → ${still.frames}`);
    const before = (await drawnSeqs(page)).length;

    await setHidden(page, false);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > still.frames + 10, 10_000, 'live again');
    assert.equal(sockets.length, 2, 'shown again, the page did not open a new socket');
    const seqs = new Map(sockets[1].frames.map((h) => [h.seq, h]));
    const first = (await drawnSeqs(page)).slice(before).find((s) => seqs.has(s));
    assert.ok(seqs.get(first)?.key, `the first frame drawn when shown again, ${first}, is not a keyframe`);
    assert.equal(await codecOf(page), 'h264');
    const distance = await page.evaluate(pictureDistance, TOKEN);
    assert.ok(distance < SAME_PICTURE, `the picture is ${distance.toFixed(1)} levels from the stream's`);
    assert.deepEqual(failures, []);
    await page.close();
  });

  test('a link without ?codec= falls back to JPEG where WebCodecs is missing', async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      delete globalThis.VideoDecoder;
    });
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.frames > 10, 15_000, 'frames drawn');
    assert.equal(await codecOf(page), 'jpeg');
    assert.equal(await page.locator('#codec').isHidden(), true, 'no codec menu where there is no choice');
    await page.close();
  });

  test('a link with ?codec=h264 where WebCodecs is missing falls back to JPEG, and says so', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.addInitScript(() => {
      delete globalThis.VideoDecoder;
    });
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await page.waitForFunction(() => document.getElementById('viewer').dataset.codec === 'jpeg' && Number(document.getElementById('viewer').dataset.frames) > 5, null, { timeout: 15_000 });
    const said = await notice(page);
    assert.ok(said.shown, 'the page does not say it fell back to JPEG');
    assert.match(said.text, /H\.264.*JPEG/);
    assert.equal(await page.locator('#codec').isHidden(), true, 'no codec menu where there is no choice');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

/**
 * watchBall runs in the page: for each of the next `count` frames drawn, in
 * the same step as its drawing (the viewer sets data-last-seq as it draws),
 * it finds the test pattern's white ball on the canvas (below the band with
 * the clock, whose white text moves too) and counts its pixels outside every
 * box of the detections the frame was drawn with (data-boxes), each grown by
 * `slack` pixels for the codec's soft edges. It resolves with one record a
 * frame.
 */
function watchBall({ count, slack }) {
  const root = document.getElementById('viewer');
  const canvas = document.getElementById('screen');
  const ctx = canvas.getContext('2d');
  return new Promise((resolve) => {
    const seen = [];
    const observer = new MutationObserver(() => {
      const boxes = JSON.parse(root.dataset.boxes || '[]').map((d) => d.box);
      const { width, height } = canvas;
      const top = Math.ceil((76 * height) / 720);
      const { data } = ctx.getImageData(0, 0, width, height);
      let ball = 0;
      let outside = 0;
      for (let y = top; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) continue;
          ball++;
          const boxed = boxes.some(([bx, by, bw, bh]) => x >= bx - slack && x < bx + bw + slack && y >= by - slack && y < by + bh + slack);
          if (!boxed) outside++;
        }
      }
      // The ball's white inside has a 56 px radius at 720 lines; a smaller rendition scales it.
      const whole = Math.PI * ((56 * height) / 720) ** 2;
      seen.push({ seq: Number(root.dataset.lastSeq), boxes, ball, whole: Math.round(whole), outside });
      if (seen.length >= count) {
        observer.disconnect();
        resolve(seen);
      }
    });
    observer.observe(root, { attributeFilter: ['data-last-seq'] });
  });
}

describe('H.264 with moving boxes', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ token: TOKEN, args: ['--process', 'motion'] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  test('each frame is drawn with its own boxes: those sent with its seq, around the ball where it is in that picture', async (t) => {
    const page = await browser.context.newPage();
    const sockets = await tapSockets(page);
    await page.goto(`${server.base}/?token=${TOKEN}&codec=h264`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 30, 15_000, 'live');
    assert.equal(await codecOf(page), 'h264');
    const frames = await page.evaluate(watchBall, { count: 60, slack: 3 });
    const sent = new Map(sockets[0].frames.map((h) => [h.seq, h]));
    let misplaced = 0;
    for (const f of frames) {
      // Part of it may be under the clock's band.
      assert.ok(f.ball > f.whole * 0.4, `frame ${f.seq}: the ball is ${f.ball} pixels of ${f.whole}, not found`);
      const boxes = (sent.get(f.seq)?.detections ?? []).map((d) => d.box);
      assert.deepEqual(f.boxes, boxes, `frame ${f.seq} was drawn with boxes other than its own`);
      if (f.outside > f.ball * 0.02) misplaced++;
    }
    t.diagnostic(`ball pixels outside the boxes, per frame: ${frames.map((f) => f.outside).join(' ')}`);
    // A box a frame early or late misses the ball's leading edge, 5 to 25 px
    // at this speed: most frames then leave hundreds to thousands of its
    // pixels out (49 of 60 frames when tried). Under load the server's own
    // boxes now and then miss part of the ball, for a few frames running.
    assert.ok(misplaced <= 6, `${misplaced} of ${frames.length} frames show the ball outside their boxes`);
    await page.close();
  });
});
