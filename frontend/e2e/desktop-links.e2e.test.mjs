// The share panel's customer links in Chromium, with the Wails bindings
// replaced by a recording stand-in (desktop-bindings.mjs, which starts with
// two links, Acme QA watched by two) and the preview on a real framecast
// server. Checks that the fold lists the links and asks for them again
// while open (viewers come and go), that the form makes a third link and
// shows it ready to copy, that Go's refusal is shown beside the form, that
// Revoke asks in the row first, that Change… changes a link in its row (an
// expired one extended, a rename that keeps its row, QR code and link, a
// refusal that changes nothing), that the audit shows a link's connections
// and loads older ones, that a hostile name is shown as text, also given
// in a rename, that all of it is reached with the keyboard, and that the layout holds at 1440×900
// and 1024×640. (The real window under Xvfb: desktop-links-app.e2e.test.mjs.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDesktopUI, token22, waitFor, waitReady } from './desktop-fake.mjs';
import { repoRoot } from './harness.mjs';
import { layoutFaults } from './layout.mjs';

const TOKEN = token22();
const shots = path.join(repoRoot, 'build', 'e2e');

let ui;
let page;

/** names are the rows' link names, in order. */
const names = () => page.locator('#customer-links .cl-name').allTextContents();
/** row is the row of the link called name. */
const row = (name) => page.locator('#customer-links .customer').filter({ has: page.locator('.cl-name', { hasText: name }) });
/** focused says what has the focus: its label, or its text. */
const focused = () =>
  page.evaluate(() => {
    const a = /** @type {HTMLInputElement} */ (document.activeElement);
    return a?.getAttribute('aria-label') ?? a?.labels?.[0]?.textContent?.trim() ?? a?.textContent ?? '';
  });
/** polled resolves once the list has been asked for twice more: a poll has been shown since. */
const polled = async () => {
  const asked = async () => (await ui.calls()).filter((c) => c[0] === 'CustomerLinks').length;
  const now = await asked();
  await waitFor(async () => (await asked()) >= now + 2, 'a poll');
};

