// The desktop UI's layout in Chromium (fake bindings, real preview server):
// from its first paint until Go answers, and then with every panel full, at
// 1440×900 and at the smallest size it supports, 1024×640. The page must not
// scroll (the side column does, on its own), no text may run over other text
// or a control, no text may be cut without its whole in a title, the share
// links must show host, port and the start of the token, and the stats strip
// must show each figure whole. Screenshots go to build/e2e/ for a person.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TINY_PNG, openDesktopUI, token22, waitFor, waitReady } from './desktop-fake.mjs';
import { repoRoot } from './harness.mjs';
import { layoutFaults } from './layout.mjs';

const TOKEN = token22();
const shots = path.join(repoRoot, 'build', 'e2e');

let ui;
let page;

before(async () => {
  ui = await openDesktopUI(TOKEN, { width: 1440, height: 900 });
  ({ page } = ui);
});

after(async () => {
  await ui?.close();
});

test('with its address in the page the preview plays before Go has answered anything; without it, it waits', async () => {
  const frames = (p) => p.evaluate(() => Number(document.getElementById('preview').dataset.frames));
  const { page: early } = await ui.openPage({ gated: true, addressInPage: true });
  const { page: late } = await ui.openPage({ gated: true });
  try {
    await waitFor(async () => (await frames(early)) >= 3, 'the preview to draw frames while every binding waits', 15_000);
    assert.equal(await early.evaluate(() => document.querySelector('.app').getAttribute('aria-busy')), 'true', 'Go had answered');
    assert.equal(await frames(late), 0, 'without the address in the page the preview did not wait for Share');
    // Go's answer names the same address: the preview goes on, not started
    // again (a new preview starts at frame 0, "connecting").
    await early.evaluate(() => {
      const preview = document.getElementById('preview');
      window.__restarts = 0;
      new MutationObserver(() => {
        if (preview.dataset.frames === '0' || preview.dataset.state === 'connecting') window.__restarts++;
      }).observe(preview, { attributes: true, attributeFilter: ['data-frames', 'data-state'] });
      window.__release();
    });
    await waitReady(early);
    assert.equal(await early.evaluate(() => window.__restarts), 0, "the preview started again on Go's answer");
    assert.equal(await early.evaluate(() => document.getElementById('preview').dataset.state), 'live');
  } finally {
    await early.close();
    await late.close();
  }
});

test('until Go answers, the window is dark and its controls wait with "…", showing no stand-in values', async () => {
  const { page: slow } = await ui.openPage({ gated: true, width: 1024, height: 640 });
  try {
    const seen = await slow.evaluate(() => ({
      background: getComputedStyle(document.documentElement).backgroundColor,
      pill: document.getElementById('state').textContent,
      busy: document.querySelector('.app').getAttribute('aria-busy'),
      disabled: ['camera-fields', 'share-fields', 'push-fields', 'add-processor'].filter((id) => document.getElementById(id).disabled),
      resolution: document.getElementById('resolution').selectedOptions[0]?.text,
      fps: document.getElementById('fps').value,
      quality: document.getElementById('quality-number').value,
      placeholders: ['fps', 'quality-number', 'port'].map((id) => document.getElementById(id).placeholder),
      viewers: document.getElementById('st-viewers').textContent,
      empty: document.getElementById('chain-empty').checkVisibility(),
    }));
    assert.deepEqual(seen, {
      background: 'rgb(11, 13, 16)',
      pill: '…',
      busy: 'true',
      disabled: ['camera-fields', 'share-fields', 'push-fields', 'add-processor'],
      resolution: '…',
      fps: '',
      quality: '',
      placeholders: ['…', '…', '…'],
      viewers: '–',
      empty: false,
    });
    await fs.mkdir(shots, { recursive: true });
    await slow.screenshot({ path: path.join(shots, 'desktop-ui-loading-1024x640.png') });

    await slow.evaluate(() => window.__release());
    await waitReady(slow);
    const after = await slow.evaluate(() => ({
      pill: document.getElementById('state').textContent,
      resolution: document.getElementById('resolution').value,
      fps: document.getElementById('fps').value,
      enabled: !document.getElementById('camera-fields').disabled && !document.getElementById('share-fields').disabled,
    }));
    assert.deepEqual(after, { pill: 'LIVE', resolution: '720p', fps: '30', enabled: true });
  } finally {
    await slow.close();
  }
});

