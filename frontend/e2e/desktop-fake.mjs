// The desktop UI (dist/index.html) in Chromium with the Wails bindings
// replaced by a recording stand-in (desktop-bindings.mjs), its preview on a
// real framecast server. Shared by the desktop UI tests.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { contract, fakeBindings } from './desktop-bindings.mjs';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';

export { contract };

const dist = path.join(repoRoot, 'frontend', 'dist');

/** TINY_PNG is a 1×1 PNG data URL: a QR code stand-in that really decodes. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

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
 * openPage opens the desktop UI in a new page of context against server,
 * with fake bindings (gated: Go's state arrives only on window.__release();
 * addressInPage: index.html carries the preview's address, as app/page.go
 * writes it; beforeOpen(page) runs before the page loads, for a test's own
 * routes and hooks). It resolves once the page has started loading, not
 * once Go has answered.
 */
async function openPage(context, server, token, { gated = false, addressInPage = false, width = 1280, height = 800, beforeOpen = async () => {} } = {}) {
  const page = await context.newPage();
  const consoleLog = [];
  page.on('console', (m) => consoleLog.push(`${new Date().toISOString().slice(17, 23)} ${m.text()}`));
  // Serve dist/ under the server's own origin, as the webview is allowed to
  // connect to it.
  await page.route(`${server.base}/desktop/**`, async (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^\/desktop\//, '');
    let body = await fs.readFile(path.join(dist, rel));
    if (addressInPage && rel === 'index.html') {
      body = String(body).replace('</head>', `<meta name="framecast-preview" content="${server.base}/" data-token="${token}"></head>`);
    }
    const type = rel.endsWith('.js') ? 'text/javascript' : rel.endsWith('.css') ? 'text/css' : 'text/html';
    await route.fulfill({ body, contentType: type });
  });
  await page.addInitScript(fakeBindings, { base: server.base, token, qrPNG: TINY_PNG, contract, gated });
  await page.setViewportSize({ width, height });
  await beforeOpen(page);
  await page.goto(`${server.base}/desktop/index.html`);
  // The type check already holds the fake to Go's methods; this holds the page to it too.
  // IngestInfo is bound by the Go side of issue 27: until make generate has
  // it in the contract, the fake offers it as src/desktop/ingestinfo.ts says.
  const bound = await page.evaluate(() => Object.keys(window.go?.app?.App ?? {}));
  const methods = contract.methods.includes('IngestInfo') ? contract.methods : [...contract.methods, 'IngestInfo'];
  assert.deepEqual(bound.sort(), [...methods].sort(), 'the fake bindings are not the methods app.App binds');
  return { page, consoleLog };
}

/**
 * openDesktopUI starts a server (with options.serverArgs) and opens the
 * desktop UI against it with fake bindings. calls() reads the recorded
 * binding calls; openPage(options) opens another page on the same server;
 * close() ends it all.
 */
export async function openDesktopUI(token, { serverArgs = [], ...options } = {}) {
  const server = await startServer({ token, args: serverArgs });
  let browser;
  try {
    // Pages served by page.route have no address, so Chromium's Local Network
    // Access check would block their loopback WebSocket; the Wails webview has
    // no such check.
    browser = await launchBrowser(['--disable-features=LocalNetworkAccessChecks']);
    const { page, consoleLog } = await openPage(browser.context, server, token, options);
    const calls = () => page.evaluate(() => window.__calls);
    return {
      server,
      page,
      calls,
      consoleLog,
      lastCall: async (name) => (await calls()).filter((c) => c[0] === name).pop(),
      openPage: (opts) => openPage(browser.context, server, token, opts),
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

/** waitReady waits until every panel has had Go's first answer. */
export function waitReady(page) {
  return waitFor(() => page.evaluate(() => !document.querySelector('.app')?.hasAttribute('aria-busy')), 'the UI to have its first state from Go');
}

/** token22 makes a token as Go's server.NewToken does: 22 base64url characters. */
export function token22() {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
}
