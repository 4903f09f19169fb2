// The desktop UI's Processing panel in Chromium, with the Wails bindings
// replaced by a recording stand-in (desktop-fake.mjs): every edit must send
// the whole chain to Go, a refusal must reach the person and put back the
// chain in force, a number out of range must be refused beside its box, and
// stats must show each processor's cost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contract, openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';
import { layoutFaults } from './layout.mjs';

const TOKEN = 'desktop-processing-token-' + Math.random().toString(36).slice(2);

/** defaults are processor name's parameters at Go's defaults, as the panel adds it. */
const defaults = (name) => Object.fromEntries(contract.processors.find((p) => p.name === name).params.map((p) => [p.name, p.default]));

let ui;
let page;
const calls = () => ui.calls();

before(async () => {
  ui = await openDesktopUI(TOKEN);
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

test('the processing panel edits the chain and sends it whole to Go', async () => {
  const setChain = async (n) => {
    await waitFor(async () => (await calls()).filter((c) => c[0] === 'SetChain').length >= n, `SetChain call ${n}`);
    return (await calls()).filter((c) => c[0] === 'SetChain')[n - 1][1];
  };
  const titles = () => page.locator('#chain .proc-title').allInnerTexts();
  assert.equal(await page.locator('#chain-empty').isVisible(), true, 'empty chain is said so');
  // The picker offers every processor Go has, in Go's order.
  assert.deepEqual(await page.locator('#add-processor option').allInnerTexts(), contract.processors.map((p) => p.title));
  assert.ok(contract.processors.some((p) => p.name === 'faces'), 'Go offers faces, which this test adds');

  await page.selectOption('#add-processor', 'faces');
  await page.click('#add-form button');
  assert.deepEqual(await setChain(1), [{ name: 'faces', params: defaults('faces') }]);
  await page.selectOption('#add-processor', 'blur');
  await page.click('#add-form button');
  assert.deepEqual(await setChain(2), [
    { name: 'faces', params: defaults('faces') },
    { name: 'blur', params: defaults('blur') },
  ]);
  assert.deepEqual(await titles(), ['Face detection', 'Gaussian blur']);
  assert.equal(await page.locator('#chain-empty').isVisible(), false);

  // Reorder by keyboard: focus follows the moved item.
  await page.getByRole('button', { name: 'Move Gaussian blur up' }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual((await setChain(3)).map((i) => i.name), ['blur', 'faces']);
  assert.deepEqual(await titles(), ['Gaussian blur', 'Face detection']);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move Gaussian blur down');

  await page.getByLabel('Min neighbours').fill('8');
  assert.deepEqual(await setChain(4), [
    { name: 'blur', params: defaults('blur') },
    { name: 'faces', params: { ...defaults('faces'), minNeighbors: 8 } },
  ]);
  assert.match(await page.locator('#chain li', { hasText: 'Min neighbours' }).innerText(), /Min neighbours\s+8/);

  // A blur size must be odd: an even one is put on the step grid before Go sees it.
  await page.getByLabel('Kernel size (odd)').fill('10');
  assert.deepEqual((await setChain(5))[0], { name: 'blur', params: { size: 11 } });

  await page.getByRole('button', { name: 'Remove Gaussian blur' }).click();
  assert.deepEqual(await setChain(6), [{ name: 'faces', params: { ...defaults('faces'), minNeighbors: 8 } }]);
  assert.deepEqual(await titles(), ['Face detection']);

  // Wide ranges get a number box; it applies when the person is done typing.
  await page.selectOption('#add-processor', 'motion');
  await page.click('#add-form button');
  await setChain(7);
  await page.getByLabel('Min area (px²)').fill('800');
  await page.keyboard.press('Enter');
  assert.deepEqual((await setChain(8))[1], { name: 'motion', params: { ...defaults('motion'), minArea: 800 } });
});

test('a number out of range is refused beside its box, not clamped and sent', async () => {
  const sent = async () => (await calls()).filter((c) => c[0] === 'SetChain').length;
  const before = await sent();
  const box = page.getByLabel('Min area (px²)');
  const help = page.locator('#chain .proc[data-name="motion"] .help');
  assert.equal(await help.innerText(), '1–1000000', 'the box says its range');
  for (const [typed, why] of [['-5', '-5 is out of range: use 1–1000000'], ['2000000', '2000000 is out of range: use 1–1000000'], ['', 'Type a number from 1 to 1000000']]) {
    await box.fill(typed);
    await page.keyboard.press('Enter');
    await waitFor(async () => (await help.innerText()) === why, `the refusal of "${typed}"`);
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
  }
  await page.waitForTimeout(200);
  assert.equal(await sent(), before, 'a refused value reached Go');
  await box.fill('1200');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await sent()) > before, 'SetChain');
  assert.equal((await calls()).filter((c) => c[0] === 'SetChain').pop()[1][1].params.minArea, 1200);
  assert.equal(await help.innerText(), '1–1000000');
  assert.equal(await box.getAttribute('aria-invalid'), null);
});

test('a refused chain shows Go\'s reason and puts back the chain in force', async () => {
  const before = await page.locator('#chain .proc-title').allInnerTexts();
  await page.evaluate(() => (window.__refuseChain = 'faces: OpenCV could not load the face cascade'));
  await page.selectOption('#add-processor', 'gray');
  await page.click('#add-form button');
  await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('could not load the face cascade')), 'chain error');
  await waitFor(async () => JSON.stringify(await page.locator('#chain .proc-title').allInnerTexts()) === JSON.stringify(before), 'chain put back');
  await page.evaluate(() => (window.__refuseChain = undefined));
});

