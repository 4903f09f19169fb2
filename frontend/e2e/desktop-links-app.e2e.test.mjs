// The real desktop app under Xvfb makes two customer links in its Share
// panel (Acme QA, Globex line 2: typed into the form, as a person would),
// keeps them in the settings folder's links.json, counts a real viewer on
// Acme's link ("● 1 watching", polled while the fold is open), shows
// Acme's audit with that viewer's connection open, and gives Globex's link
// an expiry in its Change… form, with the keyboard, keeping its token. HOME and the settings
// are temporary folders. There is no way into the webview's DOM from here:
// where to click is measured on the same page in Chromium at the window's
// size (desktop-fake.mjs), with the side column scrolled to its end in both,
// and what the window shows is read off the screen. A screenshot of the
// panel is saved for a person to look at (build/e2e/desktop-links-app.png;
// docs/screenshot-desktop-links.png is one).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { OnScreen, findPage, startApp } from './desktop-app.mjs';
import { openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { freePort } from './harness.mjs';

const run = promisify(execFile);
const token = 'desktop-links-app-token-0123';
/** ok is the green of "● 1 watching" and of an open connection in the audit (desktop.css --ok). */
const ok = [0x30, 0xa4, 0x6c];

/** app is the desktop app started (desktop-app.mjs startApp); view its page on the screen. */
let app;
let view;
let port;
/** at are the places to click and look at, measured in Chromium (page coordinates). */
let at;
/** viewer is the WebSocket of the real viewer on Acme's link, open until the end. */
let viewer;

const camera = { name: 'camera', stream: { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 15, enabled: true }, token };

/**
 * toEnd scrolls the side column to its end with the wheel: a few clicks at
 * a time, until a batch moves nothing for 1.5 s (the webview may scroll
 * smoothly). Only the column's upper part is watched: the viewer table at
 * its end changes with every stats event.
 */
async function toEnd() {
  const upper = { ...at.side, height: Math.round(at.side.height * 0.4) };
  const x = String(Math.round(view.box.x + upper.x + upper.width / 2));
  const y = String(Math.round(view.box.y + upper.y + upper.height / 2));
  for (let i = 0; i < 30; i++) {
    const before = await view.area(upper);
    await run('xdotool', ['mousemove', x, y, 'click', '--repeat', '15', '--delay', '20', '5'], { env: app.xenv() });
    const moved = await waitFor(async () => !(await view.area(upper)).equals(before), 'a scroll', 1500).then(
      () => true,
      () => false,
    );
    if (!moved) return;
  }
  assert.fail('the side column never came to its end');
}

/** saved are the links in the settings folder's links.json now. */
async function saved() {
  const text = await fs.readFile(path.join(app.settingsDir, 'links.json'), 'utf8').catch(() => '{"links":[]}');
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
    out.change = await rect("#customer-links li [aria-label=\"Change Globex line 2's link\"]");
    await page.click("#customer-links li [aria-label=\"Change Globex line 2's link\"]");
    out.expires = await rect("#customer-links li:nth-child(2) form select");
    return out;
  } finally {
    await ui.close();
  }
}

/** failing saves a screenshot of the window for a failed step, and fails with err. */
async function failing(err) {
  console.log(`screenshot: ${await view.shot('desktop-links-app-failed.png')}`);
  throw err;
}

before(async () => {
  port = await freePort();
  // A screen larger than the window, which is made 1440×900 for the screenshot.
  app = await startApp({
    name: 'desktop-links',
    size: '1600x1000',
    settings: { port, tls: false, cameras: [camera] },
    args: (home) => ['--recordings', path.join(home, 'recordings')],
  });
});

after(async () => {
  viewer?.close();
  view?.close();
  await app?.stop();
});

/** colourIn counts the pixels of r (page coordinates) within 40 of rgb in each channel. */
const colourIn = async (r, rgb) => (await view.colourIn(r, rgb)).n;

/** state is the camera's api/state, read with its own token. */
async function state() {
  const res = await fetch(`http://127.0.0.1:${port}/s/camera/api/state?token=${token}`, { signal: AbortSignal.timeout(3000) });
  return res.json();
}

