// What the tests of the real desktop app under Xvfb share: a virtual
// display, the app started on it with a HOME of its own, its window found
// on the screen, clicks, colours and screenshots there, and a grab saved
// as a PNG for a person to look at.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, serverBin } from './harness.mjs';
import { Screen } from './xscreen.mjs';

const run = promisify(execFile);

/** startXvfb starts a virtual display and resolves with its number. */
export async function startXvfb(size = '1440x900') {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${size}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const [chunk] = await Promise.race([
    once(proc.stdio[3], 'data'),
    new Promise((_, reject) => setTimeout(() => reject(new Error('Xvfb did not start')), 10_000)),
  ]);
  return { proc, display: `:${String(chunk).trim()}` };
}

/** savePNG writes a grab (4 bytes a pixel: blue, green, red, unused) as a PNG, for a person to look at. */
export async function savePNG(pixels, width, height, file) {
  const raw = `${file}.bgra`;
  await fs.writeFile(raw, pixels);
  try {
    await run('convert', ['-size', `${width}x${height}`, '-depth', '8', `bgra:${raw}`, '-alpha', 'off', file]);
  } finally {
    await fs.rm(raw, { force: true });
  }
}

/**
 * startApp starts the real desktop app (harness's serverBin) on a virtual
 * display of its own, with a temporary HOME whose settings.json is
 * settings. args may be a function of the HOME. stop() ends the app (and
 * any other processes given), the display, and removes the HOME.
 */
export async function startApp({ name, size, settings, args = [] }) {
  const { proc: xvfb, display } = await startXvfb(size);
  const home = await fs.mkdtemp(path.join(os.tmpdir(), `framecast-${name}-`));
  const config = path.join(home, '.config');
  const settingsDir = path.join(config, 'framecast');
  await fs.mkdir(settingsDir, { recursive: true });
  await fs.writeFile(path.join(settingsDir, 'settings.json'), JSON.stringify(settings));
  const appEnv = { ...process.env, HOME: home, DISPLAY: display, XDG_CONFIG_HOME: config, XDG_CACHE_HOME: path.join(home, '.cache'), WAYLAND_DISPLAY: '' };
  const proc = spawn(serverBin, typeof args === 'function' ? args(home) : args, { env: appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (c) => {
    log = (log + c).slice(-8000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  return {
    proc,
    display,
    home,
    settingsDir,
    appEnv,
    /** xenv is the environment of an X client (xdotool) on the app's display. */
    xenv: () => ({ ...process.env, DISPLAY: display }),
    /** log is the app's last output. */
    log: () => log,
    async stop(...others) {
      for (const p of [...others, proc]) await endProcess(p);
      xvfb.kill();
      await fs.rm(home, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** endProcess ends p with SIGTERM (going on first if it was stopped), or SIGKILL after 3 s. */
export async function endProcess(p) {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGCONT');
  p.kill('SIGTERM');
  await Promise.race([once(p, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/**
 * findPage finds the app's window on its display and where its page is on
 * the screen: under the menu bar (light), from the first dark row. size,
 * [width, height], makes the window that size first. It resolves with the
 * Screen (xscreen.mjs), the page's box and the window's id.
 */
export async function findPage(app, size) {
  const env = app.xenv();
  const { stdout } = await run('xdotool', ['search', '--onlyvisible', '--name', '^Framecast$'], { env });
  const win = stdout.trim().split('\n').pop();
  if (size) await run('xdotool', ['windowsize', '--sync', win, String(size[0]), String(size[1])], { env });
  const geo = (await run('xdotool', ['getwindowgeometry', '--shell', win], { env })).stdout;
  const g = Object.fromEntries(
    geo
      .trim()
      .split('\n')
      .map((l) => l.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
  if (size && (g.WIDTH !== size[0] || g.HEIGHT !== size[1])) throw new Error(`the window would not be made ${size[0]}×${size[1]}`);
  const screen = await Screen.open(app.display);
  const pixels = await screen.grab();
  const dark = (y) => {
    const i = (y * screen.width + g.X + 8) * 4;
    return pixels[i] < 40 && pixels[i + 1] < 40 && pixels[i + 2] < 40;
  };
  let top = g.Y;
  while (top < g.Y + 100 && !dark(top)) top++;
  if (top >= g.Y + 100) throw new Error('no page under the menu bar');
  return { screen, win, box: { x: g.X, y: top, width: g.WIDTH, height: g.Y + g.HEIGHT - top } };
}

/**
 * OnScreen is the page of the app's window as the screen shows it: where
 * to click, what colour is where, and screenshots, in page coordinates.
 */
export class OnScreen {
  constructor(app, screen, box) {
    this.app = app;
    this.screen = screen;
    this.box = box;
  }

  /** click clicks at r, a rectangle (dx: how far across; its middle by default). */
  async click(r, dx = 0.5) {
    const x = Math.round(this.box.x + r.x + r.width * dx);
    const y = Math.round(this.box.y + r.y + r.height / 2);
    await run('xdotool', ['mousemove', String(x), String(y), 'click', '1'], { env: this.app.xenv() });
  }

  /** type types text where the focus is, then Enter. */
  async type(text) {
    await run('xdotool', ['type', '--delay', '30', text], { env: this.app.xenv() });
    await run('xdotool', ['key', 'Return'], { env: this.app.xenv() });
  }

  /** colourIn counts the pixels of r within 40 of rgb in each channel: how many, their share, and their bounds. */
  async colourIn(r, [cr, cg, cb]) {
    const pixels = await this.screen.grab();
    const { box, screen } = this;
    let n = 0;
    let all = 0;
    let left = Infinity;
    let right = -Infinity;
    let top = Infinity;
    let bottom = -Infinity;
    for (let y = Math.round(r.y); y < r.y + r.height; y++) {
      for (let x = Math.round(r.x); x < r.x + r.width; x++) {
        const i = ((box.y + y) * screen.width + box.x + x) * 4;
        all++;
        if (Math.abs(pixels[i + 2] - cr) < 40 && Math.abs(pixels[i + 1] - cg) < 40 && Math.abs(pixels[i] - cb) < 40) {
          n++;
          left = Math.min(left, x);
          right = Math.max(right, x);
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
        }
      }
    }
    return { n, share: n / all, left, right, top, bottom };
  }

  /** area is what the screen shows in r now. */
  async area(r) {
    const pixels = await this.screen.grab();
    const rows = [];
    for (let y = Math.round(r.y); y < r.y + r.height; y++) {
      const i = ((this.box.y + y) * this.screen.width + this.box.x + Math.round(r.x)) * 4;
      rows.push(pixels.subarray(i, i + Math.round(r.width) * 4));
    }
    return Buffer.concat(rows);
  }

  /** shot saves the page as the screen shows it now into build/e2e/name, and resolves with the file's path. */
  async shot(name) {
    const dir = path.join(repoRoot, 'build', 'e2e');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, name);
    await savePNG(await this.screen.grab(), this.screen.width, this.screen.height, file);
    const { box } = this;
    await run('convert', [file, '-crop', `${box.width}x${box.height}+${box.x}+${box.y}`, '+repage', file]);
    return file;
  }

  close() {
    this.screen.close();
  }
}
