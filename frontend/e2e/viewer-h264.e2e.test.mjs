// End-to-end: the viewer page asks for H.264 (?codec=h264, or by default
// where WebCodecs decodes it) and the real server sends it; Chromium decodes each
// frame with VideoDecoder and draws it with its own frame's boxes. Where
// WebCodecs is missing, auto falls back to JPEG.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canvasColours, launchBrowser, repoRoot, startServer, viewerState, waitForViewer } from './harness.mjs';

const TOKEN = 'e2e-h264-' + Math.random().toString(36).slice(2);
const FACE_PHOTO = 'backend/vision/testdata/face.jpg';
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'viewer-h264.png');

/** codecOf reads what the viewer draws: data-codec on its root. */
const codecOf = (page) => page.evaluate(() => document.getElementById('viewer')?.dataset.codec);

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
    assert.ok(state.viewers.some((x) => x.kind === 'ws' && x.fps > 10), `no ws viewer at speed in ${JSON.stringify(state.viewers)}`);
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
});
