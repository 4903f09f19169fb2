// The external producer source of the desktop UI (dist/index.html) in
// Chromium, with fake bindings and its preview on a real framecast server:
// choosing it in the source picker sets the camera's source to ingest; the
// panel shows the producer URLs, the publish token (hidden until Show) and
// the Python snippet, each with Copy, and whether a producer is sending,
// from the stream's state; other sources hide it; the layout holds at
// 1440×900 and 1024×640. (The real window with a real producer is
// desktop-ingest-app.e2e.test.mjs's.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDesktopUI, token22, waitFor, waitReady } from './desktop-fake.mjs';
import { repoRoot } from './harness.mjs';
import { layoutFaults } from './layout.mjs';

const TOKEN = token22();
const shots = path.join(repoRoot, 'build', 'e2e');

let ui;
let page;
const lastCall = (name) => ui.lastCall(name);
/** ingestInfo is what the fake Go answers IngestInfo now. */
/**
 * ingestInfo is what Go answers, with the token and the three-line snippet
 * the panel shows around its Publisher line.
 */
const ingestInfo = async () => {
  const info = await page.evaluate(() => window.go.app.App.IngestInfo());
  const snippet = info.python ? `import framecast\npub = ${info.python}\npub.send(frame, detections)` : '';
  return { urls: info.urls, token: info.publishToken, snippet };
};
const panelShown = () => page.locator('#ingest').isVisible();

/** emitState sends a stats event of the selected camera with its source, state and error. */
async function emitState(source, state, error = '') {
  await page.evaluate(
    async ({ source, state, error }) => window.__emit('stream:stats', { ...(await window.go.app.App.State()), source, state, error }),
    { source, state, error },
  );
}

