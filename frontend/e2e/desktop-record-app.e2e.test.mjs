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
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { savePNG, startXvfb } from './desktop-app.mjs';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { freePort, repoRoot, serverBin } from './harness.mjs';
import { Screen } from './xscreen.mjs';

const run = promisify(execFile);
const token = 'desktop-record-app-token-0123';
const shots = path.join(repoRoot, 'build', 'e2e');

let xvfb;
let display;
let app;
let appLog = '';
let port;
let home;
let recordings;
/** win is the window's X id; box the page's place and size on the screen, under the window's menu bar. */
let win;
let box;
/** at are the places to click and look at, measured in Chromium (page coordinates). */
let at;
let screen;

/** cameras are the settings file's two: line-1 is the one recorded, with motion detected (the timeline's marks). */
const cameras = [
  { name: 'line-1', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 15, enabled: true, process: [{ name: 'motion' }] }, token },
  { name: 'dock', stream: { source: 'test', quality: 70, maxWidth: 854, maxHeight: 480, fps: 15, enabled: true }, token },
];

const env = () => ({ ...process.env, DISPLAY: display });

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

/** click clicks the page at the centre of r, a rectangle in page coordinates (dx: how far across). */
async function click(r, dx = 0.5) {
  const x = Math.round(box.x + r.x + r.width * dx);
  const y = Math.round(box.y + r.y + r.height / 2);
  await run('xdotool', ['mousemove', String(x), String(y), 'click', '1'], { env: env() });
}

