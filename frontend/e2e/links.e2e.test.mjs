// End-to-end: customer links as their customers see them, all of it real:
// `framecast serve` with an admin token, links made with its API, each
// watched in Debian's Chromium. Revoking one stops its page at once with
// "This link was revoked" while the other link's page plays on; a link
// that expires says so, and so does its page when opened again.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, startServer, waitForViewer } from './harness.mjs';

const TOKEN = 'e2e-links-' + Math.random().toString(36).slice(2);
const ADMIN = 'e2e-admin-' + Math.random().toString(36).slice(2);

describe('customer links, made, watched, revoked and expired for real', () => {
  let server;
  let dir;
  let browser;
  const errors = [];
  const api = async (method, p, body) => {
    const res = await fetch(`${server.base}${p}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const open = async (link) => {
    const page = await browser.context.newPage();
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(link.url.replace(/^http:\/\/[^/]+/, server.base));
    await waitForViewer(page, (v) => v.state === 'live' && v.frames > 3, 15_000, `${link.name} live`);
    return page;
  };
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-links-'));
    server = await startServer({ token: TOKEN, args: ['--width', '320', '--height', '180', '--admin-token', ADMIN, '--state', dir] });
    browser = await launchBrowser([], { viewport: { width: 800, height: 600 } });
  });
  after(async () => {
    assert.deepEqual(errors, []);
    await browser?.close();
    await server?.kill();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  test('a revoked link’s page stops and says so; the other customer’s plays on', async () => {
    const acme = await api('POST', '/api/links', { name: 'Acme QA' });
    const globex = await api('POST', '/api/links', { name: 'Globex' });
    assert.equal(acme.status, 201);
    assert.equal(globex.status, 201);
    const [acmePage, globexPage] = [await open(acme.body), await open(globex.body)];
    const before = (await waitForViewer(globexPage, () => true, 1000, 'state')).frames;
    const revoked = Date.now();
    assert.equal((await api('DELETE', `/api/links/${encodeURIComponent('Acme QA')}`)).status, 200);
    const told = await waitForViewer(acmePage, (v) => v.state === 'revoked', 10_000, 'the revoked page says so');
    assert.match(told.message, /This link was revoked/);
    const pill = await acmePage.evaluate(() => getComputedStyle(document.querySelector('.pill'), '::before').content);
    assert.equal(pill, '"LINK REVOKED"');
    assert.ok(Date.now() - revoked < 5000, `told after ${Date.now() - revoked} ms`);
    // The other link plays on.
    await waitForViewer(globexPage, (v) => v.state === 'live' && v.frames > before + 20, 10_000, 'Globex plays on');
    // Opened again, the revoked link's page says it was revoked.
    await acmePage.reload();
    assert.match(await acmePage.locator('h1').textContent(), /This link was revoked/);
  });

  test('a link that expires stops its page, and opened again it says it expired', async () => {
    const brief = await api('POST', '/api/links', { name: 'brief', expires_in: '4s' });
    assert.equal(brief.status, 201);
    const page = await open(brief.body);
    const told = await waitForViewer(page, (v) => v.state === 'expired', 15_000, 'the page says the link expired');
    assert.match(told.message, /This link expired/);
    await page.reload();
    assert.match(await page.locator('h1').textContent(), /This link expired/);
    const listed = await api('GET', '/api/links');
    assert.ok(listed.body.links.find((l) => l.name === 'brief').expired);
  });
});
