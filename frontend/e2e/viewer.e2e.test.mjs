// End-to-end: the real framecast server (test source) and the real viewer page
// in Debian's Chromium. Checks what a person would see: moving video, live
// state, sane stats, and clear messages when the link or the server is bad.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canvasColours, launchBrowser, repoRoot, startServer, viewerState, waitForViewer } from './harness.mjs';

const TOKEN = 'e2e-token-' + Math.random().toString(36).slice(2);
const screenshotPath = path.join(repoRoot, 'build', 'e2e', 'viewer.png');

describe('viewer page against a live server', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({ token: TOKEN });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  test('draws moving video live, with fps and latency in the overlay', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const res = await page.goto(`${server.base}/?token=${TOKEN}`);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), 'Framecast');

    const live = await waitForViewer(page, (v) => v.frames > 30, 10_000, 'more than 30 frames drawn');
    assert.equal(live.state, 'live');
    // Let the fps window fill before reading the overlay.
    await page.waitForTimeout(1200);
    const v = await viewerState(page);
    assert.ok(v.lastSeq > 0, `last seq ${v.lastSeq}`);
    assert.match(v.stats, /fps/);
    const latency = v.stats.match(/(\d+) ms/);
    assert.ok(latency, `no latency in overlay "${v.stats}"`);
    assert.ok(Number(latency[1]) < 500, `latency ${latency[1]} ms in "${v.stats}"`);
    assert.ok(v.latencyMs < 500, `data-latency-ms ${v.latencyMs}`);
    assert.match(v.stats, /\d+×\d+/, 'resolution shown');
    assert.equal(v.message, '', 'no status message while live');

    const colours = await canvasColours(page);
    assert.ok(colours.width > 0 && colours.height > 0, 'canvas has the frame size');
    assert.ok(colours.distinct > 1, `canvas is one colour (${JSON.stringify(colours)})`);

    // The server measures acks too: this viewer must show up with a latency.
    const state = await (await fetch(`${server.base}/api/state?token=${TOKEN}`)).json();
    assert.ok(state.viewers.some((x) => x.kind === 'ws'), `no ws viewer in ${JSON.stringify(state.viewers)}`);

    await fs.mkdir(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('closes its socket while the tab is hidden and resumes when shown', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 10_000, 'live');
    const setHidden = (hidden) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);

    await setHidden(true);
    const paused = await waitForViewer(page, (v) => v.state === 'paused', 2_000, 'paused');
    await page.waitForTimeout(500);
    const still = await viewerState(page);
    assert.ok(still.frames - paused.frames <= 2, `frames kept coming while hidden: ${paused.frames} → ${still.frames}`);

    await setHidden(false);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > still.frames + 10, 10_000, 'live again');
    await page.close();
  });

  test('a wrong token gets 401 and no frames', async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(`${server.base}/?token=wrong`);
    assert.equal(res.status(), 401);
    await page.waitForTimeout(1500);
    const frames = await page.evaluate(() => document.querySelector('[data-frames]')?.getAttribute('data-frames') ?? '0');
    assert.equal(frames, '0');
    await page.close();
  });
});

describe('viewer page when the server goes away', () => {
  let server;
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  test('shows "unreachable", reconnects, and reports a token that stopped working', async () => {
    server = await startServer({ token: TOKEN });
    const { port } = server;
    const page = await browser.context.newPage();
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 10_000, 'live');

    await server.kill('SIGKILL');
    const offline = await waitForViewer(page, (v) => v.state === 'offline', 10_000, 'offline');
    assert.match(offline.message, /Server unreachable — retrying in \d+s/);

    // Same port, same token: the viewer comes back by itself.
    server = await startServer({ token: TOKEN, port });
    const back = await waitForViewer(page, (v) => v.state === 'live', 20_000, 'live after restart');
    await waitForViewer(page, (v) => v.frames > back.frames + 10, 10_000, 'frames after restart');

    // Same port, new token: the old link is now invalid and the page says so.
    await server.kill('SIGKILL');
    await waitForViewer(page, (v) => v.state === 'offline', 10_000, 'offline again');
    server = await startServer({ token: TOKEN + '-rotated', port });
    const refused = await waitForViewer(page, (v) => v.state === 'unauthorized', 20_000, 'unauthorized');
    assert.match(refused.message, /This link is not valid/);
    await page.close();
  });
});
