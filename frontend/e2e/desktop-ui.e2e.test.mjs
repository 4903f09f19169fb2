// The desktop UI (dist/index.html) in Chromium, with the Wails bindings
// replaced by a recording stand-in and its preview on a real framecast
// server. Checks that every control calls Go with the right value, that
// refusals reach the person, that numbers out of range are refused beside
// their field, that recent files and URLs are offered again, and that "Share
// over the internet" sends its form and shows the push's state, link and QR.
// (The Processing panel has desktop-processing.e2e.test.mjs; layout and the
// loading state desktop-layout.e2e.test.mjs; notices desktop-notices.e2e.test.mjs;
// the app's Go side is tested in app/; the real window under Xvfb in
// desktop.e2e.test.mjs.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TINY_PNG, openDesktopUI, waitFor, waitReady } from './desktop-fake.mjs';

const TOKEN = 'desktop-ui-token-' + Math.random().toString(36).slice(2);

let ui;
let server;
let page;
const calls = () => ui.calls();
const lastCall = (name) => ui.lastCall(name);

before(async () => {
  ui = await openDesktopUI(TOKEN);
  ({ server, page } = ui);
  await waitReady(page);
});

after(async () => {
  await ui?.close();
});

test('the preview plays the stream live through the shared viewer module', async () => {
  const seen = () => page.evaluate(() => ({ ...document.getElementById('preview').dataset, message: document.getElementById('message').textContent }));
  const explain = async (err) => {
    throw new Error(`${err.message}; preview ${JSON.stringify(await seen())}; console ${JSON.stringify(ui.consoleLog)}`);
  };
  // Once in a few clean-machine runs the first connection came late (the
  // page went live after about 5 s); the console is printed if it does again.
  // The rate asked of a live preview is unchanged: 20 frames within 5 s.
  await waitFor(async () => (await page.getAttribute('#preview', 'data-state')) === 'live', 'preview live', 15_000).catch(explain);
  const from = Number(await page.getAttribute('#preview', 'data-frames'));
  await waitFor(async () => Number(await page.getAttribute('#preview', 'data-frames')) > from + 20, 'preview frames').catch(explain);
  assert.equal(await page.getAttribute('#preview', 'data-state'), 'live');
});

test('the operator can hide the detection boxes in the preview', async () => {
  assert.equal(await page.getAttribute('#preview', 'data-show-detections'), 'true');
  await page.click('#preview-boxes');
  await waitFor(async () => (await page.getAttribute('#preview', 'data-show-detections')) === 'false', 'boxes hidden');
  await page.click('#preview-boxes');
  await waitFor(async () => (await page.getAttribute('#preview', 'data-show-detections')) === 'true', 'boxes shown');
});

test('start-up notices are shown', async () => {
  await waitFor(() => page.locator('.notice.is-warning').count(), 'a warning');
  assert.match(await page.locator('.notice.is-warning').first().innerText(), /not valid JSON/);
});

