// The real desktop app under Xvfb started twice with the same HOME: the
// second start brings the open window to the front (it was unmapped, as a
// hidden window is, and out of focus: it is mapped and focused again),
// says so in one line and exits 0, having written nothing; the first still
// serves its viewers and is the only Framecast of that HOME. With the first
// stopped (SIGSTOP, as a hung process), a second start gives up within a
// few seconds with an error naming the settings folder.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startApp } from './desktop-app.mjs';
import { waitFor } from './desktop-fake.mjs';
import { freePort, serverBin } from './harness.mjs';

const run = promisify(execFile);
const token = 'desktop-single-app-token-0123';

/** app is the first start of the desktop app (desktop-app.mjs startApp). */
let app;
let port;
/** win is the window's X id. */
let win = '';

const camera = { name: 'line-1', stream: { source: 'test', quality: 80, maxWidth: 640, maxHeight: 360, fps: 15, enabled: true }, token };

const xenv = () => app.xenv();
const recordings = () => path.join(app.home, 'rec');

/** startAgain starts the app a second time with the same HOME, and resolves with its exit code, output and time taken. */
async function startAgain() {
  const start = Date.now();
  const proc = spawn(serverBin, ['--recordings', recordings()], { env: app.appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c) => (stdout += c));
  proc.stderr.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const [code] = await once(proc, 'exit');
  clearTimeout(timer);
  return { code, stdout, stderr, ms: Date.now() - start };
}

/** state reads line-1's api/state from the first app's server. */
async function state() {
  const res = await fetch(`http://127.0.0.1:${port}/s/line-1/api/state?token=${token}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** shown says whether the window is mapped and viewable (xdotool finds no window otherwise, and fails). */
async function shown() {
  const found = await run('xdotool', ['search', '--onlyvisible', '--name', '^Framecast$'], { env: xenv() }).catch(() => ({ stdout: '' }));
  return found.stdout.trim().split('\n').includes(win);
}

/** focus is the X id of the window with the input focus; "" when the focus is on none (xdotool fails on PointerRoot). */
async function focus() {
  const got = await run('xdotool', ['getwindowfocus'], { env: xenv() }).catch(() => ({ stdout: '' }));
  return got.stdout.trim();
}

/** snapshot lists the settings and recordings folders, each file with its size and time, and the settings' text. */
async function snapshot() {
  const out = [];
  for (const dir of [app.settingsDir, recordings()]) {
    const walk = async (d) => {
      for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(d, e.name);
        const st = await fs.stat(p);
        out.push(`${p} ${st.size} ${st.mtimeMs}`);
        if (e.isDirectory()) await walk(p);
      }
    };
    await walk(dir);
  }
  out.push(await fs.readFile(path.join(app.settingsDir, 'settings.json'), 'utf8'));
  return out.join('\n');
}

/** framecasts lists the pids of the Framecast processes run with this test's HOME. */
async function framecasts() {
  const bin = await fs.realpath(serverBin);
  const pids = [];
  for (const pid of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if ((await fs.readlink(`/proc/${pid}/exe`)) !== bin) continue;
      const env = (await fs.readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
      if (env.includes(`HOME=${app.home}`)) pids.push(Number(pid));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

before(async () => {
  port = await freePort();
  app = await startApp({ name: 'desktop-single', settings: { port, tls: false, cameras: [camera] }, args: (home) => ['--recordings', path.join(home, 'rec')] });
});

after(async () => {
  await app?.stop();
});

test('the window comes up', async () => {
  await waitFor(
    async () => {
      assert.equal(app.proc.exitCode, null, `the app exited:\n${app.log()}`);
      const { body } = await state().catch(() => ({ body: null }));
      return (body?.viewers ?? []).some((v) => v.kind === 'preview');
    },
    `the window's preview of line-1\n${app.log()}`,
    60_000,
  );
  const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', '^Framecast$'], { env: xenv() });
  win = stdout.trim().split('\n').pop();
  assert.ok(await shown());
});

test('a second start brings the open window to the front, says so and exits 0, having opened and written nothing', async () => {
  // Hidden, as a window put away is, and with the focus gone from it.
  await run('xdotool', ['windowunmap', '--sync', win], { env: xenv() });
  assert.equal(await shown(), false, 'the window is still shown');
  assert.notEqual(await focus(), win, 'the hidden window kept the focus');
  const before = await snapshot();

  const second = await startAgain();
  assert.equal(second.code, 0, `the second start: ${second.stdout}${second.stderr}`);
  assert.equal(second.stdout, `Framecast is already open (settings in ${app.settingsDir}): its window was brought to the front.\n`);
  assert.ok(second.ms < 5000, `the second start took ${second.ms} ms`);

  await waitFor(shown, `the window shown again\n${app.log()}`);
  await waitFor(async () => (await focus()) === win, 'the focus on the window');
  assert.match(app.log(), /Framecast was started again: the window was brought to the front/);
  assert.equal(await snapshot(), before, 'the second start changed the settings or recordings');
  const { status, body } = await state();
  assert.equal(status, 200, "the first app's viewer link no longer answers");
  assert.equal(body.source, 'test');
  assert.deepEqual(await framecasts(), [app.proc.pid], 'Framecast processes of this HOME');
});

test('a second start gives up on a hung first, naming the folder, and exits 1', async () => {
  app.proc.kill('SIGSTOP');
  try {
    const second = await startAgain();
    assert.equal(second.code, 1, `the second start: ${second.stdout}${second.stderr}`);
    assert.equal(second.stdout, '');
    assert.match(second.stderr, new RegExp(`another Framecast window has ${app.settingsDir.replaceAll('.', '\\.')} open; close it first`));
    assert.ok(second.ms < 8000, `the second start took ${second.ms} ms to give up`);
  } finally {
    app.proc.kill('SIGCONT');
  }
  assert.equal((await state()).status, 200, 'the first app no longer serves after it went on');
  assert.deepEqual(await framecasts(), [app.proc.pid], 'Framecast processes of this HOME');
});
