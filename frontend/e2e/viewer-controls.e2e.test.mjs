// End-to-end: the viewer page's controls (Boxes, the rendition menu, save
// picture, fullscreen) in Debian's Chromium against the real server, which
// finds a face in a still photo so that there are boxes to show and save.
// Checks that the controls leave the picture alone while nobody touches the
// page and come back on pointer, tap and keyboard; that each one does its
// job; and that they fit a phone. The rendition menu with the real server's
// hello is here; with a full ladder, in viewer-renditions.e2e.test.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, repoRoot, startServer, waitForViewer } from './harness.mjs';
import { layoutFaults } from './layout.mjs';
import { askedFor, AUTO_HIDE_MS, controls, faceOutline, menu, routeWithLadder, savedPicture, waitControls } from './viewer-page.mjs';

const TOKEN = 'e2e-controls-' + Math.random().toString(36).slice(2);
const FACE_PHOTO = 'backend/vision/testdata/face.jpg';
const FACE_RGB = [0x22, 0xd3, 0xee];
const shots = path.join(repoRoot, 'build', 'e2e');

let server;
before(async () => {
  server = await startServer({ token: TOKEN, source: FACE_PHOTO, args: ['--process', 'faces'] });
  await fs.mkdir(shots, { recursive: true });
});
after(async () => {
  await server?.kill();
});

