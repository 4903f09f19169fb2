// The desktop UI's camera list and preview grid in Chromium, with the Wails
// bindings replaced by a recording stand-in (desktop-bindings.mjs) that
// keeps each camera's settings, and the tiles on a real framecast server.
// Checks that a camera is added, selected (the panels then show its
// settings), renamed, moved by button and by drag, and removed, that Go's
// refusals reach the person, that the grid shows a live tile per camera
// while several run, and that the share panel offers the link to all.
// (The Go side is tested in app/; the real window under Xvfb with two
// cameras in desktop.e2e.test.mjs.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contract, openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';

const TOKEN = 'desktop-cameras-token-' + Math.random().toString(36).slice(2);

let ui;
let page;
const lastCall = (name) => ui.lastCall(name);

/** listed is the camera list as shown: names in order, the selected one starred. */
const listed = () =>
  page.$$eval('#cameras li', (items) => items.map((li) => li.dataset.name + (li.getAttribute('aria-current') === 'true' ? '*' : '')).join(','));

/** waitListed waits until the list shows want. */
const waitListed = async (want) => {
  await waitFor(async () => (await listed()) === want, `the list to show ${want}`).catch(async (err) => {
    throw new Error(`${err.message}; it shows ${await listed()}`);
  });
};

before(async () => {
  ui = await openDesktopUI(TOKEN);
  ({ page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

test('one camera: listed and selected, no grid, and it cannot be removed', async () => {
  await waitListed('camera*');
  assert.equal(await page.isHidden('#tiles'), true, 'a grid of one tile');
  assert.equal(await page.isHidden('#grid-share'), true, 'a link to all cameras with one camera');
  assert.equal(await page.isDisabled('#cameras [aria-label="Remove camera camera"]'), true);
  assert.equal(await page.textContent('#camera-name'), 'camera');
});

test('a name Go refuses is shown beside the field and nothing is added', async () => {
  await page.fill('#camera-new', '../dock');
  await page.click('#camera-add button[type=submit]');
  await waitFor(async () => (await page.getAttribute('#camera-new', 'aria-invalid')) === 'true', 'the field marked');
  assert.match(await page.textContent('#camera-new-help'), /stream names are 1-64 letters/);
  assert.equal(await listed(), 'camera*');
  await page.fill('#camera-new', '');
  assert.equal(await page.getAttribute('#camera-new', 'aria-invalid'), null, 'typing takes the refusal away');
});

test('a camera added is selected, the panels show its settings, and the grid shows both live', async () => {
  // The first camera's quality, changed so the two differ.
  await page.getByLabel('JPEG quality', { exact: true }).fill('42');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await lastCall('SetQuality'))?.[1] === 42, 'SetQuality 42');

  await page.fill('#camera-new', 'dock');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(() => lastCall('AddCamera'), 'AddCamera'), ['AddCamera', 'dock', '']);
  await waitListed('camera,dock*');
  assert.equal(await page.inputValue('#camera-new'), '', 'the field empties once added');
  // The new camera's settings are its own: the defaults, not camera's 42.
  await waitFor(async () => (await page.inputValue('#quality-number')) === String(contract.settings.quality), "dock's quality, the default");
  assert.equal(await page.textContent('#camera-name'), 'dock');
  assert.equal(await page.textContent('#share-camera'), 'dock');
  assert.match(await page.textContent('#links'), /\/s\/dock\//);
  assert.equal(await page.isHidden('#grid-share'), false, 'the link to all cameras');

  // A live tile of each, in the list's order, the selected one marked.
  assert.equal(await page.isHidden('#tiles'), false);
  await waitFor(
    async () => (await page.$$eval('#tiles .tile', (ts) => ts.filter((t) => t.dataset.state === 'live' && Number(t.dataset.frames) > 3).length)) === 2,
    'two live tiles',
    15_000,
  );
  assert.deepEqual(await page.$$eval('#tiles .tile', (ts) => ts.map((t) => `${t.dataset.name}:${t.getAttribute('aria-pressed')}`)), ['camera:false', 'dock:true']);

  // Changing a control changes the selected camera only.
  await page.getByLabel('JPEG quality', { exact: true }).fill('77');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await lastCall('SetQuality'))?.[1] === 77, 'SetQuality 77');
});

test('a click on a tile selects its camera and the panels follow', async () => {
  await page.click('#tiles .tile[data-name="camera"]');
  assert.deepEqual(await waitFor(() => lastCall('SelectCamera'), 'SelectCamera'), ['SelectCamera', 'camera']);
  await waitListed('camera*,dock');
  await waitFor(async () => (await page.inputValue('#quality-number')) === '42', "camera's own quality, 42");
  await page.click('#cameras [aria-label="Show camera dock"]');
  await waitListed('camera,dock*');
  await waitFor(async () => (await page.inputValue('#quality-number')) === '77', "dock's own quality, 77");
});

test('a camera is renamed in its row; Escape leaves it as it was', async () => {
  await page.click('#cameras [aria-label="Rename camera dock"]');
  await page.keyboard.type('x');
  await page.keyboard.press('Escape');
  await waitListed('camera,dock*');
  await page.click('#cameras [aria-label="Rename camera dock"]');
  await page.fill('#cameras .cam-rename input', 'loading-dock');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(() => lastCall('RenameCamera'), 'RenameCamera'), ['RenameCamera', 'dock', 'loading-dock']);
  await waitListed('camera,loading-dock*');
  assert.equal(await page.textContent('#share-camera'), 'loading-dock');
});

test('cameras move by their buttons and by drag', async () => {
  await page.click('#cameras [aria-label="Move camera loading-dock up"]');
  assert.deepEqual(await waitFor(() => lastCall('MoveCamera'), 'MoveCamera'), ['MoveCamera', 'loading-dock', 0]);
  await waitListed('loading-dock*,camera');
  assert.deepEqual(await page.$$eval('#tiles .tile', (ts) => ts.map((t) => t.dataset.name)), ['loading-dock', 'camera'], 'the tiles follow');
  assert.equal(await page.isDisabled('#cameras [aria-label="Move camera loading-dock up"]'), true, 'the first cannot go up');
  await page.dragAndDrop('#cameras li[data-name="camera"]', '#cameras li[data-name="loading-dock"]');
  await waitFor(async () => (await lastCall('MoveCamera'))?.[1] === 'camera', 'MoveCamera by drag');
  await waitListed('camera,loading-dock*');
});

test('removing takes a second click; the last camera stays', async () => {
  const remove = '#cameras [aria-label="Remove camera loading-dock"]';
  await page.click(remove);
  assert.equal(await page.textContent(remove), 'Remove?');
  assert.equal(await lastCall('RemoveCamera'), undefined, 'one click removed it');
  await page.click(remove);
  assert.deepEqual(await waitFor(() => lastCall('RemoveCamera'), 'RemoveCamera'), ['RemoveCamera', 'loading-dock']);
  await waitListed('camera*');
  await waitFor(() => page.isHidden('#tiles'), 'the grid gone with one camera');
  assert.equal(await page.isHidden('#grid-share'), true);
  await waitFor(async () => (await page.inputValue('#quality-number')) === '42', "the remaining camera's settings");
  assert.equal(await page.isDisabled('#cameras [aria-label="Remove camera camera"]'), true);
});