before(async () => {
  ui = await openDesktopUI(TOKEN, { width: 1440, height: 900 });
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

test('the fold lists the links with who watches, when last seen, expiry and cameras, and asks again every 2 s while open', async () => {
  assert.equal((await ui.calls()).filter((c) => c[0] === 'CustomerLinks').length, 0, 'asked for the links before the fold was opened');
  await page.click('#customers summary');
  await waitFor(async () => (await names()).length === 2, 'two rows');
  assert.deepEqual(await names(), ['Acme QA', 'Globex line 2']);
  assert.equal(await row('Acme QA').locator('.cl-viewers').textContent(), '● 2 of 3 watching');
  assert.equal(await row('Acme QA').locator('.cl-meta').textContent(), 'last seen watching now · expires in 23 h · all cameras');
  assert.equal(await row('Globex line 2').locator('.cl-viewers').textContent(), 'nobody watching');
  assert.equal(await row('Globex line 2').locator('.cl-meta').textContent(), 'last seen never · never expires · camera');
  // Asked again while open; not once closed.
  const asked = async () => (await ui.calls()).filter((c) => c[0] === 'CustomerLinks').length;
  const first = await asked();
  await waitFor(async () => (await asked()) >= first + 2, 'two more polls', 7000);
  await page.click('#customers summary');
  const closed = await asked();
  await page.waitForTimeout(2500);
  assert.equal(await asked(), closed, 'the list was asked for with the fold closed');
  await page.click('#customers summary');
  await waitFor(async () => (await asked()) > closed, 'a poll on opening again');
});

test('Copy puts the whole link on the clipboard; QR shows its code', async () => {
  const acme = row('Acme QA');
  await acme.getByRole('button', { name: "Copy Acme QA's link" }).click();
  const [, copied] = await ui.lastCall('CopyText');
  assert.match(copied, /\?token=[A-Za-z0-9_-]{22}$/);
  const qr = acme.getByRole('button', { name: "QR code of Acme QA's link" });
  assert.equal(await qr.getAttribute('aria-expanded'), 'false');
  await qr.click();
  assert.equal(await qr.getAttribute('aria-expanded'), 'true');
  assert.ok(await acme.locator('img.cl-qr').isVisible());
  assert.ok(await acme.locator('img.cl-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code does not decode');
});

test("the audit lists the link's connections, those open first, and loads older ones", async () => {
  const acme = row('Acme QA');
  await acme.getByRole('button', { name: /Audit of Acme QA's link/ }).click();
  const lines = acme.locator('.cl-log li');
  await waitFor(async () => (await lines.count()) === 52, 'the first page: 2 open and 50 ended');
  const parts = (i) => lines.nth(i).locator('span').allTextContents();
  const [when, ...open] = await parts(0);
  assert.match(when, /^\d\d:\d\d:\d\d · 2 min$/);
  assert.deepEqual(open, ['watching', '198.51.100.4:40001', '3.4 MB · h264 720p']);
  assert.deepEqual((await parts(1)).slice(1), ['watching', '198.51.100.9:40002', '900 kB · jpeg · mjpeg']);
  const [when2, ...ended] = await parts(2);
  assert.match(when2, / · 10 min$/);
  assert.deepEqual(ended, ['cut: link expired', '203.0.113.1:50000', '52.0 MB · h264 720p']);
  assert.equal((await parts(3))[1], 'left');
  // A poll leaves the audit open and whole.
  const polls = (await ui.calls()).length;
  await waitFor(async () => (await ui.calls()).length > polls + 1, 'a poll');
  assert.equal(await lines.count(), 52);
  await acme.getByRole('button', { name: /Load older connections/ }).click();
  await waitFor(async () => (await lines.count()) === 62, 'the older ten');
  assert.deepEqual(await ui.lastCall('LinkAudit'), ['LinkAudit', 'Acme QA', 11]);
  assert.equal(await acme.getByRole('button', { name: /Load older connections/ }).isVisible(), false, 'Load more stays with nothing older');
});

test('the form makes a link for a customer and shows it ready to copy; Go’s refusal shows beside it', async () => {
  await page.fill('#cl-name', 'Initech');
  await page.check('#cl-some');
  await page.locator('#cl-picks').getByLabel('camera').check();
  await page.selectOption('#cl-expires', '7d');
  await page.fill('#cl-cap', '4');
  await page.check('#cl-recordings');
  await page.getByRole('button', { name: 'Make link' }).click();
  await waitFor(() => page.isVisible('#cl-made'), 'the new link');
  assert.deepEqual(await ui.lastCall('NewCustomerLink'), ['NewCustomerLink', { name: 'Initech', cameras: ['camera'], expiresIn: '7d', maxViewers: 4, recordings: true }]);
  const url = await page.locator('#cl-made-url').getAttribute('title');
  assert.match(url, /\/s\/camera\/\?token=/);
  // One click (Enter: it has the focus) copies it.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cl-made-copy');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await ui.lastCall('CopyText'))?.[1] === url, 'the new link copied');
  assert.deepEqual(await names(), ['Acme QA', 'Globex line 2', 'Initech']);
  assert.equal(await row('Initech').locator('.cl-meta').textContent(), 'last seen never · expires in 6 d · camera');
  assert.equal(await page.inputValue('#cl-name'), '', 'the name stays in the box');

  // A second of the name: Go says so beside the name, and nothing is added.
  await page.fill('#cl-name', 'Initech');
  await page.press('#cl-name', 'Enter');
  await waitFor(async () => /exists already/.test(await page.textContent('#cl-help')), "Go's refusal");
  assert.equal(await page.getAttribute('#cl-name', 'aria-invalid'), 'true');
  assert.equal(await page.textContent('#cl-help'), 'a link named “Initech” exists already: give this one another name');
  // What the page can tell itself is said without asking Go.
  const asked = (await ui.calls()).filter((c) => c[0] === 'NewCustomerLink').length;
  await page.fill('#cl-name', 'Umbrella');
  await page.fill('#cl-cap', '0');
  await page.press('#cl-name', 'Enter');
  assert.match(await page.textContent('#cl-help'), /whole number from 1/);
  assert.equal((await ui.calls()).filter((c) => c[0] === 'NewCustomerLink').length, asked);
  await page.fill('#cl-cap', '');
});

test('Revoke asks in the row first: Keep (or Escape) keeps the link, Revoke revokes it', async () => {
  const globex = row('Globex line 2');
  await globex.getByRole('button', { name: "Revoke Globex line 2's link" }).click();
  const confirm = globex.getByRole('group', { name: "Revoke Globex line 2's link?" });
  assert.ok(await confirm.isVisible());
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Revoke', 'the confirmation has not the focus');
  await page.keyboard.press('Escape');
  assert.equal(await confirm.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), "Revoke Globex line 2's link", 'the focus is lost');
  await globex.getByRole('button', { name: "Revoke Globex line 2's link" }).click();
  await confirm.getByRole('button', { name: "No, keep Globex line 2's link" }).click();
  assert.equal((await ui.calls()).some((c) => c[0] === 'RevokeLink'), false, 'revoked without a yes');
  await globex.getByRole('button', { name: "Revoke Globex line 2's link" }).click();
  await confirm.getByRole('button', { name: "Yes, revoke Globex line 2's link" }).click();
  await waitFor(async () => !(await names()).includes('Globex line 2'), 'the row gone');
  assert.deepEqual(await ui.lastCall('RevokeLink'), ['RevokeLink', 'Globex line 2']);
  assert.deepEqual(await names(), ['Acme QA', 'Initech']);
  // Acme's audit, open above, stayed open through it all.
  assert.equal(await row('Acme QA').locator('.cl-log li').count(), 62);
});

test('Change… extends an expired link in its row, asking Go for the expiry alone; the focus goes back to Change…', async () => {
  await page.evaluate(() => window.__expireLink('Initech'));
  const initech = row('Initech');
  await waitFor(async () => (await initech.locator('.cl-expiry').textContent()) === 'expired', 'Initech expired');
  await initech.getByRole('button', { name: "Change Initech's link" }).click();
  const form = initech.getByRole('form', { name: "Change Initech's link" });
  assert.ok(await form.isVisible());
  assert.equal(await initech.getByRole('button', { name: "Change Initech's link" }).getAttribute('aria-expanded'), 'true');
  // Filled with the link as it is, its expiry kept; the name has the focus.
  assert.equal(await focused(), 'Name');
  assert.equal(await form.getByLabel('Name').inputValue(), 'Initech');
  assert.equal(await form.getByLabel('Expires').inputValue(), 'keep');
  assert.deepEqual(await form.getByLabel('Expires').locator('option').allTextContents(), [
    'Keep: expired', 'Never', 'In 1 hour', 'In 24 hours', 'In 7 days', 'In 30 days',
  ]);
  assert.equal(await form.getByLabel('Viewers at once').inputValue(), '4');
  assert.ok(await form.getByLabel('May watch the recordings').isChecked());
  assert.ok(await form.getByLabel('These:').isChecked());
  assert.ok(await form.getByRole('group', { name: "Cameras Initech's link opens" }).getByLabel('camera').isChecked());
  // Tab goes through the form in its order, to Save and Cancel.
  const order = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('Tab');
    order.push(await focused());
  }
  assert.deepEqual(order, ['These:', 'camera', 'Expires', 'Viewers at once', 'May watch the recordings', "Save the change of Initech's link", "Cancel the change of Initech's link"]);
  await form.getByLabel('Expires').selectOption('7d');
  // Enter in any field saves.
  await form.getByLabel('Expires').press('Enter');
  await waitFor(async () => !(await form.isVisible()), 'the form closed');
  assert.deepEqual(await ui.lastCall('ChangeLink'), ['ChangeLink', 'Initech', { expiresIn: '7d' }]);
  assert.equal(await focused(), "Change Initech's link");
  assert.equal(await initech.getByRole('button', { name: "Change Initech's link" }).getAttribute('aria-expanded'), 'false');
  assert.equal(await initech.locator('.cl-meta').textContent(), 'last seen never · expires in 6 d · camera');
  assert.equal(await initech.getAttribute('data-expired'), 'false');
  await polled();
  assert.equal(await initech.locator('.cl-expiry').textContent(), 'expires in 6 d', 'a poll says it expired again');
});

test('a rename keeps the row in its place with its QR code open, and Copy gives the same link', async () => {
  const before = await names();
  const initech = row('Initech');
  await initech.getByRole('button', { name: "Copy Initech's link" }).click();
  const [, url] = await ui.lastCall('CopyText');
  await initech.getByRole('button', { name: "QR code of Initech's link" }).click();
  const li = await initech.elementHandle();
  await initech.getByRole('button', { name: "Change Initech's link" }).click();
  const form = initech.getByRole('form', { name: "Change Initech's link" });
  await form.getByLabel('Name').fill('Initech Corp');
  await form.getByRole('button', { name: /^Save/ }).click();
  await waitFor(async () => (await names()).includes('Initech Corp'), 'the new name');
  assert.deepEqual(await ui.lastCall('ChangeLink'), ['ChangeLink', 'Initech', { name: 'Initech Corp' }]);
  assert.deepEqual(await names(), before.map((n) => (n === 'Initech' ? 'Initech Corp' : n)));
  await polled();
  const corp = row('Initech Corp');
  assert.deepEqual(await names(), before.map((n) => (n === 'Initech' ? 'Initech Corp' : n)), 'a poll moved it');
  assert.ok(await corp.evaluate((el, was) => el === was, li), 'the row was made again');
  assert.ok(await corp.locator('img.cl-qr').isVisible(), 'its QR code closed');
  assert.equal(await corp.locator('img.cl-qr').getAttribute('alt'), "QR code of Initech Corp's link");
  await corp.getByRole('button', { name: "Copy Initech Corp's link" }).click();
  assert.equal((await ui.lastCall('CopyText'))[1], url);
  await corp.getByRole('button', { name: "QR code of Initech Corp's link" }).click();
});

test("a refused change shows Go's reason in the row and changes nothing; Escape and Cancel close it", async () => {
  const corp = row('Initech Corp');
  const change = corp.getByRole('button', { name: "Change Initech Corp's link" });
  const form = corp.getByRole('form', { name: "Change Initech Corp's link" });
  const help = form.locator('.help');
  const before = await names();
  await change.click();
  await form.getByLabel('Name').fill('Acme QA');
  await form.getByLabel('Name').press('Enter');
  await waitFor(async () => /exists already/.test(await help.textContent()), "Go's refusal");
  assert.equal(await help.textContent(), 'a link named “Acme QA” exists already: give this one another name');
  assert.equal(await form.getByLabel('Name').getAttribute('aria-invalid'), 'true');
  assert.ok(await form.isVisible(), 'the form closed on a refusal');
  await polled();
  assert.deepEqual(await names(), before);
  // What the page can tell itself is said without asking Go.
  const asked = (await ui.calls()).filter((c) => c[0] === 'ChangeLink').length;
  await form.getByLabel('Name').fill('Initech Corp');
  await form.getByLabel('Viewers at once').fill('0');
  await form.getByLabel('Viewers at once').press('Enter');
  assert.match(await help.textContent(), /whole number from 1/);
  // Nothing changed: Save just closes.
  await form.getByLabel('Viewers at once').fill('4');
  await form.getByLabel('Viewers at once').press('Enter');
  await waitFor(async () => !(await form.isVisible()), 'the form closed');
  assert.equal((await ui.calls()).filter((c) => c[0] === 'ChangeLink').length, asked);
  // Escape closes it, and opened again it holds the link as it is.
  await change.click();
  await form.getByLabel('Name').fill('Umbrella');
  await page.keyboard.press('Escape');
  assert.equal(await form.isVisible(), false);
  assert.equal(await focused(), "Change Initech Corp's link");
  await change.click();
  assert.equal(await form.getByLabel('Name').inputValue(), 'Initech Corp');
  assert.equal(await help.textContent(), 'The customer keeps the link they have');
  await form.getByRole('button', { name: /^Cancel/ }).click();
  assert.equal(await form.isVisible(), false);
  assert.equal(await focused(), "Change Initech Corp's link");
  assert.equal((await ui.calls()).filter((c) => c[0] === 'ChangeLink').length, asked);
});

test('a hostile name is shown as text, in the row, its buttons and the confirmation', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  let dialog = false;
  page.on('dialog', async (d) => {
    dialog = true;
    await d.dismiss();
  });
  await page.fill('#cl-name', hostile);
  await page.press('#cl-name', 'Enter');
  await waitFor(async () => (await names()).includes(hostile), 'the hostile row');
  const r = row(hostile);
  await r.getByRole('button', { name: `Revoke ${hostile}'s link` }).click();
  assert.equal(await r.locator('.cl-confirm span').textContent(), `Revoke “${hostile}”? Its viewers are disconnected at once, and the link stops working.`);
  await r.getByRole('button', { name: `No, keep ${hostile}'s link` }).click();
  // And given as a new name.
  const renamed = '"><svg onload=alert(2)>';
  await r.getByRole('button', { name: `Change ${hostile}'s link` }).click();
  await r.getByRole('form').getByLabel('Name').fill(renamed);
  await r.getByRole('form').getByLabel('Name').press('Enter');
  await waitFor(async () => (await names()).includes(renamed), 'the hostile rename');
  const r2 = row(renamed);
  await r2.getByRole('button', { name: `Revoke ${renamed}'s link` }).click();
  assert.equal(await r2.locator('.cl-confirm span').textContent(), `Revoke “${renamed}”? Its viewers are disconnected at once, and the link stops working.`);
  await r2.getByRole('button', { name: `No, keep ${renamed}'s link` }).click();
  assert.equal(await page.locator('#customers img:not(.qr)').count(), 0, 'the name became an element');
  assert.equal(await page.locator('#customers svg').count(), 0, 'the new name became an element');
  assert.equal(dialog, false, 'the name ran as script');
});

test('the fold is reached and worked with the keyboard alone', async () => {
  await page.click('#customers summary');
  assert.equal(await page.evaluate(() => document.getElementById('customers').open), false);
  await page.focus('#customers summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.getElementById('customers').open), true);
  // Tab from the summary reaches the first row's buttons, each with a name that says its link.
  const labels = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    labels.push(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id));
  }
  assert.deepEqual(labels, ["Copy Acme QA's link", "QR code of Acme QA's link", "Audit of Acme QA's link: its connections", "Change Acme QA's link", "Revoke Acme QA's link"]);
  // Every field of the form has a label.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('#customer-form input, #customer-form select')].filter((i) => i.labels.length === 0 && !i.getAttribute('aria-label')).map((i) => i.id),
  );
  assert.deepEqual(unlabelled, []);
});

