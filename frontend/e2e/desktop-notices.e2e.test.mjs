// The desktop UI's notices in Chromium (fake bindings, real preview server):
// one per kind, a new one replacing the old; an error goes once what caused
// it is resolved; the skipped-frames warning goes when skipping stops; and
// coming or going, a notice never moves a control (a banner that closed
// itself once moved the panel under the pointer, and Copy became Apply).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { controlBoxes } from './layout.mjs';

const TOKEN = 'desktop-notices-token-' + Math.random().toString(36).slice(2);

let ui;
let page;

before(async () => {
  ui = await openDesktopUI(TOKEN, { width: 1024, height: 640 });
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

/** shown lists the notices as [kind, text], top first. */
const shown = () => page.locator('.notice').evaluateAll((ns) => ns.map((n) => [n.className.replace(/.*is-/, ''), n.querySelector('span').textContent]));

/** openSource types spec in the URL field and opens it. */
async function openSource(spec) {
  await page.fill('#url', spec);
  await page.click('#url-form button');
}

test('start-up notices are one warning', async () => {
  assert.deepEqual(await shown(), [['warning', 'settings file is not valid JSON; using defaults']]);
});

test('a second error replaces the first instead of stacking under it', async () => {
  await page.evaluate(() => (window.__refuseSource = 'open "rtsp://10.0.0.8/x": connection refused'));
  await openSource('rtsp://10.0.0.8/x');
  await waitFor(async () => (await shown()).some(([k, t]) => k === 'error' && t.includes('connection refused')), 'the source error');
  await page.evaluate(() => (window.__refuseSource = undefined));
  await page.click('#pick-file');
  await waitFor(async () => (await shown()).some(([k, t]) => k === 'error' && t.includes('not a video OpenCV can read')), 'the file error');
  assert.deepEqual((await shown()).filter(([k]) => k === 'error'), [['error', 'open video file "/tmp/broken.mp4": not a video OpenCV can read']]);
  assert.equal(await page.locator('.notice').count(), 2, 'one error and one warning');
});

test('a source error goes when a later source change works; an unrelated success leaves it', async () => {
  await page.evaluate(() => (window.__refuseSource = 'open video file "/srv/missing.mp4": no such file'));
  await openSource('/srv/missing.mp4');
  await waitFor(async () => (await shown()).some(([, t]) => t.includes('no such file')), 'the source error');
  await page.evaluate(() => (window.__refuseSource = undefined));
  // Changing the quality works, but is no answer to the source error.
  await page.locator('#quality').fill('50');
  await waitFor(async () => (await ui.lastCall('SetQuality'))?.[1] === 50, 'SetQuality');
  await page.waitForTimeout(200);
  assert.ok((await shown()).some(([, t]) => t.includes('no such file')), 'the source error went on an unrelated change');
  await openSource('/srv/line1.mp4');
  await waitFor(async () => !(await shown()).some(([k]) => k === 'error'), 'the source error to go');
});

test('the skipped-frames warning shows while frames are skipped, names why, and goes when skipping stops', async () => {
  const stats = (skipped, skipCause = 'processor:blur') => ({
    source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 20, width: 1280, height: 720, quality: 80,
    maxWidth: 1280, maxHeight: 720, fpsCap: 30, encodeMs: 4, frameBytes: 1, error: '', process: [], chain: [],
    bandwidthBps: 1, remote: 0, viewers: [], skipped, skipCause,
  });
  const emit = (n, cause) => page.evaluate((st) => window.__emit('stream:stats', st), stats(n, cause));
  // Frames skipped before the window opened are history, not a warning.
  await emit(100);
  await emit(100);
  assert.ok(!(await shown()).some(([, t]) => t.startsWith('Skipped')));
  // A frame skipped now and then, which Go names no cause for, is no warning.
  await emit(101, '');
  await emit(102, '');
  await page.waitForTimeout(200);
  assert.ok(!(await shown()).some(([, t]) => t.startsWith('Skipped')), 'warned of skips Go found no cause for');
  await emit(107);
  await emit(116);
  await waitFor(async () => (await shown()).some(([k, t]) => k === 'warning' && t === 'Skipped 14 frames: processing (blur) is slower than the source'), 'the warning');
  assert.equal((await shown()).filter(([k]) => k === 'warning').length, 1, 'one warning: it replaced the start-up one');
  // The counter stands still, as it does when processing keeps up again.
  const stopped = Date.now();
  for (let i = 0; i < 12 && (await shown()).some(([, t]) => t.startsWith('Skipped')); i++) {
    await emit(116);
    await page.waitForTimeout(250);
  }
  assert.ok(!(await shown()).some(([, t]) => t.startsWith('Skipped')), 'the warning stayed after skipping stopped');
  assert.ok(Date.now() - stopped >= 1500, 'the warning went before the counter had stood still for a while');
});

test('a port or HTTPS change says how many remote viewers it disconnected, and a frames warning does not replace it', async () => {
  await page.evaluate(() => (window.__movedBy = 2));
  await page.click('#tls');
  const moved = '2 remote viewers were disconnected: send them the new link.';
  await waitFor(async () => (await shown()).some(([k, t]) => k === 'notice' && t === moved), 'the notice');
  // Frames skipped right after (the preview reconnecting): the warning comes beside it.
  await page.evaluate(() => {
    const st = (skipped) => ({
      source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 20, width: 1280, height: 720, quality: 80,
      maxWidth: 1280, maxHeight: 720, fpsCap: 30, encodeMs: 4, frameBytes: 1, error: '', process: [], chain: [],
      bandwidthBps: 1, remote: 0, viewers: [], skipped, skipCause: 'cpu',
    });
    window.__emit('stream:stats', st(500));
    window.__emit('stream:stats', st(503));
  });
  await waitFor(async () => (await shown()).some(([k, t]) => k === 'warning' && t.startsWith('Skipped')), 'the frames warning');
  assert.ok((await shown()).some(([k, t]) => k === 'notice' && t === moved), 'the frames warning took the place of the moved notice');
  await page.evaluate(() => (window.__movedBy = 0));
  await page.click('#tls');
});

test('notices float: coming and going they move no control', async () => {
  // A refused file puts back the source in force, which may rename it in
  // the header: once before measuring, so only the notices can move things.
  await page.click('#pick-file');
  await waitFor(() => page.locator('.notice.is-error').count(), 'the file error');
  while ((await page.locator('.notice').count()) > 0) await page.locator('.notice .dismiss').first().click();
  assert.equal(await page.locator('.notice').count(), 0);
  const bare = await controlBoxes(page);
  // One of each kind: a fading notice (New link), an error and a warning.
  await page.click('#new-link');
  await page.click('#pick-file');
  await page.evaluate(() => window.__emit('app:notice', 'settings could not be saved: no space left on device'));
  await waitFor(async () => (await page.locator('.notice').count()) === 3, 'three notices');
  assert.deepEqual(await controlBoxes(page), bare, 'showing notices moved controls');
  // They cover the preview only: not the header, the side column or the stats strip.
  const inside = await page.evaluate(() => {
    const stage = document.getElementById('preview').getBoundingClientRect();
    return [...document.querySelectorAll('.notice')].every((n) => {
      const r = n.getBoundingClientRect();
      return r.left >= stage.left && r.right <= stage.right && r.top >= stage.top && r.bottom <= stage.bottom;
    });
  });
  assert.ok(inside, 'a notice lies outside the preview');
  await page.locator('.notice.is-error .dismiss').click();
  assert.deepEqual(await controlBoxes(page), bare, 'dismissing a notice moved controls');
  // The fading one goes by itself; Copy is where it was all along.
  await waitFor(async () => (await page.locator('.notice.is-notice').count()) === 0, 'the notice to fade', 10_000);
  assert.deepEqual(await controlBoxes(page), bare, 'a notice that went by itself moved controls');
});
