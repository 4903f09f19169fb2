// The desktop UI's recording in Chromium, with the Wails bindings replaced
// by a recording stand-in (desktop-bindings.mjs) and the preview and the
// recordings on a real framecast server started with --record. The server
// records from its start; until the fake's SetRecord switches the camera
// on, a route answers its api/recordings 404 "not recorded", as Go's
// server does for a camera not set to record. Checks the Record switch
// (SetRecord, REC in the list and on the tile, a recording error shown
// plainly), that the timeline appears once the camera records and plays
// the server's clip in the preview's place until Live, that Export clip
// calls ExportClip with the span picked and says where the file went, and
// that selecting another camera ends the timeline. (The real window under
// Xvfb records and exports in desktop-record-app.e2e.test.mjs.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { repoRoot } from './harness.mjs';
import { layoutFaults } from './layout.mjs';

const TOKEN = 'desktop-record-token-' + Math.random().toString(36).slice(2);
const shots = path.join(repoRoot, 'build', 'e2e');

let ui;
let page;
let dir;
/** recorded: the fake's SetRecord has switched the camera on, so its api/recordings answers. */
let recorded = false;
/** asked counts the api/recordings requests the page made. */
let asked = 0;
const lastCall = (name) => ui.lastCall(name);

/** shown tells whether the element at selector is shown. */
const shown = (selector) => page.locator(selector).first().isVisible();

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-desktop-record-'));
  ui = await openDesktopUI(TOKEN, {
    serverArgs: ['--record', dir],
    beforeOpen: async (p) => {
      await p.exposeFunction('__recordSwitched', async (_camera, on) => {
        recorded = on;
      });
      await p.route(
        (url) => url.pathname.endsWith('/api/recordings'),
        (route) => {
          asked++;
          if (recorded) return route.fallback();
          return route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: 'this stream is not recorded' }) });
        },
      );
    },
  });
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('a camera not recorded: the switch is off, no REC, no timeline', async () => {
  await waitFor(() => asked > 0, 'the page to ask api/recordings');
  assert.equal(await page.isChecked('#record'), false);
  assert.equal(await shown('#cameras .cam-rec'), false, 'REC on a camera not recorded');
  // The 404 came back by now: the page asked once and stays as it is.
  await waitFor(async () => (await page.evaluate(() => document.getElementById('timeline').hidden)) === true, 'the timeline hidden');
  assert.equal(await shown('#timeline'), false);
});

test('Record on: SetRecord(true), REC on the camera and its tile, and the timeline shows the recorded span', async () => {
  // A second camera, so the grid shows tiles; then back to the first.
  await page.fill('#camera-new', 'dock');
  await page.keyboard.press('Enter');
  await waitFor(() => shown('#tiles .tile[data-name="dock"]'), "dock's tile");
  await page.click('#cameras [aria-label="Show camera camera"]');
  await waitFor(async () => (await page.textContent('#camera-name')) === 'camera', 'camera selected');

  await page.getByRole('switch', { name: 'Record' }).check();
  assert.deepEqual(await waitFor(() => lastCall('SetRecord'), 'SetRecord'), ['SetRecord', true]);
  await waitFor(() => shown('#cameras li[data-name="camera"] .cam-rec'), 'REC on the camera in the list');
  assert.equal(await shown('#cameras li[data-name="dock"] .cam-rec'), false, 'REC on dock, which does not record');
  await waitFor(() => shown('#tiles .tile[data-name="camera"] .tile-rec'), "REC on the camera's tile");
  assert.equal(await shown('#tiles .tile[data-name="dock"] .tile-rec'), false, "REC on dock's tile");
  assert.equal(await shown('#record-error'), false, 'an error shown while recording works');

  // The timeline comes with the first 200, and shades what the server recorded since it started.
  await waitFor(() => shown('#timeline'), 'the timeline');
  await waitFor(async () => (await page.locator('#tl-spans .tl-span').count()) > 0, 'a recorded span on the track', 15_000);
  assert.equal(await page.textContent('#tl-download'), 'Export clip');
  assert.equal(await page.isEnabled('#tl-download'), true);
  assert.match(await page.getAttribute('#tl-download', 'title'), /^Export 30 s from \d\d:\d\d:\d\d$/);
});

