// The real desktop app under Xvfb with two cameras, from a settings file
// that lists them: both run on one port, the window previews the selected
// one and shows a live tile of each (each camera counts the window's
// previews among its viewers), the terminal prints the link to all cameras
// and each camera's, and a screenshot is saved for a person to look at
// (build/e2e/desktop-cameras.png; docs/screenshot-desktop-cameras.png is one).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { savePNG, startXvfb } from './desktop-app.mjs';
import { freePort, repoRoot, serverBin } from './harness.mjs';
import { Screen, look } from './xscreen.mjs';

const token = 'desktop-two-cameras-token-0123';
const shots = path.join(repoRoot, 'build', 'e2e');

let xvfb;
let display;
let app;
let appLog = '';
let port;
let config;
let cache;

/** cameras are the settings file's two: the second grey (its chain), so the two tiles differ. */
const cameras = [
  { name: 'line-1', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 30, enabled: true }, token },
  { name: 'dock', stream: { source: 'test', quality: 70, maxWidth: 854, maxHeight: 480, fps: 15, enabled: true, process: [{ name: 'gray' }] }, token },
];

/** previews lists each camera's previews in the window (kind "preview") with their frame rates. */
async function previews() {
  const out = {};
  for (const c of cameras) {
    const res = await fetch(`http://127.0.0.1:${port}/s/${c.name}/api/state?token=${token}`, { signal: AbortSignal.timeout(2000) });
    assert.equal(res.status, 200, `camera ${c.name}: ${res.status}`);
    out[c.name] = (await res.json()).viewers.filter((v) => v.kind === 'preview').map((v) => v.fps);
  }
  return out;
}

before(async () => {
  ({ proc: xvfb, display } = await startXvfb());
  port = await freePort();
  config = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-desktop-two-'));
  cache = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-cache-'));
  await fs.mkdir(path.join(config, 'framecast'));
  await fs.writeFile(path.join(config, 'framecast', 'settings.json'), JSON.stringify({ port, tls: false, cameras }));
  app = spawn(serverBin, [], {
    env: { ...process.env, DISPLAY: display, XDG_CONFIG_HOME: config, XDG_CACHE_HOME: cache, WAYLAND_DISPLAY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c) => { appLog = (appLog + c).slice(-8000); };
  app.stdout.on('data', keep);
  app.stderr.on('data', keep);
});

after(async () => {
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await Promise.race([once(app, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  xvfb?.kill();
  await fs.rm(config, { recursive: true, force: true });
  await fs.rm(cache, { recursive: true, force: true, maxRetries: 5 });
});

test('both cameras run, the window previews the selected one and a live tile of each', async () => {
  // line-1 is selected (the first): the large preview and its tile; dock its tile.
  const deadline = Date.now() + 60_000;
  let seen;
  for (;;) {
    assert.equal(app.exitCode, null, `the app exited:\n${appLog}`);
    try {
      seen = await previews();
      if (seen['line-1'].filter((fps) => fps > 5).length === 2 && seen.dock.filter((fps) => fps > 5).length === 1) break;
    } catch {
      // not serving yet
    }
    assert.ok(Date.now() < deadline, `the window's previews are ${JSON.stringify(seen)}: want two of line-1 and one of dock, each over 5 fps\n${appLog}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  // The terminal: the link to all cameras (one token opens both), then each camera's.
  assert.match(appLog, new RegExp(`http://127\\.0\\.0\\.1:${port}/\\?token=${token}`), 'the link to all cameras is not printed');
  for (const c of cameras) {
    assert.match(appLog, new RegExp(`http://127\\.0\\.0\\.1:${port}/s/${c.name}/\\?token=${token}`), `camera ${c.name}'s link is not printed`);
  }
});

test('the window shows the moving picture and the grid: a screenshot to look at', async () => {
  // Painted (many colours), moving, and showing the test pattern's yellow and magenta bars.
  const bars = [
    [0xbf, 0xbf, 0x00],
    [0xbf, 0x00, 0xbf],
  ];
  await fs.mkdir(shots, { recursive: true });
  const file = path.join(shots, 'desktop-cameras.png');
  const screen = await Screen.open(display);
  try {
    const deadline = Date.now() + 30_000;
    let before = null;
    for (;;) {
      const pixels = await screen.grab();
      const { colours, shares } = look(pixels, screen.width, screen.height, bars);
      if (colours >= 64 && before && !pixels.equals(before) && shares.every((s) => s >= 0.01)) {
        await savePNG(pixels, screen.width, screen.height, file);
        break;
      }
      assert.ok(Date.now() < deadline, `the window did not show the moving test pattern (${colours} colours)\n${appLog}`);
      before = pixels;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    screen.close();
  }
  console.log(`screenshot: ${file}`);
});