describe('viewer controls with a mouse and a keyboard, 1280×720', () => {
  let browser;
  let page;
  const errors = [];
  // The hello of each of the page's sockets, and the socket's URL, last last.
  const hellos = [];
  before(async () => {
    browser = await launchBrowser([], { viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('websocket', (ws) => {
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload !== 'string') return;
        const ev = JSON.parse(payload);
        if (ev.type === 'hello') hellos.push({ url: ws.url(), hello: ev });
      });
    });
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
  });

  test('the controls leave the picture while nobody touches the page, and come back on pointer move and on keyboard focus', async () => {
    await waitControls(page, false, AUTO_HIDE_MS + 2_000, 'gone after the page was left alone');
    // Nothing over the picture: not even the mouse pointer.
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('stage')).cursor), 'none');
    await page.screenshot({ path: path.join(shots, 'viewer-controls-idle-1280x720.png') });

    await page.mouse.move(640, 300);
    await waitControls(page, true, 1_000, 'back on pointer move');
    await page.mouse.move(650, 310);
    await page.waitForTimeout(AUTO_HIDE_MS - 1_000);
    assert.equal((await controls(page)).attr, 'shown', 'the controls left before 2.5 s without input');
    await waitControls(page, false, 2_500, 'gone 2.5 s after the last move');

    // Tab reaches every control, in order, and focus keeps the bar up however long it stays.
    const visible = await page.evaluate(() => [...document.querySelectorAll('#controls > *')].filter((e) => e.checkVisibility()).map((e) => e.id));
    assert.ok(visible.includes('save') && visible.includes('fullscreen'), `controls shown: ${visible}`);
    const order = [];
    for (let i = 0; i < visible.length; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    assert.deepEqual(order, visible, `Tab went ${order}, the visible controls are ${visible}`);
    await waitControls(page, true, 1_000, 'shown with keyboard focus in them');
    await page.waitForTimeout(AUTO_HIDE_MS + 1_000);
    await waitControls(page, true, 100, 'still shown while the keyboard is in them');
    await page.evaluate(() => document.activeElement.blur());
    await waitControls(page, false, AUTO_HIDE_MS + 1_000, 'gone once focus left them');
  });

  test('every control has a name and a target of at least 44 px', async () => {
    await page.mouse.move(600, 300);
    await waitControls(page, true, 1_000, 'shown');
    await page.getByRole('button', { name: 'Save picture' }).waitFor();
    await page.getByRole('button', { name: 'Full screen' }).waitFor();
    await page.getByRole('button', { name: 'Boxes' }).waitFor();
    for (const id of ['boxes', 'save', 'fullscreen']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box.width >= 44 && box.height >= 44, `#${id} is ${box.width}×${box.height}`);
    }
    assert.deepEqual(await layoutFaults(page), []);
  });

  test('the Boxes switch, a button in the bar, hides the boxes and shows them again', async () => {
    await page.mouse.move(600, 300);
    await waitControls(page, true, 1_000, 'shown');
    const drawn = () => page.evaluate(() => Number(document.getElementById('viewer').dataset.detections));
    const deadline = Date.now() + 15_000;
    while ((await drawn()) < 1 && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok((await drawn()) >= 1, 'no box drawn');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true');
    await page.click('#boxes');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'false');
    assert.equal(await drawn(), 0);
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true');
    assert.ok((await drawn()) >= 1, 'boxes not back');
    // The focus a click leaves on the switch does not keep the bar over the picture.
    await page.mouse.move(640, 200);
    await waitControls(page, false, AUTO_HIDE_MS + 1_500, 'gone after a click, the switch still focused');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'boxes');
  });

  test('save picture downloads the frame on screen as a JPEG, with its boxes only while they are shown', async () => {
    await page.mouse.move(600, 300);
    await waitControls(page, true, 1_000, 'shown');
    const canvas = await page.evaluate(() => [document.getElementById('screen').width, document.getElementById('screen').height]);

    const withBoxes = await savedPicture(page, () => page.click('#save'));
    // <stream>-<time>.jpg: the stream's name once (serve's is "framecast").
    assert.match(withBoxes.name, /^[A-Za-z0-9._-]+-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.jpg$/);
    assert.doesNotMatch(withBoxes.name, /^framecast-framecast-/);
    assert.deepEqual([...withBoxes.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'not a JPEG');
    const on = await page.evaluate(faceOutline, { jpegBase64: withBoxes.bytes.toString('base64'), rgb: FACE_RGB });
    assert.deepEqual([on.width, on.height], canvas, 'the picture is not the frame\'s size');
    assert.ok(on.boxes >= 1 && on.matching / on.samples > 0.8, `boxes missing from the saved picture: ${JSON.stringify(on)}`);

    await page.click('#boxes');
    // s saves from anywhere, the mouse not even over the page.
    await page.evaluate(() => document.activeElement.blur());
    const without = await savedPicture(page, () => page.keyboard.press('s'));
    const off = await page.evaluate(faceOutline, { jpegBase64: without.bytes.toString('base64'), rgb: FACE_RGB });
    assert.ok(off.matching / off.samples < 0.2, `boxes in the picture saved with boxes hidden: ${JSON.stringify(off)}`);
    await page.click('#boxes');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true');
  });

  test('fullscreen: the button and f put the picture in fullscreen and take it out', async () => {
    const fullscreen = () => page.evaluate(() => document.fullscreenElement?.id ?? null);
    await page.mouse.move(600, 300);
    await waitControls(page, true, 1_000, 'shown');
    await page.click('#fullscreen');
    await page.waitForFunction(() => document.fullscreenElement?.id === 'stage', null, { timeout: 3_000 });
    // fullscreenchange comes a frame after fullscreenElement changes.
    await page.waitForFunction(() => document.getElementById('fullscreen').getAttribute('aria-pressed') === 'true', null, { timeout: 2_000 });
    await waitForViewer(page, (v) => v.state === 'live', 2_000, 'live in fullscreen');
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 3_000 });
    // fullscreenchange comes a frame after fullscreenElement changes.
    await page.waitForFunction(() => document.getElementById('fullscreen').getAttribute('aria-pressed') === 'false', null, { timeout: 2_000 });
    await page.keyboard.press('f');
    await page.waitForFunction(() => document.fullscreenElement?.id === 'stage', null, { timeout: 3_000 });
    await page.mouse.move(610, 300);
    await page.click('#fullscreen');
    await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 3_000 });
    assert.equal(await fullscreen(), null);
  });

  test('the rendition menu shows what this server\'s hello offers, and pins a rendition when one is picked', async (t) => {
    const ladder = hellos.at(-1)?.hello.renditions ?? [];
    const m = await menu(page);
    t.diagnostic(`the server's hello offers ${JSON.stringify(ladder)}`);
    if (ladder.length < 2) {
      // An older server, or a stream of one size: nothing to choose.
      assert.equal(m.shown, false, `menu shown without renditions: ${JSON.stringify(m)}`);
      return;
    }
    assert.equal(m.shown, true);
    assert.equal(m.value, 'auto');
    assert.deepEqual(m.options.slice(1), ladder.map((r) => r.name));
    assert.match(m.options[0], /^Auto · \d+p$/);
    const smallest = ladder.at(-1);
    const before = hellos.length;
    await page.selectOption('#rendition', smallest.name);
    await page.waitForFunction((n) => document.getElementById('viewer').dataset.rendition === n, smallest.name, { timeout: 10_000 });
    assert.equal(hellos.length, before + 1, 'picking a rendition did not reconnect');
    assert.equal(askedFor(hellos.at(-1).url), smallest.name);
    assert.equal(hellos.at(-1).hello.rendition, smallest.name, 'the server did not take the rendition asked for');
    const size = await page.evaluate(() => [document.getElementById('screen').width, document.getElementById('screen').height]);
    // "About" the rendition's size: its height, in the stream's own shape.
    assert.ok(size[1] === smallest.h && size[0] <= smallest.w, `${size} frames for the ${smallest.w}×${smallest.h} rendition ${smallest.name}`);
    assert.equal((await menu(page)).value, smallest.name);
    const pinned = hellos.length;
    await page.selectOption('#rendition', 'auto');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('rendition'), null, { timeout: 3_000 });
    for (let i = 0; i < 50 && hellos.length === pinned; i++) await page.waitForTimeout(100);
    assert.equal(askedFor(hellos.at(-1).url), null);
    assert.equal(hellos.at(-1).hello.rendition, 'auto');

    // A link pinned to a rendition this server does not offer: it refuses the
    // upgrade, and the page takes auto instead of retrying for ever.
    const stale = await browser.context.newPage();
    stale.on('pageerror', (err) => errors.push(err.message));
    await stale.goto(`${server.base}/?token=${TOKEN}&rendition=4320p`);
    await waitForViewer(stale, (v) => v.state === 'live' && v.frames > 1, 15_000, 'live after the refusal');
    assert.equal(new URL(stale.url()).searchParams.has('rendition'), false);
    await stale.close();
  });
});