test('each control calls Go at once with its value', async () => {
  await page.click('#enabled');
  assert.deepEqual(await waitFor(() => lastCall('SetEnabled'), 'SetEnabled'), ['SetEnabled', false]);
  await page.click('#enabled');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetEnabled'))?.[1] === true && lastCall('SetEnabled'), 'on'), ['SetEnabled', true]);

  await page.locator('#quality').fill('35');
  assert.deepEqual(await waitFor(() => lastCall('SetQuality'), 'SetQuality'), ['SetQuality', 35]);
  assert.equal(await page.locator('#quality-number').inputValue(), '35');
  await page.getByLabel('JPEG quality', { exact: true }).fill('42');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetQuality'))?.[1] === 42 && lastCall('SetQuality'), 'SetQuality 42'), ['SetQuality', 42]);
  assert.equal(await page.locator('#quality').inputValue(), '42', 'the slider follows the box');

  await page.selectOption('#resolution', '480p');
  assert.deepEqual(await waitFor(() => lastCall('SetResolution'), 'SetResolution'), ['SetResolution', '480p']);
  await page.getByLabel('FPS cap').fill('15');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(() => lastCall('SetFPS'), 'SetFPS'), ['SetFPS', 15]);

  // What viewers get: shown as Go has it, changed at once, and shown as Go then has it.
  assert.equal(await page.locator('#codec').inputValue(), 'auto');
  assert.equal(await page.locator('#bitrate').inputValue(), '', 'the automatic bitrate is an empty box');
  assert.equal(await page.getAttribute('#bitrate', 'placeholder'), 'auto');
  await page.getByLabel('Viewers get').selectOption('jpeg');
  assert.deepEqual(await waitFor(() => lastCall('SetCodec'), 'SetCodec'), ['SetCodec', 'jpeg']);
  await page.getByLabel('H.264 Mbit/s').fill('2.5');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(() => lastCall('SetBitrate'), 'SetBitrate'), ['SetBitrate', 2_500_000]);
  const inForce = await page.evaluate(() => window.go.app.App.Settings());
  assert.deepEqual([inForce.codec, inForce.bitrate], ['jpeg', 2_500_000]);
  await page.getByLabel('H.264 Mbit/s').fill('');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetBitrate'))?.[1] === 0 && lastCall('SetBitrate'), 'SetBitrate auto'), ['SetBitrate', 0]);
  await page.getByLabel('Viewers get').selectOption('auto');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetCodec'))?.[1] === 'auto' && lastCall('SetCodec'), 'SetCodec auto'), ['SetCodec', 'auto']);

  await page.fill('#url', 'rtsp://10.0.0.7/line');
  await page.click('#url-form button');
  assert.deepEqual(await waitFor(() => lastCall('SetSource'), 'SetSource'), ['SetSource', 'rtsp://10.0.0.7/line']);
  assert.match(await page.locator('#source-name').innerText(), /rtsp:\/\/10\.0\.0\.7/);

  await page.click('#links .link .copy');
  assert.deepEqual(await waitFor(() => lastCall('CopyText'), 'CopyText'), ['CopyText', `${server.base}/?token=${TOKEN}`]);

  await page.click('#tls');
  assert.deepEqual(await waitFor(() => lastCall('SetTLS'), 'SetTLS'), ['SetTLS', true]);
  await waitFor(async () => (await page.locator('#links .link .url').first().getAttribute('title')).startsWith('https://'), 'https links');
  assert.match(await page.locator('#links .link .url').first().innerText(), /^https:\/\//);
  assert.equal(await page.locator('#tls').isChecked(), true);
  await page.click('#tls');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetTLS'))?.[1] === false && lastCall('SetTLS'), 'HTTPS off'), ['SetTLS', false]);
});

test('refusals and bad input reach the person in words', async () => {
  const before = (await calls()).filter((c) => c[0] === 'SetSource').length;
  await page.fill('#url', 'ftp://example/x');
  await page.click('#url-form button');
  assert.match(await page.locator('#url-help').innerText(), /ftp:\/\/ cannot be opened/);
  assert.equal(await page.getAttribute('#url', 'aria-invalid'), 'true');
  assert.equal((await calls()).filter((c) => c[0] === 'SetSource').length, before, 'a bad URL reached Go');
  await page.fill('#url', 'rtsp://10.0.0.7/line');
  assert.equal(await page.getAttribute('#url', 'aria-invalid'), null, 'typing takes the refusal away');
  assert.match(await page.locator('#url-help').innerText(), /stream URL .* or a file path/);

  await page.click('#pick-file');
  await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('not a video OpenCV can read')), 'file error');

  // A port Go refuses: its reason beside the field, not a notice.
  await page.fill('#port', '80');
  await page.click('#port-form button');
  await waitFor(async () => (await page.locator('#port-help').innerText()).includes('port 80 needs administrator rights'), 'port error beside the field');
  assert.equal(await page.getAttribute('#port', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#port'), '80', 'the refused port is left to fix');
  assert.equal(await page.locator('.notice[data-cause="port"]').count(), 0, 'the port error is a notice too');
  await page.fill('#port', '70000');
  await page.click('#port-form button');
  assert.equal(await page.locator('#port-help').innerText(), '70000 is out of range: use 1–65535');
});

