// The real desktop app under Xvfb with a Python producer: External producer
// chosen in the source picker sets the camera's source to ingest and the
// panel waits for the producer (NO SIGNAL); the producer URL, token and
// all, is read off the panel with its Copy button (from the X clipboard,
// as a person pastes it); the Python package's YOLO-shaped example
// (python/examples/yolo_shaped.py, Debian's python3 with python3-opencv)
// connects with it, and its frames and detection boxes reach viewers and
// the window, whose panel then says the producer is connected. HOME and the
// settings are a temporary folder. Where to click is measured on the same
// page in Chromium at the window's size (desktop-fake.mjs), and what the
// window shows is read off the screen. A screenshot is saved for a person
// to look at (build/e2e/desktop-python.png; docs/screenshot-desktop-python.png
// is one).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { OnScreen, findPage, startApp } from './desktop-app.mjs';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { freePort, repoRoot } from './harness.mjs';
import { readClipboard } from './xclipboard.mjs';

const run = promisify(execFile);
const token = 'desktop-ingest-app-token-0123';
/** PYTHON has python3-opencv and python3-numpy: Debian's, not a pyenv one. */
const PYTHON = process.env.FRAMECAST_PYTHON || '/usr/bin/python3';
const example = path.join(repoRoot, 'python', 'examples', 'yolo_shaped.py');

/** app is the desktop app started (desktop-app.mjs startApp); view its page on the screen. */
let app;
let view;
let producer;
let producerLog = '';
let port;
/** at are the places to click and look at, measured in Chromium (page coordinates). */
let at;
/** url is the producer URL the panel's Copy gave. */
let url = '';

const camera = { name: 'line-1', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 15, enabled: true }, token };

/** api reads line-1's endpoint at rel (e.g. api/state) from the app's server. */
async function api(rel) {
  const res = await fetch(`http://127.0.0.1:${port}/s/line-1/${rel}?token=${token}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/**
 * dotIn looks for the panel's status dot in rgb: the window's text is not
 * Chromium's to the pixel (a camera's figures may take two lines), so in a
 * band of the column around where Chromium put it. It returns where the
 * dot's top is, or null while it is not there.
 */
async function dotIn(rgb) {
  const band = { x: at.dot.x - 2, y: at.dot.y - 60, width: at.dot.width + 4, height: at.dot.height + 120 };
  const c = await view.colourIn(band, rgb);
  return c.n >= (at.dot.width * at.dot.height) / 2 ? c.top : null;
}

/** down is r moved down by dy. */
const down = (r, dy) => ({ ...r, y: r.y + dy });

/**
 * measure opens the window's page in Chromium at the window's size and
 * reads where its parts are: the source picker and the place of External
 * producer in it, then, that chosen, the panel's status dot and the first
 * URL's Copy button.
 */
async function measure(width, height) {
  const ui = await openDesktopUI('desktop-ingest-measure-token', { width, height });
  try {
    const { page } = ui;
    await waitReady(page);
    const rect = (selector) => page.locator(selector).first().boundingBox();
    const out = { source: await rect('#source') };
    out.steps = await page.evaluate(() => {
      const sel = document.getElementById('source');
      return [...sel.options].findIndex((o) => o.value === 'ingest') - sel.selectedIndex;
    });
    await page.selectOption('#source', 'ingest');
    await waitFor(() => page.isVisible('#ingest'), 'the external producer panel');
    out.dot = await rect('#ingest-status .dot');
    out.copyURL = await rect('#ingest-urls .copy');
    out.stage = await rect('#preview');
    return out;
  } finally {
    await ui.close();
  }
}

/** firstDetections reads frames of line-1 as a viewer until one carries detections, and returns them. */
async function firstDetections(ms) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/s/line-1/ws?token=${token}`);
  ws.binaryType = 'arraybuffer';
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame with detections within ${ms} ms`)), ms);
      ws.onerror = () => reject(new Error('the viewer connection failed'));
      ws.onmessage = (e) => {
        if (typeof e.data === 'string') return;
        const buf = Buffer.from(e.data);
        const header = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString('utf8'));
        ws.send(JSON.stringify({ type: 'ack', seq: header.seq }));
        if (header.detections?.length > 0) {
          clearTimeout(timer);
          resolve(header.detections);
        }
      };
    });
  } finally {
    ws.close();
  }
}

before(async () => {
  port = await freePort();
  app = await startApp({ name: 'desktop-ingest', settings: { port, tls: false, cameras: [camera] } });
});

after(async () => {
  view?.close();
  await app?.stop(producer);
});

test('the window comes up on the test pattern', async () => {
  await waitFor(
    async () => {
      assert.equal(app.proc.exitCode, null, `the app exited:\n${app.log()}`);
      const { body } = await api('api/state').catch(() => ({ body: null }));
      return (body?.viewers ?? []).some((v) => v.kind === 'preview');
    },
    `the window's preview of line-1\n${app.log()}`,
    60_000,
  );
  const { screen, box } = await findPage(app);
  view = new OnScreen(app, screen, box);
  at = await measure(view.box.width, view.box.height);
  assert.equal((await api('api/state')).body.source, 'test');
});

