// The desktop UI (dist/index.html) in Chromium with the Wails bindings
// replaced by a recording stand-in, its preview on a real framecast server.
// Shared by the desktop UI tests; the fake Go side lives in fakeBindings.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';

const dist = path.join(repoRoot, 'frontend', 'dist');

/** TINY_PNG is a 1×1 PNG data URL: a QR code stand-in that really decodes. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** fakeBindings runs in the page before its scripts: window.go and window.runtime as Wails would give them. */
export function fakeBindings({ base, token, qrPNG }) {
  const settings = { source: 'test', quality: 80, maxWidth: 1280, maxHeight: 720, fps: 30, enabled: true };
  const share = { port: Number(new URL(base).port), token, previewBase: base, tls: false, links: [{ url: `${base}/?token=${token}`, qr: 'data:,' }] };
  const calls = [];
  const handlers = {};
  const processors = [
    { name: 'gray', title: 'Grayscale', params: null },
    { name: 'blur', title: 'Gaussian blur', params: [{ name: 'size', title: 'Kernel size (odd)', min: 1, max: 99, step: 2, default: 9 }] },
    {
      name: 'faces', title: 'Face detection', params: [
        { name: 'minNeighbors', title: 'Min neighbours', min: 1, max: 20, step: 1, default: 5 },
        { name: 'minSize', title: 'Min face size (px)', min: 10, max: 1000, step: 1, default: 40 },
      ],
    },
    {
      name: 'motion', title: 'Motion detection', params: [
        { name: 'minArea', title: 'Min area (px²)', min: 1, max: 1000000, step: 50, default: 500 },
        { name: 'varThreshold', title: 'Background variance threshold', min: 1, max: 255, step: 1, default: 16 },
      ],
    },
    // Long titles as Go has them: the side column must hold them.
    { name: 'overlay', title: 'Draw boxes on the frame', params: null },
    { name: 'clock', title: 'Timestamp and fps', params: null },
  ];
  // chain is the chain "in force"; window.__refuseChain makes SetChain fail with that message.
  let chain = [];
  // push is the push "in force"; window.__refusePush makes SetPush fail with that message.
  let push = { enabled: false, relay: '', stream: '', publishToken: '', state: 'stopped', sent: 0, viewerUrl: '' };
  const copy = (v) => JSON.parse(JSON.stringify(v));
  // The link viewers open on the relay, as push.Config.ViewerURL makes it.
  const publicLink = (relay, stream) => {
    const u = new URL(relay);
    return `${/^(wss|https):$/.test(u.protocol) ? 'https' : 'http'}://${u.host}/s/${stream}/?token=${token}`;
  };
  const ok = (name, change) => async (arg) => {
    calls.push([name, arg]);
    change(arg);
    return { ...settings };
  };
  window.__calls = calls;
  window.__emit = (name, data) => (handlers[name] || []).forEach((cb) => cb(data));
  window.runtime = { EventsOn: (name, cb) => ((handlers[name] ||= []).push(cb), () => {}) };
  window.go = {
    app: {
      App: {
        Settings: async () => ({ ...settings }),
        State: async () => ({}),
        SetEnabled: ok('SetEnabled', (on) => (settings.enabled = on)),
        SetQuality: ok('SetQuality', (q) => (settings.quality = q)),
        SetResolution: ok('SetResolution', (p) => ([settings.maxWidth, settings.maxHeight] = p === '480p' ? [854, 480] : [0, 0])),
        SetFPS: ok('SetFPS', (f) => (settings.fps = f)),
        SetSource: ok('SetSource', (s) => (settings.source = s)),
        PickFile: async () => {
          calls.push(['PickFile']);
          throw 'open video file "/tmp/broken.mp4": not a video OpenCV can read';
        },
        Cameras: async () => [],
        Share: async () => share,
        NewLink: async () => (calls.push(['NewLink']), share),
        SetTLS: async (on) => {
          calls.push(['SetTLS', on]);
          share.tls = on;
          share.links = share.links.map((l) => ({ ...l, url: l.url.replace(/^https?:/, on ? 'https:' : 'http:') }));
          return share;
        },
        SetPort: async (p) => {
          calls.push(['SetPort', p]);
          throw `listen on :${p}: bind: permission denied`;
        },
        CopyText: async (t) => void calls.push(['CopyText', t]),
        Notices: async () => ['settings file is not valid JSON; using defaults'],
        Processors: async () => copy(processors),
        Chain: async () => copy(chain),
        SetChain: async (items) => {
          calls.push(['SetChain', copy(items)]);
          if (window.__refuseChain) throw window.__refuseChain;
          chain = copy(items);
          return copy(chain);
        },
        Push: async () => copy(push),
        SetPush: async (p) => {
          calls.push(['SetPush', copy(p)]);
          if (window.__refusePush) throw window.__refusePush;
          // As Go does: a push starts by connecting, with its public link and QR made at once.
          push = p.enabled
            ? { ...copy(p), state: 'connecting', sent: 0, viewerUrl: publicLink(p.relay, p.stream), qr: qrPNG }
            : { ...copy(p), state: 'stopped', sent: 0, viewerUrl: '' };
          return copy(push);
        },
      },
    },
  };
}

/** waitFor polls fn until it returns something truthy, and returns that. */
export async function waitFor(fn, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * openDesktopUI starts a server and opens the desktop UI against it with fake
 * bindings. calls() reads the recorded binding calls; close() ends it all.
 */
export async function openDesktopUI(token) {
  const server = await startServer({ token });
  let browser;
  try {
    // Pages served by page.route have no address, so Chromium's Local Network
    // Access check would block their loopback WebSocket; the Wails webview has
    // no such check.
    browser = await launchBrowser(['--disable-features=LocalNetworkAccessChecks']);
    const page = await browser.context.newPage();
    const consoleLog = [];
    page.on('console', (m) => consoleLog.push(`${new Date().toISOString().slice(17, 23)} ${m.text()}`));
    // Serve dist/ under the server's own origin, as the webview is allowed to
    // connect to it.
    await page.route(`${server.base}/desktop/**`, async (route) => {
      const rel = new URL(route.request().url()).pathname.replace(/^\/desktop\//, '');
      const body = await fs.readFile(path.join(dist, rel));
      const type = rel.endsWith('.js') ? 'text/javascript' : rel.endsWith('.css') ? 'text/css' : 'text/html';
      await route.fulfill({ body, contentType: type });
    });
    await page.addInitScript(fakeBindings, { base: server.base, token, qrPNG: TINY_PNG });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.base}/desktop/index.html`);
    const calls = () => page.evaluate(() => window.__calls);
    return {
      server,
      page,
      calls,
      consoleLog,
      lastCall: async (name) => (await calls()).filter((c) => c[0] === name).pop(),
      async close() {
        await browser?.close();
        await server.kill();
      },
    };
  } catch (err) {
    await browser?.close();
    await server.kill();
    throw err;
  }
}