test('stats events show each processor\'s cost', async () => {
  const stats = (extra) => ({
    source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 20, width: 1280, height: 720,
    quality: 80, encodeMs: 4.2, frameBytes: 40960, error: '', bandwidthBps: 1, remote: 0, viewers: [], ...extra,
  });
  await page.evaluate((st) => window.__emit('stream:stats', st), stats({ chain: [{ name: 'faces', ms: 18.6 }, { name: 'motion', ms: 2.34 }], skipped: 0 }));
  assert.deepEqual(await page.locator('#chain .cost').allInnerTexts(), ['19 ms', '2.3 ms']);
  // An older app without these fields must not break the panel.
  await page.evaluate((st) => window.__emit('stream:stats', st), stats({}));
  assert.deepEqual(await page.locator('#chain .cost').allInnerTexts(), ['– ms', '– ms']);
});

test('a full chain fits the side column at 1024×640', async () => {
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => {
    const side = document.querySelector('.side');
    return side.scrollWidth - side.clientWidth;
  });
  assert.ok(overflow <= 0, `side panel content is ${overflow} px wider than the panel`);
  for (const at of ['#chain .proc:first-child', '#chain .proc:last-child']) {
    await page.locator(at).scrollIntoViewIfNeeded();
    assert.deepEqual(await layoutFaults(page), [], `the layout with ${at} in view`);
  }
});

test('a number box applies on Enter and on leaving it, once each', async () => {
  const sent = async () => (await calls()).filter((c) => c[0] === 'SetChain');
  const box = page.getByLabel('Min area (px²)');
  let before = (await sent()).length;
  await box.fill('1300');
  // As WebKitGTK delivers it: a keydown that fires no change event by itself.
  await box.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));
  await waitFor(async () => (await sent()).length > before, 'SetChain on Enter');
  assert.equal((await sent()).pop()[1][1].params.minArea, 1300);
  await box.blur();
  await page.waitForTimeout(200);
  assert.equal((await sent()).length, before + 1, 'leaving after Enter applied the value again');
  before = (await sent()).length;
  await box.fill('1400');
  await box.blur();
  await waitFor(async () => (await sent()).length > before, 'SetChain on leaving');
  assert.equal((await sent()).pop()[1][1].params.minArea, 1400);
});

test('a tooltip goes with its card when the card is removed', async () => {
  const remove = page.locator('#chain .proc[data-name="motion"] button[aria-label^="Remove"]');
  const label = await remove.getAttribute('aria-label');
  await remove.hover();
  await waitFor(async () => (await page.locator('#tooltip').isVisible()) && (await page.locator('#tooltip').innerText()) === label, 'the tooltip shown');
  assert.equal(await remove.getAttribute('title'), null, 'the engine\'s own tooltip would show the title too, and stay after the card');
  await remove.click();
  await waitFor(async () => (await page.locator('#chain .proc[data-name="motion"]').count()) === 0, 'the card removed');
  await waitFor(async () => !(await page.locator('#tooltip').isVisible()), 'the tooltip gone with its card');
});
