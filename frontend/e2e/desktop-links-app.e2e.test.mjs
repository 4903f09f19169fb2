// The real desktop app under Xvfb makes two customer links in its Share
// panel (Acme QA, Globex line 2: typed into the form, as a person would),
// keeps them in the settings folder's links.json, counts a real viewer on
// Acme's link ("● 1 watching", polled while the fold is open) and shows
// Acme's audit with that viewer's connection open. HOME and the settings
// are temporary folders. There is no way into the webview's DOM from here:
// where to click is measured on the same page in Chromium at the window's
// size (desktop-fake.mjs), with the side column scrolled to its end in both,
// and what the window shows is read off the screen. A screenshot of the
// panel is saved for a person to look at (build/e2e/desktop-links-app.png;
// docs/screenshot-desktop-links.png is one).
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
const token = 'desktop-links-app-token-0123';
const shots = path.join(repoRoot, 'build', 'e2e');
/** ok is the green of "● 1 watching" and of an open connection in the audit (desktop.css --ok). */
const ok = [0x30, 0xa4, 0x6c];

let xvfb;
let display;
let app;
let appLog = '';
let port;
let home;
let settingsDir;
/** box is the page's place and size on the screen, under the window's menu bar. */
let box;
/** at are the places to click and look at, measured in Chromium (page coordinates). */
let at;
let screen;
/** viewer is the WebSocket of the real viewer on Acme's link, open until the end. */
let viewer;

const camera = { name: 'camera', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 15, enabled: true }, token };

const env = () => ({ ...process.env, DISPLAY: display });

/** click clicks the page at the centre of r, a rectangle in page coordinates. */
async function click(r) {
  const x = Math.round(box.x + r.x + r.width / 2);
  const y = Math.round(box.y + r.y + r.height / 2);
  await run('xdotool', ['mousemove', String(x), String(y), 'click', '1'], { env: env() });
}

/** type types text where the focus is, then Enter. */
async function type(text) {
  await run('xdotool', ['type', '--delay', '30', text], { env: env() });
  await run('xdotool', ['key', 'Return'], { env: env() });
}