test('the window comes up', async () => {
  await waitFor(
    async () => {
      assert.equal(app.proc.exitCode, null, `the app exited:\n${app.log()}`);
      const st = await state().catch(() => null);
      return (st?.viewers ?? []).some((v) => v.kind === 'preview');
    },
    `the window's preview\n${app.log()}`,
    60_000,
  );
  const { screen, box } = await findPage(app, [1440, 900]);
  view = new OnScreen(app, screen, box);
  at = await measure(view.box.width, view.box.height);
});

test('two links typed into the form are made and kept in links.json', async () => {
  await toEnd();
  await view.click(at.summary);
  await toEnd();
  await view.click(at.name0);
  await view.type('Acme QA');
  await waitFor(async () => (await saved()).length === 1, `Acme's link in links.json\n${app.log()}`, 15_000).catch(failing);
  await toEnd();
  await view.click(at.name1);
  await view.type('Globex line 2');
  const links = await waitFor(async () => {
    const l = await saved();
    return l.length === 2 ? l : null;
  }, "Globex's link in links.json", 15_000).catch(failing);
  assert.deepEqual(links.map((l) => [l.name, l.streams ?? [], l.max_viewers ?? 0]), [['Acme QA', [], 0], ['Globex line 2', [], 0]]);
  assert.notEqual(links[0].token, links[1].token);
  assert.notEqual(links[0].token, token, "a customer's link has the operator's token");
  const mode = (await fs.stat(path.join(app.settingsDir, 'links.json'))).mode & 0o777;
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
  const column = { x: at.side.x, y: 0, width: at.side.width, height: view.box.height };
  // Nothing green in the column until the fold's poll shows the viewer.
  await toEnd();
  await waitFor(async () => (await colourIn(column, ok)) > 40, '"● 1 watching" in the window', 10_000).catch(failing);
  const before = await colourIn(column, ok);
  await view.click(at.audit);
  // The open connection's "watching", green too.
  await waitFor(async () => (await colourIn(column, ok)) > before + 40, "Acme's audit with the open connection", 10_000).catch(failing);
  console.log(`screenshot: ${await view.shot('desktop-links-app.png')}`);
});

test("Globex's link given 7 days in its Change… form expires then in links.json, with its token", async () => {
  const [, globex] = await saved();
  assert.equal(globex.expires_at ?? '', '', 'Globex expires already');
  // Acme's audit closed first: its times change with every poll, and toEnd
  // would take that for the column still scrolling.
  await view.click(at.audit);
  await toEnd();
  const shown = async (what, before) => {
    await waitFor(async () => !(await view.area(at.expires)).equals(before), what, 10_000).catch(failing);
    return view.area(at.expires);
  };
  let looks = await view.area(at.expires);
  await view.click(at.change);
  looks = await shown('the Change… form', looks);
  // The name has the focus; past the cameras (All, and the camera's box) to
  // the expiry, down from "Keep" past Never, 1 hour and 24 hours to 7
  // days (WebKitGTK's arrows choose without a popup; a space or a letter's
  // type-ahead may open one), then to the cap and Enter. Each step waits
  // for the expiry box to show it.
  const keys = (...k) => run('xdotool', ['key', '--delay', '80', ...k], { env: app.xenv() });
  await keys('Tab', 'Tab', 'Tab');
  looks = await shown('the expiry focused', looks);
  await keys('Down', 'Down', 'Down', 'Down');
  await shown('7 days chosen', looks);
  await keys('Tab', 'Return');
  const changed = await waitFor(async () => {
    const l = (await saved()).find((x) => x.name === 'Globex line 2');
    return l?.expires_at ? l : null;
  }, `Globex's expiry in links.json\n${app.log()}`, 15_000).catch(failing);
  const days = (Date.parse(changed.expires_at) - Date.now()) / 86_400_000;
  assert.ok(days > 6.9 && days <= 7, `Globex expires in ${days} days`);
  assert.equal(changed.token, globex.token, 'the change gave Globex another token');
});
