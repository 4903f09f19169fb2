// End-to-end: the real server finds a face in a still photo (--process faces)
// and the real viewer page in Chromium draws its box over that very frame.
// Checks the box on the canvas pixel by pixel, then that the Boxes switch
// takes it away (and brings it back) at once.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, repoRoot, startServer, waitForViewer } from './harness.mjs';

const TOKEN = 'e2e-detections-' + Math.random().toString(36).slice(2);
const FACE_PHOTO = 'backend/vision/testdata/face.jpg';
const FACE_RGB = [0x22, 0xd3, 0xee];
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'detections.png');

let server;
let browser;
let page;
const errors = [];

before(async () => {
  server = await startServer({ token: TOKEN, source: FACE_PHOTO, args: ['--process', 'faces'] });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.base}/?token=${TOKEN}`);
});

after(async () => {
  await browser?.close();
  await server?.kill();
});

/**
 * boxEdges runs in the page. In one step, so no frame can be drawn in
 * between, it reads the last drawn frame's boxes and samples the canvas in
 * the middle of each 3 px outline (left, right and bottom sides; the top may
 * carry the label tag), counting pixels of the face colour.
 */
function boxEdges(rgb) {
  const root = document.getElementById('viewer');
  const canvas = document.getElementById('screen');
  const boxes = JSON.parse(root.dataset.boxes || '[]').filter((d) => d.label === 'face');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let samples = 0;
  let matching = 0;
  const check = (x, y) => {
    const i = (y * canvas.width + x) * 4;
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    samples++;
    if (Math.abs(r - rgb[0]) <= 12 && Math.abs(g - rgb[1]) <= 12 && Math.abs(b - rgb[2]) <= 12) matching++;
  };
  for (const { box } of boxes) {
    const [x, y, w, h] = box.map(Math.round);
    for (let t = 0.3; t <= 0.91; t += 0.05) {
      check(x + 1, Math.round(y + h * t));
      check(x + w - 2, Math.round(y + h * t));
      check(Math.round(x + w * t), y + h - 2);
    }
  }
  return {
    boxes,
    samples,
    matching,
    drawn: Number(root.dataset.detections),
    frames: Number(root.dataset.frames),
    canvas: [canvas.width, canvas.height],
  };
}

test('the face found by the server is boxed on its frame in the face colour', async () => {
  await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
  const deadline = Date.now() + 15_000;
  let seen;
  while (Date.now() < deadline) {
    seen = await page.evaluate(boxEdges, FACE_RGB);
    if (seen.drawn >= 1 && seen.boxes.length >= 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(seen.drawn >= 1, `no box drawn; last frame: ${JSON.stringify(seen)}\nserver log:\n${server.log()}`);
  for (const { box } of seen.boxes) {
    const [x, y, w, h] = box;
    assert.ok(x >= 0 && y >= 0 && x + w <= seen.canvas[0] && y + h <= seen.canvas[1], `box ${box} outside the ${seen.canvas} frame`);
  }
  assert.ok(seen.matching / seen.samples > 0.95, `only ${seen.matching} of ${seen.samples} outline pixels are face-coloured`);
  // A 4:3 frame in a wider window is letterboxed, not cropped: every box stays in sight.
  const fit = await page.evaluate(() => ({ bottom: document.getElementById('screen').getBoundingClientRect().bottom, height: innerHeight }));
  assert.ok(fit.bottom <= fit.height, `the canvas ends at ${fit.bottom}, below the ${fit.height} px window`);

  assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true');
  assert.ok(await page.locator('#boxes').isVisible(), 'the Boxes switch is shown once there is something to box');
  assert.match(await page.locator('#detections').innerText(), /^\d+ face$/);

  await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
  await page.screenshot({ path: screenshotPath });
});

test('the Boxes switch hides the boxes at once and on every later frame, and shows them again', async () => {
  // The switch is in the controls over the picture, which leave while
  // nobody touches the page: reach for it as a person would.
  await page.mouse.move(400, 300);
  await page.click('#boxes');
  assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'false');
  // No new frame is needed: the frame on screen is drawn again without its boxes.
  const now = await page.evaluate(boxEdges, FACE_RGB);
  assert.equal(now.drawn, 0, 'data-detections still counts boxes');
  assert.ok(now.boxes.length >= 1, 'the frame still carries its detections');
  assert.ok(now.matching / now.samples < 0.2, `${now.matching} of ${now.samples} outline pixels still face-coloured`);

  await waitForViewer(page, (v) => v.frames > now.frames + 5, 10_000, 'more frames with boxes hidden');
  const later = await page.evaluate(boxEdges, FACE_RGB);
  assert.equal(later.drawn, 0);
  assert.ok(later.matching / later.samples < 0.2, `boxes are back on later frames: ${later.matching} of ${later.samples}`);
  // The counts describe what was found, which hiding the boxes does not change.
  assert.match(await page.locator('#detections').innerText(), /face/);

  // It is a real button: the keyboard works it too.
  await page.focus('#boxes');
  await page.keyboard.press('Space');
  assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true');
  const back = await page.evaluate(boxEdges, FACE_RGB);
  assert.ok(back.drawn >= 1 && back.matching / back.samples > 0.95, `boxes not back: ${JSON.stringify(back)}`);
  assert.deepEqual(errors, []);
});