test('stats events fill the strip and the viewer list', async () => {
  await page.evaluate(() =>
    window.__emit('stream:stats', {
      source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 29.5, width: 1280, height: 720,
      quality: 80, encodeMs: 4.2, frameBytes: 40960, error: '', bandwidthBps: 1_250_000, remote: 1,
      viewers: [{ id: 3, kind: 'ws', addr: '192.168.1.20:50123', fps: 29.9, drops: 2, latencyMs: 14.6, bytes: 1, since: '' }],
    }),
  );
  assert.equal(await page.locator('#st-output').innerText(), '29.5 fps');
  assert.equal(await page.locator('#st-bandwidth').innerText(), '10.0 Mbit/s');
  assert.equal(await page.locator('#st-viewers').innerText(), '1');
  assert.match(await page.locator('#viewers').innerText(), /192\.168\.1\.20:50123\s+29\.9\s+15 ms\s+2/);
  assert.equal(await page.locator('#st-bitrate').innerText(), '—', 'a bitrate shown for codecs not sent');
  const rates = (jpegBitrate, h264Bitrate) => page.evaluate((r) => window.__emit('stream:stats', {
    source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 30, width: 1280, height: 720,
    quality: 80, encodeMs: 4.2, frameBytes: 40960, error: '', bandwidthBps: 1, remote: 0, viewers: [], ...r,
  }), { jpegBitrate, h264Bitrate });
  await rates(9_360_000, 1_940_000);
  assert.equal(await page.locator('#st-bitrate').innerText(), 'JPEG 9.4 Mbit/s · H.264 1.9 Mbit/s');
  await rates(9_360_000, 0);
  assert.equal(await page.locator('#st-bitrate').innerText(), 'JPEG 9.4 Mbit/s', 'H.264 named while none is sent');
});

test('numbers out of range are refused beside their field, never clamped or sent', async () => {
  const count = async (name) => (await calls()).filter((c) => c[0] === name).length;
  const [quality, fps] = [await count('SetQuality'), await count('SetFPS')];
  const box = page.getByLabel('JPEG quality', { exact: true });
  await box.fill('150');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.getAttribute('#quality-number', 'aria-invalid')) === 'true', 'quality refused');
  assert.equal(await page.locator('#quality-help').innerText(), '150 is out of range: use 1–100');
  await page.getByLabel('FPS cap').fill('0');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.getAttribute('#fps', 'aria-invalid')) === 'true', 'fps refused');
  assert.equal(await page.locator('#fps-help').innerText(), '0 is out of range: use 1–120');
  await page.getByLabel('FPS cap').fill('29.97');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.locator('#fps-help').innerText()) === 'Use a whole number, 1–120', 'fps must be whole');
  const bitrates = await count('SetBitrate');
  await page.getByLabel('H.264 Mbit/s').fill('500');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await page.getAttribute('#bitrate', 'aria-invalid')) === 'true', 'bitrate refused');
  assert.equal(await page.locator('#bitrate-help').innerText(), '500 is out of range: use 0.05–100, or empty for auto');
  assert.equal(await count('SetBitrate'), bitrates, 'a refused bitrate reached Go');
  assert.deepEqual([await count('SetQuality'), await count('SetFPS')], [quality, fps], 'a refused number reached Go');
  assert.equal(await page.locator('#quality').inputValue(), '42', 'the slider keeps the quality in force');

  await page.getByLabel('FPS cap').fill('25');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(async () => (await count('SetFPS')) > fps && lastCall('SetFPS'), 'SetFPS 25'), ['SetFPS', 25]);
  assert.equal(await page.getAttribute('#fps', 'aria-invalid'), null);
  assert.equal(await page.locator('#fps-help').innerText(), '1–120');
  await box.fill('60');
  await page.keyboard.press('Enter');
  assert.deepEqual(await waitFor(async () => (await count('SetQuality')) > quality && lastCall('SetQuality'), 'SetQuality 60'), ['SetQuality', 60]);
  assert.equal(await page.locator('#quality-help').innerText(), '1–100: higher is sharper and bigger');
});