/** colourIn counts the pixels of rectangle r (page coordinates) within 40 of rgb in each channel. */
async function colourIn(r, [cr, cg, cb]) {
  const pixels = await screen.grab();
  let n = 0;
  for (let y = Math.round(r.y); y < r.y + r.height; y++) {
    for (let x = Math.round(r.x); x < r.x + r.width; x++) {
      const i = ((box.y + y) * screen.width + box.x + x) * 4;
      if (Math.abs(pixels[i + 2] - cr) < 40 && Math.abs(pixels[i + 1] - cg) < 40 && Math.abs(pixels[i] - cb) < 40) n++;
    }
  }
  return n;
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

/**
 * toEnd scrolls the side column to its end with the wheel: a few clicks at
 * a time, until a batch moves nothing for 1.5 s (the webview may scroll
 * smoothly). Only the column's upper part is watched: the viewer table at
 * its end changes with every stats event.
 */
async function toEnd() {
  const upper = { ...at.side, height: Math.round(at.side.height * 0.4) };
  const x = String(Math.round(box.x + upper.x + upper.width / 2));
  const y = String(Math.round(box.y + upper.y + upper.height / 2));
  for (let i = 0; i < 30; i++) {
    const before = await area(upper);
    await run('xdotool', ['mousemove', x, y, 'click', '--repeat', '15', '--delay', '20', '5'], { env: env() });
    const moved = await waitFor(async () => !(await area(upper)).equals(before), 'a scroll', 1500).then(
      () => true,
      () => false,
    );
    if (!moved) return;
  }
  assert.fail('the side column never came to its end');
}

/** saved are the links in the settings folder's links.json now. */
async function saved() {
  const text = await fs.readFile(path.join(settingsDir, 'links.json'), 'utf8').catch(() => '{"links":[]}');
  return JSON.parse(text).links;
}

/**
 * measure opens the window's page in Chromium at the window's size and
 * reads where the fold's parts are with the side column scrolled to its
 * end, in the order the test goes through them.
 */
async function measure(width, height) {
  const ui = await openDesktopUI('desktop-links-measure-token', { width, height });
  try {
    const { page } = ui;
    await waitReady(page);
    const rect = (selector) => page.locator(selector).first().boundingBox();
    const toEndHere = () => page.evaluate(() => {
      const side = document.querySelector('.side');
      side.scrollTop = side.scrollHeight;
    });
    // The fake starts with two links: revoked, so its fold starts empty as the window's.
    await page.click('#customers summary');
    for (const name of ['Acme QA', 'Globex line 2']) {
      await page.getByRole('button', { name: `Revoke ${name}'s link` }).click();
      await page.getByRole('button', { name: `Yes, revoke ${name}'s link` }).click();
    }
    await waitFor(async () => (await page.locator('#customer-links li').count()) === 0, 'no links');
    await page.click('#customers summary');
    // The notices of those revocations float over the preview, not the column.
    const out = { side: await rect('.side') };
    await toEndHere();
    out.summary = await rect('#customers summary');
    await page.click('#customers summary');
    await toEndHere();
    out.name0 = await rect('#cl-name');
    await page.fill('#cl-name', 'Acme QA');
    await page.press('#cl-name', 'Enter');
    await waitFor(() => page.isVisible('#cl-made'), 'the new link');
    await toEndHere();
    out.name1 = await rect('#cl-name');
    await page.fill('#cl-name', 'Globex line 2');
    await page.press('#cl-name', 'Enter');
    await waitFor(async () => (await page.locator('#customer-links li').count()) === 2, 'two links');
    await toEndHere();
    out.acme = await rect('#customer-links li');
    out.audit = await rect("#customer-links li [aria-label^=\"Audit of Acme QA's link\"]");
    return out;
  } finally {
    await ui.close();
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

/** failing saves a screenshot of the window for a failed step, and fails with err. */
async function failing(err) {
  console.log(`screenshot: ${await shot('desktop-links-app-failed.png')}`);
  throw err;
}

before(async () => {
  // A screen larger than the window, which is made 1440×900 for the screenshot.
  ({ proc: xvfb, display } = await startXvfb('1600x1000'));
  port = await freePort();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-desktop-links-'));
  const config = path.join(home, '.config');
  settingsDir = path.join(config, 'framecast');
  await fs.mkdir(settingsDir, { recursive: true });
  await fs.writeFile(path.join(settingsDir, 'settings.json'), JSON.stringify({ port, tls: false, cameras: [camera] }));
  app = spawn(serverBin, ['--recordings', path.join(home, 'recordings')], {
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
  viewer?.close();
  screen?.close();
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await Promise.race([once(app, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  xvfb?.kill();
  if (home) await fs.rm(home, { recursive: true, force: true, maxRetries: 5 });
});

/** state is the camera's api/state, read with its own token. */
async function state() {
  const res = await fetch(`http://127.0.0.1:${port}/s/camera/api/state?token=${token}`, { signal: AbortSignal.timeout(3000) });
  return res.json();
}

test('the window comes up', async () => {
  await waitFor(
    async () => {
      assert.equal(app.exitCode, null, `the app exited:\n${appLog}`);
      const st = await state().catch(() => null);
      return (st?.viewers ?? []).some((v) => v.kind === 'preview');
    },
    `the window's preview\n${appLog}`,
    60_000,
  );
  const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', '^Framecast$'], { env: env() });
  const win = stdout.trim().split('\n').pop();
  await run('xdotool', ['windowsize', '--sync', win, '1440', '900'], { env: env() });
  const geo = (await run('xdotool', ['getwindowgeometry', '--shell', win], { env: env() })).stdout;
  const g = Object.fromEntries(geo.trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
  assert.deepEqual([g.WIDTH, g.HEIGHT], [1440, 900], 'the window would not be made 1440×900');
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

test('two links typed into the form are made and kept in links.json', async () => {
  await toEnd();
  await click(at.summary);
  await toEnd();
  await click(at.name0);
  await type('Acme QA');
  await waitFor(async () => (await saved()).length === 1, `Acme's link in links.json\n${appLog}`, 15_000).catch(failing);
  await toEnd();
  await click(at.name1);
  await type('Globex line 2');
  const links = await waitFor(async () => {
    const l = await saved();
    return l.length === 2 ? l : null;
  }, "Globex's link in links.json", 15_000).catch(failing);
  assert.deepEqual(links.map((l) => [l.name, l.streams ?? [], l.max_viewers ?? 0]), [['Acme QA', [], 0], ['Globex line 2', [], 0]]);
  assert.notEqual(links[0].token, links[1].token);
  assert.notEqual(links[0].token, token, "a customer's link has the operator's token");
  const mode = (await fs.stat(path.join(settingsDir, 'links.json'))).mode & 0o777;
  assert.equal(mode, 0o600, 'links.json holds tokens: readable by its owner alone');
});

/**
 * watch opens a real viewer on the camera with token: a program's, acking
 * each frame it is sent. count() says how many it has had.
 */
function watch(linkToken) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/s/camera/ws?token=${linkToken}`);
  ws.binaryType = 'arraybuffer';
  let n = 0;
  ws.addEventListener('message', (e) => {
    if (typeof e.data === 'string') return;
    const len = new DataView(e.data).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(e.data, 4, len)));
    n++;
    ws.send(JSON.stringify({ type: 'ack', seq: header.seq }));
  });
  return { ws, count: () => n };
}

test("a real viewer on Acme's link shows as 1 watching, and its audit shows the connection open", async () => {
  const [acme] = await saved();
  // One that watched a moment and left, for the audit.
  const first = watch(acme.token);
  await waitFor(() => first.count() >= 3, 'frames to the first viewer on Acme’s link', 15_000);
  first.ws.close();
  await once(first.ws, 'close');
  const open = () => state().then((st) => (st.viewers ?? []).filter((v) => v.kind !== 'preview').length);
  await waitFor(async () => (await open()) === 0, 'the first viewer gone');
  const second = watch(acme.token);
  viewer = second.ws;
  await waitFor(() => second.count() >= 5, 'frames on Acme’s link', 15_000);
  const column = { x: at.side.x, y: 0, width: at.side.width, height: box.height };
  // Nothing green in the column until the fold's poll shows the viewer.
  await toEnd();
  await waitFor(async () => (await colourIn(column, ok)) > 40, '"● 1 watching" in the window', 10_000).catch(failing);
  const before = await colourIn(column, ok);
  await click(at.audit);
  // The open connection's "watching", green too.
  await waitFor(async () => (await colourIn(column, ok)) > before + 40, "Acme's audit with the open connection", 10_000).catch(failing);
  console.log(`screenshot: ${await shot('desktop-links-app.png')}`);
});