test("a camera that cannot record says why, under the switch and on its REC", async () => {
  await page.evaluate(() => (window.__recordError = 'disk full: no space left on device; recording stopped'));
  await page.getByRole('switch', { name: 'Record' }).uncheck();
  await waitFor(async () => (await shown('#cameras li[data-name="camera"] .cam-rec')) === false, 'REC gone with Record off');
  await page.getByRole('switch', { name: 'Record' }).check();
  await waitFor(() => shown('#record-error'), 'the error under the switch');
  assert.equal(await page.textContent('#record-error'), 'Not recording: disk full: no space left on device; recording stopped');
  const rec = page.locator('#cameras li[data-name="camera"] .cam-rec');
  assert.equal(await rec.getAttribute('data-problem'), '');
  assert.match(await rec.getAttribute('title'), /disk full/);
  // It records again: the error goes.
  await page.evaluate(() => delete window.__recordError);
  await page.getByRole('switch', { name: 'Record' }).uncheck();
  await page.getByRole('switch', { name: 'Record' }).check();
  await waitFor(async () => (await shown('#record-error')) === false, 'the error gone');
  assert.equal(await rec.getAttribute('data-problem'), null);
});

test('a click on the span plays the recording in the preview\'s place; Live brings the preview back', async () => {
  // Ten minutes shown: the seconds recorded so far are a band to click.
  await page.click('#timeline [data-zoom="600000"]');
  await waitFor(async () => (await page.locator('#tl-spans .tl-span').last().boundingBox())?.width >= 8, 'a span 8 px wide', 15_000);
  const span = await page.locator('#tl-spans .tl-span').last().boundingBox();
  // Inside the span, halfway, so the clip has seconds to play.
  await page.mouse.click(span.x + span.width / 2, span.y + span.height / 2);
  await waitFor(() => shown('#playback'), 'the recording shown');
  assert.equal(await shown('#screen'), false, 'the live preview beside the recording');
  assert.equal(await page.getAttribute('#preview', 'data-playback'), 'true');
  assert.equal(await shown('#overlay'), false, "the live figures over the recording");
  // It really plays: the server's clip, decoded.
  await waitFor(() => page.evaluate(() => document.getElementById('playback').currentTime > 0.3), 'the clip to play', 15_000);
  assert.match(await page.getAttribute('#playback', 'src'), /\/clip\.mp4\?token=.*&start=.*&duration=\d+s$/);
  assert.match(await page.textContent('#tl-time'), /▶ Playing · \d\d:\d\d:\d\d/);
  await fs.mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'desktop-record-fake.png') });

  await page.click('#tl-live');
  await waitFor(() => shown('#screen'), 'the live preview back');
  assert.equal(await shown('#playback'), false);
  assert.equal(await page.getAttribute('#preview', 'data-playback'), null);
  const frames = Number(await page.getAttribute('#preview', 'data-frames'));
  await waitFor(async () => Number(await page.getAttribute('#preview', 'data-frames')) > frames + 3, 'the preview live again');
});