/** colourIn counts the pixels of rectangle r (page coordinates) within 40 of rgb in each channel, and where they are. */
async function colourIn(r, [cr, cg, cb]) {
  const pixels = await screen.grab();
  let n = 0;
  let left = Infinity;
  let right = -Infinity;
  let top = Infinity;
  let bottom = -Infinity;
  for (let y = Math.round(r.y); y < r.y + r.height; y++) {
    for (let x = Math.round(r.x); x < r.x + r.width; x++) {
      const i = ((box.y + y) * screen.width + box.x + x) * 4;
      if (Math.abs(pixels[i + 2] - cr) < 40 && Math.abs(pixels[i + 1] - cg) < 40 && Math.abs(pixels[i] - cb) < 40) {
        n++;
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return { n, left, right, top, bottom };
}

/** area is what the screen shows in rectangle r (page coordinates) now. */
async function area(r) {
  const pixels = await screen.grab();
  const rows = [];
  for (let y = Math.round(r.y); y < r.y + r.height; y++) {
    const i = ((box.y + y) * screen.width + box.x + Math.round(r.x)) * 4;
    rows.push(pixels.subarray(i, i + Math.round(r.width) * 4));
  }
  return Buffer.concat(rows);
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

/** shot saves the page as the screen shows it now into build/e2e/name, and returns the file's path. */
async function shot(name) {
  await fs.mkdir(shots, { recursive: true });
  const file = path.join(shots, name);
  await savePNG(await screen.grab(), screen.width, screen.height, file);
  await run('convert', [file, '-crop', `${box.width}x${box.height}+${box.x}+${box.y}`, '+repage', file]);
  return file;
}

before(async () => {
  ({ proc: xvfb, display } = await startXvfb());
  port = await freePort();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-desktop-record-'));
  recordings = path.join(home, 'recordings');
  const config = path.join(home, '.config');
  await fs.mkdir(path.join(config, 'framecast'), { recursive: true });
  await fs.writeFile(path.join(config, 'framecast', 'settings.json'), JSON.stringify({ port, tls: false, cameras }));
  app = spawn(serverBin, ['--recordings', recordings], {
    env: { ...process.env, HOME: home, DISPLAY: display, XDG_CONFIG_HOME: config, XDG_CACHE_HOME: path.join(home, '.cache'), WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c) => {
    appLog = (appLog + c).slice(-8000);
  };
  app.stdout.on('data', keep);
  app.stderr.on('data', keep);
});

after(async () => {
  screen?.close();
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await Promise.race([once(app, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  xvfb?.kill();
  if (home) await fs.rm(home, { recursive: true, force: true, maxRetries: 5 });
});

test('the window comes up with line-1 not recorded', async () => {
  await waitFor(
    async () => {
      assert.equal(app.exitCode, null, `the app exited:\n${appLog}`);
      return (await previews().catch(() => 0)) >= 2;
    },
    `the window's previews of line-1\n${appLog}`,
    60_000,
  );
  assert.equal((await api('api/recordings')).status, 404, 'line-1 is recorded before Record is switched on');
  const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', '^Framecast$'], { env: env() });
  win = stdout.trim().split('\n').pop();
  const geo = (await run('xdotool', ['getwindowgeometry', '--shell', win], { env: env() })).stdout;
  const g = Object.fromEntries(geo.trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
  screen = await Screen.open(display);
  // The page starts under the menu bar (light): at the first dark row.
  const pixels = await screen.grab();
  const dark = (y) => {
    const i = (y * screen.width + g.X + 8) * 4;
    return pixels[i] < 40 && pixels[i + 1] < 40 && pixels[i + 2] < 40;
  };
  let top = g.Y;
  while (top < g.Y + 100 && !dark(top)) top++;
  assert.ok(top < g.Y + 100, 'no page under the menu bar');
  box = { x: g.X, y: top, width: g.WIDTH, height: g.Y + g.HEIGHT - top };
  at = await measure(box.width, box.height);
});

test('a click on Record records line-1: its recordings answer with a span', async () => {
  await click(at.record, 0.1);
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
  const end = { x: at.track.x + at.track.width - 10, y: 0, width: 8, height: box.height };
  const found = await waitFor(
    async () => {
      const c = await colourIn(end, blue);
      return c.n > 100 ? c : null;
    },
    'a recorded span at the end of the timeline',
    30_000,
  ).catch(async (err) => {
    await shot('desktop-record-failed.png');
    throw err;
  });
  const dy = found.top - at.track.y;
  assert.ok(Math.abs(dy) < 80, `the track is ${dy} px off where Chromium puts it`);
  for (const k of ['track', 'zoom10', 'exportClip', 'live']) at[k] = down(at[k], dy);
  // Ten minutes shown, so the seconds recorded are a band to click.
  await click(at.zoom10);
  const band = await waitFor(
    async () => {
      const c = await colourIn(at.track, blue);
      return c.right - c.left >= 10 ? c : null;
    },
    'a recorded span of 10 px on the timeline',
    40_000,
  ).catch(async (err) => {
    await shot('desktop-record-failed.png');
    throw err;
  });
  const middle = { x: (band.left + band.right) / 2, y: at.track.y, width: 0, height: at.track.height };
  await click(middle);
  // The window's big preview of line-1 stops while the recording plays (its tile goes on).
  await waitFor(async () => (await previews()) === 1, 'the preview to stop for the recording', 15_000);
  // Live, red, in the timeline's bar; and the picture moves: the recording plays.
  const red = [0xe5, 0x48, 0x4d];
  const live = at.live.width * at.live.height;
  await waitFor(async () => (await colourIn(at.live, red)).n > live / 2, 'the Live button');
  // The picture moves (the live preview is stopped): the recording plays.
  const picture = { x: at.stage.x + 20, y: at.stage.y + 20, width: at.stage.width - 40, height: 150 };
  const first = await area(picture);
  await waitFor(async () => !(await area(picture)).equals(first), 'the recording to move', 10_000);
  // Still the recording: one that failed to play would have brought the preview back.
  assert.equal(await previews(), 1, 'the preview is back: the recording did not play');
  assert.ok((await colourIn(at.live, red)).n > live / 2, 'Live is gone: the recording did not play');
  // Letterboxed as the live picture is, not stretched to the stage: the
  // stage is wider than 16:9, so black bars beside the picture.
  const stageNow = { ...at.stage, height: at.track.y - at.stage.y - 60 };
  if (stageNow.width / stageNow.height > 16 / 9 + 0.1) {
    const bar = { x: at.stage.x + 2, y: at.stage.y + stageNow.height / 4, width: 6, height: stageNow.height / 2 };
    await waitFor(async () => (await colourIn(bar, [0, 0, 0])).n > 0.95 * bar.width * bar.height, 'the recording letterboxed', 10_000).catch(async (err) => {
      await shot('desktop-record-failed.png');
      throw err;
    });
  }
  console.log(`screenshot: ${await shot('desktop-record.png')}`);
});

test('Export clip writes an H.264 MP4 into the exports folder', async () => {
  await click(at.exportClip);
  const exports = path.join(recordings, 'exports');
  const file = await waitFor(
    async () => {
      const names = await fs.readdir(exports).catch(() => []);
      const mp4 = names.find((n) => /^line-1-\d{8}T\d{6}Z(-\d+)?\.mp4$/.test(n));
      return mp4 ? path.join(exports, mp4) : null;
    },
    `an exported clip in ${exports}\n${appLog}`,
    30_000,
  );
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file]);
  const probe = JSON.parse(stdout);
  assert.equal(probe.streams[0].codec_name, 'h264');
  assert.deepEqual([probe.streams[0].width, probe.streams[0].height], [1280, 720]);
  assert.ok(Number(probe.format.duration) > 0.5, `the clip is ${probe.format.duration} s long`);
});

test('Live brings the preview back', async () => {
  await click(at.live);
  await waitFor(async () => (await previews()) >= 2, 'the preview back', 15_000);
});
