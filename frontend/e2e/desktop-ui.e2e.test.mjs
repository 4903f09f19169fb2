// The desktop UI (dist/index.html) in Chromium, with the Wails bindings
// replaced by a recording stand-in and its preview on a real framecast
// server. Checks that every control calls Go with the right value, that
// refusals reach the person, and that the layout holds at 1024×640.
// (The Processing panel has desktop-processing.e2e.test.mjs; the app's Go
// side is tested in app/; the real window under Xvfb in desktop.e2e.test.mjs.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDesktopUI, waitFor } from './desktop-fake.mjs';
import { repoRoot } from './harness.mjs';

const TOKEN = 'desktop-ui-token-' + Math.random().toString(36).slice(2);
const shots = path.join(repoRoot, 'build', 'e2e');

let ui;
let server;
let page;
const calls = () => ui.calls();
const lastCall = (name) => ui.lastCall(name);

before(async () => {
  ui = await openDesktopUI(TOKEN);
  ({ server, page } = ui);
});

after(async () => {
  await ui?.close();
});

test('the preview plays the stream live through the shared viewer module', async () => {
  await waitFor(async () => Number(await page.getAttribute('#preview', 'data-frames')) > 20, 'preview frames');
  assert.equal(await page.getAttribute('#preview', 'data-state'), 'live');
});

test('start-up notices are shown', async () => {
  await waitFor(() => page.locator('.notice.is-warning').count(), 'a warning');
  assert.match(await page.locator('.notice.is-warning').first().innerText(), /not valid JSON/);
});

test('each control calls Go at once with its value', async () => {
  await page.click('#enabled');
  assert.deepEqual(await waitFor(() => lastCall('SetEnabled'), 'SetEnabled'), ['SetEnabled', false]);
  await page.click('#enabled');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetEnabled'))?.[1] === true && lastCall('SetEnabled'), 'on'), ['SetEnabled', true]);

  await page.locator('#quality').fill('35');
  assert.deepEqual(await waitFor(() => lastCall('SetQuality'), 'SetQuality'), ['SetQuality', 35]);
  assert.equal(await page.locator('#quality-value').innerText(), '35');

  await page.selectOption('#resolution', '480p');
  assert.deepEqual(await waitFor(() => lastCall('SetResolution'), 'SetResolution'), ['SetResolution', '480p']);
  await page.selectOption('#fps', '15');
  assert.deepEqual(await waitFor(() => lastCall('SetFPS'), 'SetFPS'), ['SetFPS', 15]);

  await page.fill('#url', 'rtsp://10.0.0.7/line');
  await page.click('#url-form button');
  assert.deepEqual(await waitFor(() => lastCall('SetSource'), 'SetSource'), ['SetSource', 'rtsp://10.0.0.7/line']);
  assert.match(await page.locator('#source-name').innerText(), /rtsp:\/\/10\.0\.0\.7/);

  await page.click('.link .copy');
  assert.deepEqual(await waitFor(() => lastCall('CopyText'), 'CopyText'), ['CopyText', `${server.base}/?token=${TOKEN}`]);
});

test('refusals and bad input reach the person in words', async () => {
  const before = (await calls()).filter((c) => c[0] === 'SetSource').length;
  await page.fill('#url', 'ftp://example/x');
  await page.click('#url-form button');
  await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('not an rtsp')), 'URL notice');
  assert.equal((await calls()).filter((c) => c[0] === 'SetSource').length, before, 'a bad URL reached Go');

  await page.click('#pick-file');
  await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('not a video OpenCV can read')), 'file error');

  await page.fill('#port', '80');
  await page.click('#port-form button');
  await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('permission denied')), 'port error');
});

test('stats events fill the strip and the viewer list', async () => {
  await page.evaluate(() =>
    window.__emit('stream:stats', {
      source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 29.5, width: 1280, height: 720,
      quality: 80, encodeMs: 4.2, frameBytes: 40960, error: '', bandwidthBps: 1_250_000, remote: 1,
      viewers: [{ id: 3, kind: 'ws', addr: '192.168.1.20:50123', fps: 29.9, drops: 2, latencyMs: 14.6, bytes: 1, since: '' }],
    }),
  );
  assert.equal(await page.locator('#st-output').innerText(), '29.5 fps');
  assert.equal(await page.locator('#st-bandwidth').innerText(), '10.0 Mbit/s');
  assert.equal(await page.locator('#st-viewers').innerText(), '1');
  assert.match(await page.locator('#viewers').innerText(), /192\.168\.1\.20:50123\s+29\.9\s+15 ms\s+2/);
});

test('the layout holds at 1024×640 with no horizontal scrolling', async () => {
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.waitForTimeout(300);
  const fit = await page.evaluate(() => {
    const sideEl = document.querySelector('.side');
    const side = sideEl.getBoundingClientRect();
    const canvas = document.querySelector('#screen').getBoundingClientRect();
    return {
      scroll: document.documentElement.scrollWidth, side: side.right, canvasW: canvas.width, canvasH: canvas.height,
      sideOverflow: sideEl.scrollWidth - sideEl.clientWidth,
    };
  });
  assert.ok(fit.scroll <= 1024, `page is ${fit.scroll} px wide`);
  assert.ok(fit.side <= 1024, `side panel ends at ${fit.side}`);
  assert.ok(fit.sideOverflow <= 0, `side panel content is ${fit.sideOverflow} px wider than the panel`);
  assert.ok(fit.canvasW > 550 && fit.canvasH > 300, `preview only ${fit.canvasW}×${fit.canvasH}`);
  await fs.mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'desktop-ui-1024x640.png') });
});