/** fill puts every panel in a busy state: long addresses, big figures, a chain, a push, notices. */
async function fill() {
  await waitReady(page);
  // A second camera with a long name: the list and the preview grid take room too.
  if ((await page.locator('#cameras li').count()) < 2) {
    await page.fill('#camera-new', 'inspection-line-3.north-side-camera');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await page.locator('#tiles .tile').count()) === 2, 'the preview grid');
  }
  // A "notice" (it fades after 8 s), an error and the start-up warning.
  await page.click('#new-link');
  await page.click('#pick-file');
  await waitFor(() => page.locator('.notice.is-error').count(), 'an error');
  const port = new URL(ui.server.base).port;
  await page.evaluate(
    ({ base, token, port, qr }) => {
      window.__emit('server:changed', {
        camera: 'camera', grid: [], port: Number(port), token, previewBase: `${base}/`, tls: false,
        links: [
          { url: `${base}/?token=${token}`, qr },
          { url: `http://192.168.100.200:${port}/?token=${token}`, qr },
          { url: `http://[2001:db8:85a3::8a2e:370:7334]:${port}/?token=${token}`, qr },
        ],
      });
      window.__emit('stream:stats', {
        source: '/home/operator/videos/a rather long name for the inspection line camera recording.mp4', state: 'live', enabled: true,
        captureFps: 120, outputFps: 119.9, width: 1920, height: 1080, quality: 80, maxWidth: 1920, maxHeight: 1080, fpsCap: 120,
        encodeMs: 12.3, frameBytes: 524288, error: '', process: [], chain: [], bandwidthBps: 156_250_000, remote: 3,
        jpegBitrate: 503_300_000, h264Bitrate: 24_400_000,
        viewers: [
          { id: 1, kind: 'ws', addr: '192.168.100.200:50123', fps: 119.9, drops: 12345, latencyMs: 1234, bytes: 1, since: '' },
          { id: 2, kind: 'ws', addr: '[2001:db8:85a3::8a2e:370:7334]:50124', fps: 29.9, drops: 2, latencyMs: 15, bytes: 1, since: '' },
          { id: 3, kind: 'legacy', addr: '10.0.0.7:41000', fps: 5, drops: 0, latencyMs: 0, bytes: 1, since: '' },
        ],
      });
    },
    { base: ui.server.base, token: TOKEN, port, qr: TINY_PNG },
  );
  for (const name of ['faces', 'motion']) {
    await page.selectOption('#add-processor', name);
    await page.click('#add-form button');
  }
  await waitFor(async () => (await page.locator('#chain .proc').count()) === 2, 'two processors');
  await page.getByText('Share over the internet').click();
  await page.getByLabel('Relay address').fill('wss://relay.example.com:8188');
  await page.getByLabel('Stream name').fill('line1');
  await page.locator('#push').getByLabel('Publish token', { exact: true }).fill('publish-token-0123456789');
  await page.getByRole('switch', { name: 'Push to the relay' }).click();
  await waitFor(async () => (await page.locator('#push-state').innerText()) === 'Connecting…', 'connecting');
  await page.evaluate(
    ({ token, qr }) =>
      window.__emit('push:status', {
        enabled: true, relay: 'wss://relay.example.com:8188', stream: 'line1', publishToken: 'publish-token-0123456789', state: 'retrying',
        error: 'dial tcp: lookup relay.example.com on 127.0.0.53:53: no such host; retrying in 4s', sent: 123456, viewers: 2,
        viewerUrl: `https://relay.example.com:8188/s/line1/?token=${token}`, qr,
      }),
    { token: TOKEN, qr: TINY_PNG },
  );
  await waitFor(async () => (await page.locator('#push-state').innerText()) === 'Retrying', 'retrying');
}

