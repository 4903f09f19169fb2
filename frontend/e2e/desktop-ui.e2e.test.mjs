// The desktop UI (dist/index.html) in Chromium, with the Wails bindings
// replaced by a recording stand-in and its preview on a real framecast
// server. Checks that every control calls Go with the right value, that
// refusals reach the person, and that the layout holds at 1024×640.
// (The app's Go side is tested in app/; the real window under Xvfb in
// desktop.e2e.test.mjs.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';

const TOKEN = 'desktop-ui-token-' + Math.random().toString(36).slice(2);
const dist = path.join(repoRoot, 'frontend', 'dist');
const shots = path.join(repoRoot, 'build', 'e2e');

let server;
let browser;
let page;

/** fakeBindings runs in the page before its scripts: window.go and window.runtime as Wails would give them. */
function fakeBindings({ base, token }) {
  const settings = { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 30, enabled: true };
  const share = { port: Number(new URL(base).port), token, previewBase: base, links: [{ url: `${base}/?token=${token}`, qr: 'data:,' }] };
  const calls = [];
  const handlers = {};
  const ok = (name, change) => async (arg) => {
    calls.push([name, arg]);
    change(arg);
    return { ...settings };
  };
  window.__calls = calls;
  window.__emit = (name, data) => (handlers[name] || []).forEach((cb) => cb(data));
  window.runtime = { EventsOn: (name, cb) => ((handlers[name] ||= []).push(cb), () => {}) };
  window.go = {
    app: {
      App: {
        Settings: async () => ({ ...settings }),
        State: async () => ({}),
        SetEnabled: ok('SetEnabled', (on) => (settings.enabled = on)),
        SetQuality: ok('SetQuality', (q) => (settings.quality = q)),
        SetResolution: ok('SetResolution', (p) => ([settings.maxWidth, settings.maxHeight] = p === '480p' ? [854, 480] : [0, 0])),
        SetFPS: ok('SetFPS', (f) => (settings.fps = f)),
        SetSource: ok('SetSource', (s) => (settings.source = s)),
        PickFile: async () => {
          calls.push(['PickFile']);
          throw 'open video file "/tmp/broken.mp4": not a video OpenCV can read';
        },
        Cameras: async () => [],
        Share: async () => share,
        NewLink: async () => (calls.push(['NewLink']), share),
        SetPort: async (p) => {
          calls.push(['SetPort', p]);
          throw `listen on :${p}: bind: permission denied`;
        },
        CopyText: async (t) => void calls.push(['CopyText', t]),
        Notices: async () => ['settings file is not valid JSON; using defaults'],
      },
    },
  };
}

const calls = () => page.evaluate(() => window.__calls);
const lastCall = async (name) => (await calls()).filter((c) => c[0] === name).pop();

async function waitFor(fn, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  server = await startServer({ token: TOKEN });
  // Pages served by page.route have no address, so Chromium's Local Network
  // Access check would block their loopback WebSocket; the Wails webview has
  // no such check.
  browser = await launchBrowser(['--disable-features=LocalNetworkAccessChecks']);
  page = await browser.context.newPage();
  // Serve dist/ under the server's own origin, as the webview is allowed to
  // connect to it.
  await page.route(`${server.base}/desktop/**`, async (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^\/desktop\//, '');
    const body = await fs.readFile(path.join(dist, rel));
    const type = rel.endsWith('.js') ? 'text/javascript' : rel.endsWith('.css') ? 'text/css' : 'text/html';
    await route.fulfill({ body, contentType: type });
  });
  await page.addInitScript(fakeBindings, { base: server.base, token: TOKEN });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${server.base}/desktop/index.html`);
});

after(async () => {
  await browser?.close();
  await server?.kill();
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
    const side = document.querySelector('.side').getBoundingClientRect();
    const canvas = document.querySelector('#screen').getBoundingClientRect();
    return { scroll: document.documentElement.scrollWidth, side: side.right, canvasW: canvas.width, canvasH: canvas.height };
  });
  assert.ok(fit.scroll <= 1024, `page is ${fit.scroll} px wide`);
  assert.ok(fit.side <= 1024, `side panel ends at ${fit.side}`);
  assert.ok(fit.canvasW > 550 && fit.canvasH > 300, `preview only ${fit.canvasW}×${fit.canvasH}`);
  await fs.mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'desktop-ui-1024x640.png') });
});
