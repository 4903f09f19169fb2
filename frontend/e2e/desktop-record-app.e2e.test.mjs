// The real desktop app under Xvfb records a camera: a click on its Record
// switch starts the recording (the camera's api/recordings answers with a
// span), the timeline under the preview shows the span, a click on it plays
// the recording in the preview's place (the window's live preview of the
// camera stops meanwhile), Export clip writes an MP4 that ffprobe reads as
// H.264 into the recordings folder's exports, and Live brings the preview
// back. HOME, the settings and the recordings (--recordings) are temporary
// folders. There is no way into the webview's DOM from here: where to click
// is measured on the same page in Chromium at the window's size
// (desktop-fake.mjs), and what the window shows is read off the screen.
// A screenshot of the window playing a recording is saved for a person to
// look at (build/e2e/desktop-record.png; docs/screenshot-desktop-record.png
// is one).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { OnScreen, findPage, startApp } from './desktop-app.mjs';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { freePort } from './harness.mjs';

const run = promisify(execFile);
const token = 'desktop-record-app-token-0123';

/** app is the desktop app started (desktop-app.mjs startApp); view its page on the screen. */
let app;
let view;
let port;
let recordings;
/** at are the places to click and look at, measured in Chromium (page coordinates). */
let at;

/** cameras are the settings file's two: line-1 is the one recorded, with motion detected (the timeline's marks). */
const cameras = [
  { name: 'line-1', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 15, enabled: true, process: [{ name: 'motion' }] }, token },
  { name: 'dock', stream: { source: 'test', quality: 70, maxWidth: 854, maxHeight: 480, fps: 15, enabled: true }, token },
];

/** api reads line-1's endpoint at rel (e.g. api/state) from the app's server: the status and the JSON. */
async function api(rel) {
  const res = await fetch(`http://127.0.0.1:${port}/s/line-1/${rel}${rel.includes('?') ? '&' : '?'}token=${token}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** previewing tells whether the window's preview of line-1 is connected (its viewers of kind "preview": the big one and the tile). */
async function previews() {
  const { body } = await api('api/state');
  return (body?.viewers ?? []).filter((v) => v.kind === 'preview').length;
}

/** down is r moved down by dy. */
const down = (r, dy) => ({ ...r, y: r.y + dy });

/**
 * measure opens the window's page in Chromium at the window's size, with
 * the same two cameras and line-1 recording, and reads where its parts are.
 */
async function measure(width, height) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-record-measure-'));
  const ui = await openDesktopUI('desktop-record-measure-token', { serverArgs: ['--record', dir], width, height });
  try {
    const { page } = ui;
    await waitReady(page);
    await page.fill('#camera-new', 'dock');
    await page.keyboard.press('Enter');
    await waitFor(() => page.isVisible('#tiles .tile[data-name="dock"]'), "dock's tile");
    await page.click('#cameras [aria-label="Show camera camera"]');
    await waitFor(async () => (await page.textContent('#camera-name')) === 'camera', 'camera selected');
    const rect = (selector) => page.locator(selector).first().boundingBox();
    const record = await rect('label:has(#record)');
    await page.getByRole('switch', { name: 'Record' }).check();
    await waitFor(() => page.isVisible('#timeline'), 'the timeline', 15_000);
    const out = { record, track: await rect('#tl-track'), zoom10: await rect('#timeline [data-zoom="600000"]'), exportClip: await rect('#tl-download') };
    // Playing, the Live button shows.
    await page.click('#timeline [data-zoom="600000"]');
    await waitFor(async () => (await page.locator('#tl-spans .tl-span').count()) > 0, 'a span', 15_000);
    const span = await rect('#tl-spans .tl-span');
    await page.mouse.click(span.x + span.width / 2, span.y + span.height / 2);
    await waitFor(() => page.isVisible('#tl-live'), 'Live');
    out.live = await rect('#tl-live');
    out.stage = await rect('#preview');
    return out;
  } finally {
    await ui.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

before(async () => {
  port = await freePort();
  app = await startApp({ name: 'desktop-record', settings: { port, tls: false, cameras }, args: (home) => ['--recordings', path.join(home, 'recordings')] });
  recordings = path.join(app.home, 'recordings');
});

after(async () => {
  view?.close();
  await app?.stop();
});

test('the window comes up with line-1 not recorded', async () => {
  await waitFor(
    async () => {
      assert.equal(app.proc.exitCode, null, `the app exited:\n${app.log()}`);
      return (await previews().catch(() => 0)) >= 2;
    },
    `the window's previews of line-1\n${app.log()}`,
    60_000,
  );
  assert.equal((await api('api/recordings')).status, 404, 'line-1 is recorded before Record is switched on');
  const { screen, box } = await findPage(app);
  view = new OnScreen(app, screen, box);
  at = await measure(view.box.width, view.box.height);
});

