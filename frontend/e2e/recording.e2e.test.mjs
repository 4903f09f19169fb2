// End-to-end: a recording as a viewer finds it, all of it real: `framecast
// serve --record` records the test pattern with motion detection, and
// Debian's Chromium shows the page's timeline from the server's own
// api/recordings and api/detections, plays the server's clip.mp4 in a
// <video>, and downloads a clip ffprobe reads. (timeline.e2e.test.mjs
// checks the timeline against an hour of made-up history, which a test
// cannot record.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startServer, viewerState, waitForViewer, waitUntil as waitFor } from './harness.mjs';
import { savedPicture } from './viewer-page.mjs';

const TOKEN = 'e2e-recording-' + Math.random().toString(36).slice(2);
const STREAM = 'line-2';

describe('a recorded stream, served and played for real', () => {
  let server;
  let dir;
  let browser;
  let page;
  const errors = [];
  const clips = [];
  const clipStarts = []; // X-Clip-Start of each clip answered
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-recording-'));
    server = await startServer({
      token: TOKEN,
      args: ['--name', STREAM, '--width', '640', '--height', '360', '--process', 'motion', '--record', path.join(dir, 'rec')],
    });
    // Eight seconds on record before anybody looks.
    await waitFor(
      async () => (await (await fetch(`${server.base}/api/recordings?token=${TOKEN}`)).json()),
      (spans) => spans.length > 0 && Date.parse(spans.at(-1).end) - Date.parse(spans[0].start) > 8_000,
      60_000,
      '8 s recorded',
    );
    browser = await launchBrowser([], { viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.endsWith('/clip.mp4')) clips.push(u);
    });
    page.on('response', (r) => {
      const start = r.headers()['x-clip-start'];
      if (start) clipStarts.push(Date.parse(start));
    });
    await page.goto(`${server.base}/s/${STREAM}/?token=${TOKEN}`);
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, 'live frames');
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
    await server?.kill();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  test('the timeline shows what was recorded, with the motion the test pattern makes', async () => {
    await page.click('button[data-zoom="600000"]');
    const got = await waitFor(
      () =>
        page.evaluate(() => ({
          shown: document.getElementById('timeline').checkVisibility(),
          spans: document.querySelectorAll('#tl-spans .tl-span').length,
          motion: document.querySelectorAll('#tl-marks .tl-mark[data-label="motion"]').length,
        })),
      (t) => t.shown && t.spans > 0 && t.motion > 0,
      15_000,
      'the timeline with a span and motion marks',
    );
    assert.ok(got.spans >= 1);
  });

  test('a click on the recorded span plays the server’s clip in place of the live picture', async () => {
    const span = await page.locator('#tl-spans .tl-span').first().boundingBox();
    await page.mouse.click(span.x + Math.max(1, span.width * 0.2), span.y + span.height / 2);
    const p = await waitFor(
      () =>
        page.evaluate(() => {
          const v = document.getElementById('playback');
          return { video: v.checkVisibility(), currentTime: v.currentTime, videoWidth: v.videoWidth, error: v.error?.message ?? null };
        }),
      (p) => p.video && p.currentTime > 1 && p.videoWidth > 0,
      20_000,
      'the recording playing',
    );
    assert.equal(p.videoWidth, 640);
    assert.equal(p.error, null);
    assert.equal((await viewerState(page)).state, 'paused');
    const clip = clips.find((u) => u.searchParams.get('download') === null);
    assert.ok(clip, 'no clip.mp4 request');
    assert.equal(clip.pathname, `/s/${STREAM}/clip.mp4`);
    // The play head is where the picture was captured: the clip's own
    // start (the keyframe at or before the click), and how far it played.
    await waitFor(() => clipStarts.length, (n) => n > 0, 5_000, 'the clip start told');
    const at = await page.evaluate(() => {
      const track = document.getElementById('tl-track');
      const min = Number(track.getAttribute('aria-valuemin'));
      const max = Number(track.getAttribute('aria-valuemax'));
      return { head: min + (parseFloat(document.getElementById('tl-head').style.left) / 100) * (max - min), played: document.getElementById('playback').currentTime };
    });
    const want = clipStarts[0] + at.played * 1000;
    assert.ok(Math.abs(at.head - want) < 1_500, `the head at ${new Date(at.head).toISOString()}, the picture from ${new Date(want).toISOString()}`);
    assert.ok(clipStarts[0] <= Date.parse(clip.searchParams.get('start')), 'the clip starts after the time asked');
  });

  test('Download clip saves the server’s MP4, which ffprobe reads as the asked length', async () => {
    await page.selectOption('#tl-length', '5000');
    const file = await savedPicture(page, () => page.click('#tl-download'));
    const saved = path.join(dir, 'download.mp4');
    await fs.writeFile(saved, file.bytes);
    const { stdout } = await promisify(execFile)('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', saved,
    ]);
    const probe = JSON.parse(stdout);
    assert.equal(probe.streams[0].codec_name, 'h264');
    assert.equal(probe.streams[0].width, 640);
    assert.ok(Math.abs(Number(probe.format.duration) - 5) <= 0.05, `the clip is ${probe.format.duration} s, asked 5 s`);
    assert.match(file.name, new RegExp(`^${STREAM}-.*\\.mp4$`));
  });

  test('Live returns to the live picture', async () => {
    await page.click('#tl-live');
    const before = (await viewerState(page)).frames;
    await waitForViewer(page, (v) => v.state === 'live' && v.frames >= before + 10, 15_000, 'live frames drawn again');
  });
});