test('with QR codes, an audit, a confirmation and a change open the layout holds at 1440×900 and 1024×640', async () => {
  await row('Initech').getByRole('button', { name: /QR code/ }).click();
  await row('Initech').getByRole('button', { name: /^Revoke/ }).click();
  await row('Acme QA').getByRole('button', { name: /^Change/ }).click();
  await row('Acme QA').getByRole('form').getByLabel('Name').fill('A customer with a name long enough to wrap in the side column');
  await page.keyboard.press('Tab');
  // The page's own tooltip of whatever the pointer was left on is not the layout.
  await page.mouse.move(0, 0);
  await fs.mkdir(shots, { recursive: true });
  for (const [width, height] of [[1440, 900], [1024, 640]]) {
    await page.setViewportSize({ width, height });
    for (const at of ['#customer-links', '#customer-form', '#cl-made']) {
      await page.locator(at).scrollIntoViewIfNeeded();
      assert.deepEqual(await layoutFaults(page), [], `at ${width}×${height}, scrolled to ${at}`);
    }
    const wide = await page.evaluate(() => {
      const side = document.querySelector('.side');
      return side.scrollWidth - side.clientWidth;
    });
    assert.ok(wide <= 0, `the side column scrolls sideways by ${wide} px at ${width}×${height}`);
    await page.locator('#customer-links').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, `desktop-links-${width}x${height}.png`) });
  }
});