test('a click on Record records line-1: its recordings answer with a span', async () => {
  await view.click(at.record, 0.1);
  const spans = await waitFor(
    async () => {
      const { status, body } = await api('api/recordings');
      return status === 200 && body.length > 0 ? body : null;
    },
    'line-1 to have a recorded span',
    30_000,
  );
  assert.ok(Date.parse(spans[0].end) > Date.parse(spans[0].start));
  // dock is not recorded.
  const dock = await fetch(`http://127.0.0.1:${port}/s/dock/api/recordings?token=${token}`);
  assert.equal(dock.status, 404);
});

test('the timeline shows the span; a click on it plays the recording in place of the preview', async () => {
  const blue = [41, 70, 116]; // a span: rgba(59, 130, 246, 0.38) over the track
  // The recording so far is at the right end of the track (the last hour
  // shown). The window's figures under the preview are not Chromium's, so
  // the timeline may sit higher or lower: where the span is says by how much.
  const end = { x: at.track.x + at.track.width - 10, y: 0, width: 8, height: view.box.height };
  const found = await waitFor(
    async () => {
      const c = await view.colourIn(end, blue);
      return c.n > 100 ? c : null;
    },
    'a recorded span at the end of the timeline',
    30_000,
  ).catch(async (err) => {
    await view.shot('desktop-record-failed.png');
    throw err;
  });
  const dy = found.top - at.track.y;
  assert.ok(Math.abs(dy) < 80, `the track is ${dy} px off where Chromium puts it`);
  for (const k of ['track', 'zoom10', 'exportClip', 'live']) at[k] = down(at[k], dy);
  // Ten minutes shown, so the seconds recorded are a band to click.
  await view.click(at.zoom10);
  const band = await waitFor(
    async () => {
      const c = await view.colourIn(at.track, blue);
      return c.right - c.left >= 10 ? c : null;
    },
    'a recorded span of 10 px on the timeline',
    40_000,
  ).catch(async (err) => {
    await view.shot('desktop-record-failed.png');
    throw err;
  });
  const middle = { x: (band.left + band.right) / 2, y: at.track.y, width: 0, height: at.track.height };
  await view.click(middle);
  // The window's big preview of line-1 stops while the recording plays (its tile goes on).
  await waitFor(async () => (await previews()) === 1, 'the preview to stop for the recording', 15_000);
  // Live, red, in the timeline's bar; and the picture moves: the recording plays.
  const red = [0xe5, 0x48, 0x4d];
  const live = at.live.width * at.live.height;
  await waitFor(async () => (await view.colourIn(at.live, red)).n > live / 2, 'the Live button');
  // The picture moves (the live preview is stopped): the recording plays.
  const picture = { x: at.stage.x + 20, y: at.stage.y + 20, width: at.stage.width - 40, height: 150 };
  const first = await view.area(picture);
  await waitFor(async () => !(await view.area(picture)).equals(first), 'the recording to move', 10_000);
  // Still the recording: one that failed to play would have brought the preview back.
  assert.equal(await previews(), 1, 'the preview is back: the recording did not play');
  assert.ok((await view.colourIn(at.live, red)).n > live / 2, 'Live is gone: the recording did not play');
  // Letterboxed as the live picture is, not stretched to the stage: the
  // stage is wider than 16:9, so black bars beside the picture.
  const stageNow = { ...at.stage, height: at.track.y - at.stage.y - 60 };
  if (stageNow.width / stageNow.height > 16 / 9 + 0.1) {
    const bar = { x: at.stage.x + 2, y: at.stage.y + stageNow.height / 4, width: 6, height: stageNow.height / 2 };
    await waitFor(async () => (await view.colourIn(bar, [0, 0, 0])).n > 0.95 * bar.width * bar.height, 'the recording letterboxed', 10_000).catch(async (err) => {
      await view.shot('desktop-record-failed.png');
      throw err;
    });
  }
  console.log(`screenshot: ${await view.shot('desktop-record.png')}`);
});

test('Export clip writes an H.264 MP4 into the exports folder', async () => {
  await view.click(at.exportClip);
  const exports = path.join(recordings, 'exports');
  const file = await waitFor(
    async () => {
      const names = await fs.readdir(exports).catch(() => []);
      const mp4 = names.find((n) => /^line-1-\d{8}T\d{6}Z(-\d+)?\.mp4$/.test(n));
      return mp4 ? path.join(exports, mp4) : null;
    },
    `an exported clip in ${exports}\n${app.log()}`,
    30_000,
  );
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file]);
  const probe = JSON.parse(stdout);
  assert.equal(probe.streams[0].codec_name, 'h264');
  assert.deepEqual([probe.streams[0].width, probe.streams[0].height], [1280, 720]);
  assert.ok(Number(probe.format.duration) > 0.5, `the clip is ${probe.format.duration} s long`);
});

test('Live brings the preview back', async () => {
  await view.click(at.live);
  await waitFor(async () => (await previews()) >= 2, 'the preview back', 15_000);
});