before(async () => {
  ui = await openDesktopUI(TOKEN, { width: 1440, height: 900 });
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

test('the picker offers the external producer, and choosing it sets the source to ingest', async () => {
  assert.equal(await panelShown(), false, 'the panel shows for the test pattern');
  const option = page.locator('#source option[value="ingest"]');
  assert.equal(await option.innerText(), 'External producer (Python, another program)');
  await page.selectOption('#source', 'ingest');
  assert.deepEqual(await waitFor(() => lastCall('SetSource'), 'SetSource'), ['SetSource', 'ingest']);
  await waitFor(panelShown, 'the external producer panel');
  assert.equal(await page.locator('#source').inputValue(), 'ingest');
  assert.equal(await page.locator('#source-name').innerText(), 'External producer');
});

test('the panel shows each producer URL, the token and the snippet, the token hidden in all three until Show', async () => {
  const info = await ingestInfo();
  assert.equal(info.urls.length, 2);
  assert.ok(info.token.length >= 16, `token ${info.token.length} characters`);
  // Each URL in its title (the token hidden there too); host and port shown whole.
  const urls = page.locator('#ingest-urls .url');
  const titles = () => urls.evaluateAll((spans) => spans.map((s) => s.title));
  const masked = info.urls.map((u) => u.replace(info.token, '••••••••'));
  assert.notDeepEqual(masked, info.urls, "the fake's URLs carry no token");
  assert.deepEqual(await titles(), masked);
  for (const [i, url] of info.urls.entries()) {
    const text = await urls.nth(i).innerText();
    assert.ok(text.includes(new URL(url).host), `URL ${i} shows no host:port`);
    assert.ok(!text.includes(info.token.slice(0, 6)), `URL ${i} shows the token: ${text}`);
  }
  assert.ok(!(await page.locator('#ingest').innerHTML()).includes(info.token.slice(0, 6)), 'the token is in the panel before Show');

  const box = page.locator('#ingest-token');
  assert.equal(await box.getAttribute('type'), 'password');
  assert.equal(await box.inputValue(), info.token);
  const snippet = page.locator('#ingest-snippet');
  const hidden = await snippet.innerText();
  assert.ok(!hidden.includes(info.token), 'the snippet shows the hidden token');
  assert.equal(hidden.split('\n').length, 3, hidden);
  assert.match(hidden, /^import framecast\npub = framecast\.Publisher\("ws:\/\/[^"]+\/ingest\/camera", publish_token="•+"\)\npub\.send\(frame, detections\)$/);

  await page.getByRole('button', { name: 'Show publish token' }).click();
  assert.equal(await box.getAttribute('type'), 'text');
  assert.equal(await snippet.innerText(), info.snippet);
  assert.deepEqual(await titles(), info.urls);
  await page.getByRole('button', { name: 'Hide publish token' }).click();
  assert.equal(await box.getAttribute('type'), 'password');
  assert.equal(await snippet.innerText(), hidden);
  assert.deepEqual(await titles(), masked);
});

test('Copy puts a URL, the token and the whole snippet on the clipboard', async () => {
  const info = await ingestInfo();
  await page.getByRole('button', { name: `Copy the producer URL of ${new URL(info.urls[1]).host}` }).click();
  assert.deepEqual(await waitFor(() => lastCall('CopyText'), 'CopyText'), ['CopyText', info.urls[1]]);
  const copied = (text) => waitFor(async () => (await lastCall('CopyText'))?.[1] === text, `${JSON.stringify(text)} copied`);
  await page.getByRole('button', { name: 'Copy the publish token' }).click();
  await copied(info.token);
  // The token is hidden on screen; the URL and the snippet copied have it.
  assert.ok(info.urls[1].includes(info.token));
  await page.getByRole('button', { name: 'Copy the Python snippet' }).click();
  await copied(info.snippet);
  assert.ok(info.snippet.includes(info.token));
  await waitFor(async () => (await page.locator('#ingest-snippet-copy').innerText()) === 'Copied', 'the button to say Copied');
});

test('the state says the app waits for the producer under NO SIGNAL, and that it is connected when live', async () => {
  const state = () => page.locator('#ingest-state').innerText();
  const tone = () => page.getAttribute('#ingest-status', 'data-tone');
  await emitState('ingest', 'no-signal', 'waiting for the producer');
  await waitFor(async () => (await state()) === 'Waiting for the producer', 'waiting');
  assert.equal(await tone(), 'warn');
  assert.equal(await page.locator('#ingest-detail').isVisible(), false, 'the reason repeats the label');
  assert.equal(await page.locator('#state').innerText(), 'NO SIGNAL');

  await emitState('ingest', 'live');
  await waitFor(async () => (await state()) === 'Producer connected', 'connected');
  assert.equal(await tone(), 'ok');

  // After 2 s without a frame the engine says why.
  await emitState('ingest', 'no-signal', 'no frame from the producer for 2s');
  await waitFor(async () => (await state()) === 'Waiting for the producer', 'waiting again');
  assert.equal(await page.locator('#ingest-detail').innerText(), 'no frame from the producer for 2s');

  // Stats of a camera just left, of another source, say nothing of this one.
  await emitState('test', 'live');
  await emitState('ingest', 'live');
  await waitFor(async () => (await state()) === 'Producer connected', 'connected again');
  await emitState('test', 'no-signal', 'camera 0 unplugged');
  await page.waitForFunction(() => document.getElementById('source-name')?.textContent === 'Test pattern');
  assert.equal(await state(), 'Producer connected');
  await emitState('ingest', 'live');
});

test('HTTPS moves the producer URLs to wss://', async () => {
  await page.click('#tls');
  assert.deepEqual(await waitFor(() => lastCall('SetTLS'), 'SetTLS'), ['SetTLS', true]);
  await waitFor(
    async () => (await page.locator('#ingest-urls .url').evaluateAll((s) => s.map((x) => x.title))).every((u) => u.startsWith('wss://')),
    'wss:// URLs',
  );
  assert.match(await page.locator('#ingest-snippet').innerText(), /Publisher\("wss:\/\//);
  await page.click('#tls');
  await waitFor(async () => (await lastCall('SetTLS'))?.[1] === false, 'HTTPS off');
  await waitFor(async () => (await page.locator('#ingest-urls .url').first().getAttribute('title'))?.startsWith('ws://'), 'ws:// URLs');
});

for (const [width, height] of [[1440, 900], [1024, 640]]) {
  test(`at ${width}×${height} the panel, its token shown, holds together`, async () => {
    await page.setViewportSize({ width, height });
    if ((await page.getAttribute('#ingest-token', 'type')) === 'password') await page.click('#ingest-token-show');
    await page.locator('#ingest').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    assert.deepEqual(await layoutFaults(page), [], `the layout at ${width}×${height}`);
    // The snippet wraps in the column: none of it runs out of its box.
    const fits = await page.evaluate(() => {
      const pre = document.querySelector('.snippet');
      return pre.scrollWidth <= pre.clientWidth;
    });
    assert.ok(fits, 'the snippet runs out of its box');
    await fs.mkdir(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `desktop-ingest-${width}x${height}.png`) });
  });
}

test('another source hides the panel; the producer comes back with its token', async () => {
  const before = (await ingestInfo()).token;
  await page.selectOption('#source', 'test');
  await waitFor(async () => !(await panelShown()), 'the panel to go');
  assert.deepEqual(await ingestInfo(), { urls: [], token: '', snippet: '' });
  await page.selectOption('#source', 'ingest');
  await waitFor(panelShown, 'the panel back');
  assert.equal(await page.locator('#ingest-token').inputValue(), before);
  // Not kept among the recent files and URLs: it is always offered.
  assert.equal(await page.locator('#source optgroup[label="Recent"] option[value="ingest"]').count(), 0);
});
