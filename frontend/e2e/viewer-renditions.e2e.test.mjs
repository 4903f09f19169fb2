// End-to-end: the viewer page's rendition menu in Debian's Chromium, with a
// hello that offers a full ladder: the page's WebSocket is routed through
// the test to the real server, which adds the ladder to hello and to each
// frame the rendition the server would send. (The menu with the real
// server's own hello is in viewer-controls.e2e.test.mjs.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, repoRoot, startServer, waitForViewer } from './harness.mjs';
import { askedFor, AUTO_HIDE_MS, menu, routeWithLadder, waitControls } from './viewer-page.mjs';

const TOKEN = 'e2e-renditions-' + Math.random().toString(36).slice(2);
const shots = path.join(repoRoot, 'build', 'e2e');

let server;
before(async () => {
  server = await startServer({ token: TOKEN });
  await fs.mkdir(shots, { recursive: true });
});
after(async () => {
  await server?.kill();
});

describe('the rendition menu with a hello that offers renditions', () => {
  let browser;
  let page;
  const errors = [];
  before(async () => {
    browser = await launchBrowser([], { viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
  });

  test('lists Auto and the renditions, says which one the frames are, and reconnects with ?rendition= when one is picked', async () => {
    const urls = await routeWithLadder(page);
    await page.goto(`${server.base}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
    await page.waitForFunction(() => document.getElementById('viewer').dataset.rendition === '360p', null, { timeout: 5_000 });
    let m = await menu(page);
    assert.deepEqual(m, { shown: true, value: 'auto', options: ['Auto · 360p', '720p', '360p', '240p', '180p'], rendition: '360p' });
    assert.equal(askedFor(urls.at(-1)), null, 'auto asks for no rendition');
    await page.mouse.move(640, 300);
    await waitControls(page, true, 1_000, 'shown');
    await page.screenshot({ path: path.join(shots, 'viewer-controls-1280x720.png') });

    await page.selectOption('#rendition', '240p');
    await page.waitForFunction(() => document.getElementById('viewer').dataset.rendition === '240p', null, { timeout: 5_000 });
    assert.equal(urls.length, 2, `sockets: ${urls}`);
    assert.equal(askedFor(urls[1]), '240p');
    assert.equal(new URL(urls[1]).searchParams.get('token'), TOKEN);
    m = await menu(page);
    assert.equal(m.value, '240p');
    assert.equal(m.options[0], 'Auto');
    // The address keeps the choice, and the token.
    const here = new URL(page.url());
    assert.equal(here.searchParams.get('rendition'), '240p');
    assert.equal(here.searchParams.get('token'), TOKEN);

    await page.reload();
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 1, 15_000, 'live after reload');
    assert.equal(askedFor(urls.at(-1)), '240p', 'a reload forgot the rendition');
    assert.equal((await menu(page)).value, '240p');

    // Picked with the mouse, the menu lets the bar go once the mouse leaves it.
    await page.mouse.move(640, 300);
    await waitControls(page, true, 1_000, 'shown');
    const at = await page.locator('#rendition').boundingBox();
    await page.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
    await page.selectOption('#rendition', '180p');
    await page.waitForFunction(() => document.getElementById('viewer').dataset.rendition === '180p', null, { timeout: 5_000 });
    await page.mouse.move(640, 300);
    await waitControls(page, false, AUTO_HIDE_MS + 1_500, 'gone after a pick with the mouse');
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'rendition', 'the menu kept the focus, and with it f and s');

    // The keyboard works the menu too.
    await page.focus('#rendition');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.getElementById('viewer').dataset.rendition === '360p', null, { timeout: 5_000 });
    assert.equal(askedFor(urls.at(-1)), null);
    assert.equal(new URL(page.url()).searchParams.has('rendition'), false);
    assert.equal((await menu(page)).options[0], 'Auto · 360p');
  });

  test('a link pinned to a rendition the server refuses falls back to auto', async () => {
    const stale = await browser.context.newPage();
    stale.on('pageerror', (err) => errors.push(err.message));
    const urls = await routeWithLadder(stale);
    await stale.goto(`${server.base}/?token=${TOKEN}&rendition=1080p`);
    await waitForViewer(stale, (v) => v.state === 'live' && v.frames > 1, 15_000, 'live after the refusal');
    assert.equal(askedFor(urls[0]), '1080p');
    assert.equal(askedFor(urls.at(-1)), null);
    assert.equal(new URL(stale.url()).searchParams.has('rendition'), false);
    assert.equal((await menu(stale)).value, 'auto');
    await stale.close();
  });
});