for (const [width, height] of [[1440, 900], [1024, 640]]) {
  test(`at ${width}×${height} the page does not scroll, no text runs over another or is cut, and the preview stays large`, async () => {
    if (width === 1440) await fill();
    await page.setViewportSize({ width, height });
    await page.evaluate(() => (document.querySelector('.side').scrollTop = 0));
    await page.waitForTimeout(300);
    assert.deepEqual(await layoutFaults(page), [], `the layout at ${width}×${height}`);
    assert.equal(await page.locator('.notice').count(), 3, 'one notice of each kind is shown');
    const canvas = await page.locator('#screen').boundingBox();
    assert.ok(canvas.width > width * 0.6 && canvas.height > height * 0.6, `preview only ${canvas.width}×${canvas.height}`);
    await fs.mkdir(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `desktop-ui-${width}x${height}.png`) });
    // The same window with the side column scrolled down to the push and the viewers.
    await page.locator('.viewers').scrollIntoViewIfNeeded();
    assert.deepEqual(await layoutFaults(page), [], `the layout at ${width}×${height}, scrolled`);
    await page.screenshot({ path: path.join(shots, `desktop-push-${width}x${height}.png`) });
    await page.evaluate(() => (document.querySelector('.side').scrollTop = 0));
  });
}

test('the stats strip shows every figure whole at 1024×640', async () => {
  const strip = await page.evaluate(() =>
    [...document.querySelectorAll('#strip dd')].map((dd) => {
      const range = document.createRange();
      range.selectNodeContents(dd);
      const text = range.getBoundingClientRect();
      const box = dd.getBoundingClientRect();
      // The text within its own box, and the box not cutting it.
      const whole = text.width <= box.width + 0.5 && dd.scrollWidth <= dd.clientWidth;
      return whole ? dd.textContent : `${dd.textContent} (${Math.round(text.width)} px in ${Math.round(box.width)})`;
    }),
  );
  assert.deepEqual(strip, ['120.0 fps', '119.9 fps', '12.3 ms', '1920×1080 · 512 KiB', 'JPEG 503.3 Mbit/s · H.264 24.4 Mbit/s', '1.25 Gbit/s', '3']);
});

test('share links show host, port and the start of the token, and the whole link on hover and in Copy', async () => {
  const port = new URL(ui.server.base).port;
  const links = await page.evaluate(() =>
    [...document.querySelectorAll('#links .link .url, #push-url')].map((u) => {
      const host = u.querySelector('.host');
      // host:port on one line where it fits one: an IPv6 address may not.
      const lines = Math.round(host.getBoundingClientRect().height / parseFloat(getComputedStyle(host).lineHeight));
      return { text: u.textContent, title: u.title, fits: u.scrollWidth <= u.clientWidth && (lines === 1 || host.textContent.startsWith('[')) };
    }),
  );
  const start = TOKEN.slice(0, 6);
  assert.deepEqual(links, [
    { text: `http://127.0.0.1:${port}/?token=${start}…${TOKEN.slice(-4)}`, title: `${ui.server.base}/?token=${TOKEN}`, fits: true },
    { text: `http://192.168.100.200:${port}/?token=${start}…${TOKEN.slice(-4)}`, title: `http://192.168.100.200:${port}/?token=${TOKEN}`, fits: true },
    { text: `http://[2001:db8:85a3::8a2e:370:7334]:${port}/?token=${start}…${TOKEN.slice(-4)}`, title: `http://[2001:db8:85a3::8a2e:370:7334]:${port}/?token=${TOKEN}`, fits: true },
    { text: `https://relay.example.com:8188/s/line1/?token=${start}…${TOKEN.slice(-4)}`, title: `https://relay.example.com:8188/s/line1/?token=${TOKEN}`, fits: true },
  ]);
  await page.locator('#links .link .copy').nth(1).click();
  const copied = await waitFor(async () => (await ui.lastCall('CopyText'))?.[1], 'CopyText');
  assert.equal(copied, `http://192.168.100.200:${port}/?token=${TOKEN}`);
});

test('a wheel over the preview scrolls nothing; the side column scrolls on its own', async () => {
  await page.evaluate(() => (document.querySelector('.side').scrollTop = 0));
  const where = () => page.evaluate(() => ({ page: document.scrollingElement.scrollTop, bar: document.querySelector('.bar').getBoundingClientRect().top, side: document.querySelector('.side').scrollTop }));
  await page.mouse.move(300, 300);
  await page.mouse.wheel(0, 600);
  await page.waitForTimeout(300);
  assert.deepEqual(await where(), { page: 0, bar: 0, side: 0 });
  await page.mouse.move(900, 300);
  await page.mouse.wheel(0, 600);
  await waitFor(async () => (await where()).side > 0, 'the side column to scroll');
  const now = await where();
  assert.equal(now.page, 0);
  assert.equal(now.bar, 0, 'the header stays');
});