test('Export clip exports the time picked, the length chosen, and says where the file is', async () => {
  // A time picked by keyboard: 10 s (a sixtieth of the ten minutes shown) before now.
  await page.focus('#tl-track');
  await page.keyboard.press('ArrowLeft');
  const picked = Number(await page.getAttribute('#tl-track', 'aria-valuenow'));
  assert.ok(Date.now() - picked > 5_000 && Date.now() - picked < 15_000, `picked ${new Date(picked).toISOString()}`);
  await page.selectOption('#tl-length', '5000');
  assert.match(await page.getAttribute('#tl-download', 'title'), /^Export 5 s from /);
  await page.click('#tl-download');
  const call = await waitFor(() => lastCall('ExportClip'), 'ExportClip');
  assert.deepEqual(call, ['ExportClip', new Date(picked).toISOString(), 5]);
  await waitFor(() => shown('#notices .notice.is-notice'), 'the notice');
  assert.match(await page.textContent('#notices .notice.is-notice'), /^Clip saved: \/home\/operator\/Videos\/Framecast\/exports\/camera-\d{8}T\d{6}Z\.mp4/);

  // While a recording plays, paused: from the picture shown.
  await page.focus('#tl-track');
  await page.keyboard.press('Enter');
  await waitFor(() => page.evaluate(() => document.getElementById('playback').currentTime > 0.3), 'the clip to play', 15_000);
  await page.click('#tl-pause');
  await waitFor(async () => (await page.textContent('#tl-time')).startsWith('❚❚ Paused'), 'paused');
  await page.selectOption('#tl-length', '60000');
  const at = await page.evaluate(() => Number(document.getElementById('tl-track').getAttribute('aria-valuenow')));
  await page.click('#tl-download');
  await waitFor(async () => (await lastCall('ExportClip'))?.[2] === 60, 'ExportClip of a minute');
  const [, start] = await lastCall('ExportClip');
  // aria-valuenow is the position rounded to the millisecond.
  assert.ok(Math.abs(Date.parse(start) - at) <= 1, `exported from ${start}, the picture shown is from ${new Date(at).toISOString()}`);
  await page.click('#tl-live');
  await waitFor(() => shown('#screen'), 'the live preview back');
});

test('an export Go refuses is shown as an error', async () => {
  await page.getByRole('switch', { name: 'Record' }).uncheck();
  await waitFor(async () => (await lastCall('SetRecord'))?.[1] === false, 'SetRecord(false)');
  await page.click('#tl-download');
  await waitFor(() => shown('#notices .notice.is-error'), 'the error');
  assert.equal(await page.textContent('#notices .notice.is-error span'), 'Export clip: nothing was recorded then');
});

test('selecting another camera ends the timeline; one not recorded shows none', async () => {
  // The timeline of camera stays while it is selected: what it recorded is still there.
  assert.equal(await shown('#timeline'), true);
  const before = asked;
  await page.click('#cameras [aria-label="Show camera dock"]');
  await waitFor(() => asked > before, "dock's api/recordings asked");
  await waitFor(async () => (await shown('#timeline')) === false, 'the timeline gone');
  assert.equal(await page.isChecked('#record'), false, "dock's switch");
});

test('at 1024×640 with two cameras and a recording playing, nothing runs over or is cut, and the preview stays large', async () => {
  // A page of its own: the server records from its start, so the timeline shows at once.
  const { page: small } = await ui.openPage({ width: 1024, height: 640 });
  try {
    await waitReady(small);
    await small.fill('#camera-new', 'dock');
    await small.keyboard.press('Enter');
    await waitFor(() => small.locator('#tiles .tile[data-name="dock"]').isVisible(), "dock's tile");
    await small.click('#cameras [aria-label="Show camera camera"]');
    await small.getByRole('switch', { name: 'Record' }).check();
    await waitFor(() => small.locator('#timeline').isVisible(), 'the timeline');
    await small.focus('#tl-track');
    await small.keyboard.press('Enter');
    await waitFor(() => small.locator('#tl-live').isVisible(), 'Live');
    assert.deepEqual(await layoutFaults(small), [], 'the layout at 1024×640');
    const stage = await small.locator('#preview').boundingBox();
    assert.ok(stage.height >= 200, `the preview is ${stage.height} px tall`);
    await small.screenshot({ path: path.join(shots, 'desktop-record-1024x640.png') });
  } finally {
    await small.close();
  }
});