test('External producer chosen in the picker makes line-1 wait for a producer, and the panel says so', async () => {
  // The picker's menu opens on the option in force; the keys walk down to
  // External producer (over the disabled "No camera found") and take it.
  await view.click(at.source);
  await new Promise((r) => setTimeout(r, 500)); // the menu has no state to wait on from here
  for (let i = 0; i < at.steps; i++) await run('xdotool', ['key', 'Down'], { env: app.xenv() });
  await run('xdotool', ['key', 'Return'], { env: app.xenv() });
  await waitFor(
    async () => {
      const { body } = await api('api/state');
      return body?.source === 'ingest' && body.state === 'no-signal';
    },
    `line-1 on ingest, waiting\n${app.log()}`,
    15_000,
  ).catch(async (err) => {
    await view.shot('desktop-python-failed.png');
    throw err;
  });
  assert.match((await api('api/state')).body.error, /waiting for the producer/);
  const amber = [0xf5, 0xa5, 0x24];
  const top = await waitFor(() => dotIn(amber), "the panel's amber dot: waiting for the producer").catch(async (err) => {
    await view.shot('desktop-python-failed.png');
    throw err;
  });
  // What is under the dot is where Chromium put it, give or take as much.
  const dy = top - Math.round(at.dot.y);
  for (const k of ['dot', 'copyURL']) at[k] = down(at[k], dy);
});

test("the first producer URL's Copy gives the URL with the camera's new publish token", async () => {
  await view.click(at.copyURL);
  url = await waitFor(async () => {
    const text = await readClipboard(app.display);
    return /^ws:\/\/.+\/ingest\/line-1\?token=/.test(text) ? text : null;
  }, 'a producer URL on the clipboard');
  const published = new URL(url).searchParams.get('token');
  assert.ok(published.length >= 16, `publish token ${published}`);
  assert.notEqual(published, token, 'the publish token is the viewer token');
  // Made once and kept: the settings file has it.
  const saved = JSON.parse(await fs.readFile(path.join(app.settingsDir, 'settings.json'), 'utf8'));
  assert.equal(saved.cameras[0].publishToken, published);
});

test("the Python producer's frames and boxes reach viewers and the window, which says the producer is connected", async () => {
  await fs.access(example).catch(() => assert.fail(`${example} is missing: the Python package comes with issue 27`));
  const publish = new URL(url).searchParams.get('token');
  producer = spawn(PYTHON, [example, '--url', url, '--token', publish], {
    env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'python') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (c) => {
    producerLog = (producerLog + c).slice(-4000);
  };
  producer.stdout.on('data', keep);
  producer.stderr.on('data', keep);
  await waitFor(
    async () => {
      assert.equal(producer.exitCode, null, `the producer exited:\n${producerLog}`);
      return (await api('api/state')).body?.state === 'live';
    },
    `line-1 live from the producer\n${producerLog}\n${app.log()}`,
    20_000,
  );
  const dets = await firstDetections(10_000);
  assert.equal(dets[0].label, 'sports ball');
  const green = [0x30, 0xa4, 0x6c];
  await waitFor(() => dotIn(green), "the panel's green dot: producer connected").catch(async (err) => {
    await view.shot('desktop-python-failed.png');
    throw err;
  });
  // The picture is the producer's: its dark grey, not the test pattern's bars.
  const grey = [40, 40, 40];
  const picture = { x: at.stage.x + 20, y: at.stage.y + at.stage.height / 2 - 100, width: at.stage.width - 40, height: 200 };
  await waitFor(async () => (await view.colourIn(picture, grey)).share > 0.6, "the producer's picture in the preview", 10_000);
  // For the person looking: the side column rolled down to the whole panel, its snippet too.
  const side = { x: at.dot.x, y: at.dot.y, width: 1, height: 1 };
  await run('xdotool', ['mousemove', String(Math.round(view.box.x + side.x + 150)), String(Math.round(view.box.y + side.y)), 'click', '--repeat', '3', '5'], { env: app.xenv() });
  await new Promise((r) => setTimeout(r, 500)); // the scroll has no end to wait on from here
  console.log(`screenshot: ${await view.shot('desktop-python.png')}`);
});