test('the URL field takes a file path, and recent files and URLs are offered again, the newest first', async () => {
  const file = '/srv/videos/line 1.mp4';
  await page.fill('#url', file);
  await page.click('#url-form button');
  assert.deepEqual(await waitFor(async () => (await lastCall('SetSource'))?.[1] === file && lastCall('SetSource'), 'SetSource(file)'), ['SetSource', file]);
  await waitFor(async () => (await page.locator('#source-name').innerText()) === 'File: line 1.mp4', 'the file in the header');
  const recent = (p) => p.locator('#source optgroup[label="Recent"] option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(await recent(page), [[file, 'File: line 1.mp4'], ['rtsp://10.0.0.7/line', 'rtsp://10.0.0.7/line']]);
  // They are kept: a window opened later offers them too, and picking one opens it.
  const { page: later } = await ui.openPage();
  try {
    await waitReady(later);
    assert.deepEqual(await recent(later), [[file, 'File: line 1.mp4'], ['rtsp://10.0.0.7/line', 'rtsp://10.0.0.7/line']]);
    await later.selectOption('#source', 'rtsp://10.0.0.7/line');
    const picked = await waitFor(async () => (await later.evaluate(() => window.__calls)).filter((c) => c[0] === 'SetSource').pop(), 'SetSource from the list');
    assert.deepEqual(picked, ['SetSource', 'rtsp://10.0.0.7/line']);
    await waitFor(async () => (await recent(later))[0]?.[0] === 'rtsp://10.0.0.7/line', 'the picked one first');
  } finally {
    await later.close();
  }
});

describe('share over the internet', () => {
  const relay = 'wss://relay.example.com:8188';
  const publicUrl = `https://relay.example.com:8188/s/line1/?token=${TOKEN}`;
  const pushCalls = async () => (await calls()).filter((c) => c[0] === 'SetPush');
  const statusText = () => page.locator('#push-status').innerText();
  const tone = () => page.getAttribute('#push-status', 'data-tone');
  const emitStatus = (info) => page.evaluate((i) => window.__emit('push:status', i), info);

  test('the section opens from the share panel with the push off', async () => {
    assert.equal(await page.locator('#push-relay').isVisible(), false, 'folded until opened');
    await page.getByText('Share over the internet').click();
    assert.equal(await page.getByLabel('Relay address').getAttribute('placeholder'), 'wss://relay.example.com:8188');
    assert.equal(await page.getByRole('switch', { name: 'Push to the relay' }).isChecked(), false);
    assert.match(await statusText(), /Off/);
    assert.equal(await tone(), 'off');
    assert.equal(await page.locator('#push-link').isVisible(), false, 'no public link while off');
  });

  test('switching on with empty fields says what to fill in, and asks Go nothing', async () => {
    await page.getByRole('switch', { name: 'Push to the relay' }).click();
    await waitFor(() => page.locator('#push-relay-hint').isVisible(), 'relay hint');
    assert.match(await page.locator('#push-relay-hint').innerText(), /relay's address/);
    assert.match(await page.locator('#push-stream-hint').innerText(), /name/);
    assert.match(await page.locator('#push-token-hint').innerText(), /publish token/);
    assert.equal(await page.getAttribute('#push-relay', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'push-relay', 'focus on the first field to fix');
    assert.equal(await page.locator('#push-enabled').isChecked(), true, 'the switch shows the attempt');
    assert.match(await statusText(), /Off/, 'the status shows what is in force');
    assert.equal((await pushCalls()).length, 0);
    // A hint goes away once its field is right.
    await page.getByLabel('Relay address').fill('relay.example.com:8188');
    assert.match(await page.locator('#push-relay-hint').innerText(), /Start it with wss:\/\//);
    await page.getByLabel('Relay address').fill(relay);
    assert.equal(await page.locator('#push-relay-hint').isVisible(), false);
    assert.equal(await page.getAttribute('#push-relay', 'aria-invalid'), null);
  });

  test('the hints go when the switch is turned off, and nothing is sent', async () => {
    assert.equal(await page.locator('#push-stream-hint').isVisible(), true);
    await page.getByRole('switch', { name: 'Push to the relay' }).click();
    await waitFor(async () => !(await page.locator('#push-stream-hint').isVisible()), 'the stream hint to go');
    assert.equal(await page.locator('#push-token-hint').isVisible(), false);
    assert.equal(await page.getAttribute('#push-stream', 'aria-invalid'), null);
    assert.equal(await page.locator('#push-enabled').isChecked(), false);
    assert.equal((await pushCalls()).length, 0, 'nothing to stop: the push was never on');
  });

  test('the publish token is hidden until shown', async () => {
    const token = page.locator('#push').getByLabel('Publish token', { exact: true });
    await token.fill('publish-token-0123456789');
    assert.equal(await token.getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Show publish token' }).click();
    assert.equal(await token.getAttribute('type'), 'text');
    // The button says what it will do next.
    await page.getByRole('button', { name: 'Hide publish token' }).press('Enter');
    assert.equal(await token.getAttribute('type'), 'password');
    assert.equal(await page.getByRole('button', { name: 'Show publish token' }).innerText(), 'Show');
  });

  test('a refused SetPush shows Go\'s reason and the push in force, keeping what was typed', async () => {
    await page.getByLabel('Stream name').fill('line1');
    await page.evaluate(() => (window.__refusePush = 'relay "wss://relay.example.com:8188": publish token refused (401)'));
    await page.getByRole('switch', { name: 'Push to the relay' }).click();
    await waitFor(async () => (await page.locator('.notice.is-error').allInnerTexts()).some((t) => t.includes('publish token refused (401)')), 'push error');
    assert.deepEqual((await pushCalls()).at(-1), ['SetPush', { enabled: true, relay, stream: 'line1', publishToken: 'publish-token-0123456789' }]);
    await waitFor(async () => !(await page.locator('#push-enabled').isChecked()), 'switch back off');
    assert.match(await statusText(), /Off/);
    assert.equal(await page.getByLabel('Stream name').inputValue(), 'line1', 'typed values stay to be fixed');
    await page.evaluate(() => (window.__refusePush = undefined));
  });

  test('switching on sends the form to Go and shows the public link with its QR code', async () => {
    await page.getByRole('switch', { name: 'Push to the relay' }).press('Space');
    assert.deepEqual(
      await waitFor(async () => (await pushCalls()).length >= 2 && (await pushCalls()).at(-1), 'SetPush'),
      ['SetPush', { enabled: true, relay, stream: 'line1', publishToken: 'publish-token-0123456789' }],
    );
    await waitFor(async () => /Connecting/.test(await statusText()), 'connecting');
    assert.equal(await page.locator('#push-enabled').isChecked(), true);
    assert.equal(await tone(), 'busy');
    assert.equal(await page.getAttribute('#push-url', 'title'), publicUrl);
    assert.equal(await page.locator('#push-qr').isVisible(), true);
  });

  test('push:status events show connected in green and retrying in amber with the error', async () => {
    const info = { enabled: true, relay, stream: 'line1', publishToken: 'publish-token-0123456789', viewerUrl: publicUrl, qr: TINY_PNG };
    await emitStatus({ ...info, state: 'connected', sent: 1234 });
    await waitFor(async () => /Connected/.test(await statusText()), 'connected');
    assert.equal(await tone(), 'ok');
    assert.equal(await page.locator('#push-sent').innerText(), 'Sent 1,234 frames');
    assert.equal(await page.getAttribute('#push-url', 'title'), publicUrl);
    const qr = await page.evaluate(() => {
      const img = document.getElementById('push-qr');
      return { visible: !img.hidden && img.getBoundingClientRect().width > 0, decoded: img.complete && img.naturalWidth > 0, alt: img.alt };
    });
    assert.deepEqual(qr, { visible: true, decoded: true, alt: `QR code for ${publicUrl}` });
    const dot = () => page.evaluate(() => getComputedStyle(document.querySelector('#push-status .dot')).backgroundColor);
    assert.equal(await dot(), 'rgb(48, 164, 108)', 'connected is green');

    await page.click('#push-copy');
    assert.deepEqual(await waitFor(() => lastCall('CopyText'), 'CopyText'), ['CopyText', publicUrl]);

    const why = 'dial tcp: lookup relay.example.com on 127.0.0.53:53: no such host; retrying in 4s';
    await emitStatus({ ...info, state: 'retrying', error: why, sent: 1300 });
    await waitFor(async () => /Retrying/.test(await statusText()), 'retrying');
    assert.equal(await tone(), 'warn');
    assert.equal(await page.locator('#push-error').innerText(), why);
    assert.equal(await dot(), 'rgb(245, 165, 36)', 'retrying is amber');
    assert.equal(await page.locator('#push-sent').innerText(), 'Sent 1,300 frames');
    // Status events never overwrite what the person is typing.
    await page.getByLabel('Stream name').fill('line2');
    await emitStatus({ ...info, state: 'retrying', error: why, sent: 1301 });
    assert.equal(await page.getByLabel('Stream name').inputValue(), 'line2');
    await page.getByLabel('Stream name').fill('line1');
  });
});

test('every field applies on Enter and on leaving it, once each', async () => {
  const count = async (name) => (await calls()).filter((c) => c[0] === name).length;
  // As WebKitGTK delivers Enter in the fps box: a keydown that fires no
  // change event, nor submits a form, by itself.
  const enter = (sel) => page.locator(sel).evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));
  const cases = [
    { field: '#fps', call: 'SetFPS', values: ['12', '14'], sent: (v) => Number(v) },
    { field: '#quality-number', call: 'SetQuality', values: ['33', '34'], sent: (v) => Number(v) },
    { field: '#bitrate', call: 'SetBitrate', values: ['1.5', '0.8'], sent: (v) => Number(v) * 1e6 },
    { field: '#url', call: 'SetSource', values: ['rtsp://10.0.0.9/a', 'rtsp://10.0.0.9/b'], sent: (v) => v },
    { field: '#port', call: 'SetPort', values: ['9100', '9101'], sent: (v) => Number(v) },
    { field: '#push-relay', call: 'SetPush', values: ['wss://relay.example.com:8188', 'wss://relay2.example.com:8188'], sent: (v) => v, arg: (c) => c[1].relay },
    { field: '#push-stream', call: 'SetPush', values: ['line7', 'line8'], sent: (v) => v, arg: (c) => c[1].stream },
  ];
  await page.evaluate(() => (document.getElementById('push').open = true));
  for (const c of cases) {
    const arg = c.arg ?? ((call) => call[1]);
    const [typed, left] = c.values;
    let before = await count(c.call);
    await page.fill(c.field, typed);
    await enter(c.field);
    await waitFor(async () => (await count(c.call)) > before, `${c.call} on Enter in ${c.field}`);
    assert.equal(arg(await lastCall(c.call)), c.sent(typed), `${c.field}: Enter`);
    await page.locator(c.field).blur();
    await page.waitForTimeout(200);
    assert.equal(await count(c.call), before + 1, `${c.field}: leaving after Enter applied it again`);
    before = await count(c.call);
    await page.fill(c.field, left);
    await page.locator(c.field).blur();
    await waitFor(async () => (await count(c.call)) > before, `${c.call} on leaving ${c.field}`);
    assert.equal(arg(await lastCall(c.call)), c.sent(left), `${c.field}: leaving`);
    await page.waitForTimeout(200);
    assert.equal(await count(c.call), before + 1, `${c.field}: leaving applied it more than once`);
  }
});

test('the window says what it shows: no stale figures, no loading leftovers, the preview\'s size', async () => {
  assert.deepEqual(await page.locator('#resolution option').allInnerTexts(), ['480p', '720p', '1080p', 'Source size'], 'the loading "…" stays in the Resolution menu');
  const stats = (extra) => ({
    source: 'test', state: 'live', enabled: true, captureFps: 30, outputFps: 30, width: 1920, height: 1080,
    quality: 80, encodeMs: 4.2, frameBytes: 40960, error: '', bandwidthBps: 1, remote: 0, viewers: [], ...extra,
  });
  await page.evaluate((st) => window.__emit('stream:stats', st), stats({}));
  assert.equal(await page.locator('#st-encode').innerText(), '4.2 ms');
  // The preview draws a smaller rendition than the stream's 1920×1080: it says so.
  await waitFor(async () => /preview \d+×\d+ of 1920×1080$/.test(await page.locator('#overlay').innerText()), 'the preview named a smaller copy', 5000);
  await page.evaluate((st) => window.__emit('stream:stats', st), stats({ state: 'off', enabled: false, captureFps: 0, outputFps: 0 }));
  assert.equal(await page.locator('#st-encode').innerText(), '—', 'ENCODE shows a figure while the camera is off');
  assert.equal(await page.locator('#st-frame').innerText(), '—');

  await page.evaluate(() => (document.getElementById('push').open = true));
  const reveal = page.locator('#push-token-show');
  assert.equal(await reveal.innerText(), 'Show');
  await reveal.click();
  assert.equal(await page.getAttribute('#push-token', 'type'), 'text');
  assert.equal(await reveal.innerText(), 'Hide');
  assert.equal(await reveal.getAttribute('aria-label'), 'Hide publish token');
  await reveal.click();
  assert.equal(await page.getAttribute('#push-token', 'type'), 'password');
  assert.equal(await reveal.innerText(), 'Show');
});