describe('viewer controls on a phone, 390×844', () => {
  let browser;
  let page;
  const errors = [];
  before(async () => {
    browser = await launchBrowser([], { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
    page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await routeWithLadder(page);
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
  });

  test('a tap brings the controls back without working the control under the finger; they fit and are big enough to tap', async () => {
    const drawn = () => page.evaluate(() => Number(document.getElementById('viewer').dataset.detections));
    const deadline = Date.now() + 15_000;
    while ((await drawn()) < 1 && Date.now() < deadline) await page.waitForTimeout(100);
    await waitControls(page, false, AUTO_HIDE_MS + 2_000, 'gone after the page was left alone');
    await page.screenshot({ path: path.join(shots, 'viewer-controls-idle-390x844.png') });

    // The first tap on the hidden Boxes switch only shows the controls.
    const boxes = await page.locator('#boxes').boundingBox();
    await page.touchscreen.tap(boxes.x + boxes.width / 2, boxes.y + boxes.height / 2);
    await waitControls(page, true, 1_000, 'back on a tap');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'true', 'a tap on the hidden bar worked the switch');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, 'viewer-controls-390x844.png') });
    for (const id of ['boxes', 'rendition', 'save', 'fullscreen']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.width >= 44 && box.height >= 44, `#${id} is ${JSON.stringify(box)}`);
    }
    assert.deepEqual(await layoutFaults(page), []);

    // Shown, a tap works what it lands on.
    const show = async () => {
      await page.touchscreen.tap(195, 300);
      await waitControls(page, true, 1_000, 'shown on a tap');
    };
    await show();
    await page.tap('#boxes');
    assert.equal(await page.getAttribute('#boxes', 'aria-pressed'), 'false');
    await show();
    await page.tap('#fullscreen');
    await page.waitForFunction(() => document.fullscreenElement?.id === 'stage', null, { timeout: 3_000 });
    await show();
    await page.tap('#fullscreen');
    await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 3_000 });
  });
});
