// The grid page in Chromium (issue 24's target: a grid of 4 tiles draws
// each at ≥ 25 fps while taking the small rendition). It starts `framecast
// serve --config` with --streams test-pattern streams at 1280×720, 30 fps,
// with the default renditions, and Debian's Chromium at 1440×900, and for
// each run opens the grid page once for each codec (the order alternating
// from run to run, so drift in the machine's load favours neither). After a
// warm-up it counts, over --duration seconds, for every tile:
//
//   - the frames drawn a second (the tile's data-frames, which the viewer
//     module sets in the task that draws each frame);
//   - the rendition drawn (data-rendition) and the frame size (the canvas's);
//   - the bytes a second its WebSocket received (frames and events);
//
// and the CPU the server process and the browser's processes used, in
// cores. It prints one line per tile and run and, at the end, a table:
// medians over the runs and tiles, the runs' values in brackets. Each run's
// `uptime` is printed with it: the machine may be shared.
//
//   cd frontend && node e2e/bench-grid.mjs [--runs 3] [--duration 10] [--streams 4]
//
// FRAMECAST_BIN and CHROMIUM_PATH as for the e2e tests (harness.mjs).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser, startConfigured } from './harness.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    streams: { type: 'string', default: '4' },
  },
});
const RUNS = Number(opts.runs);
const DURATION_MS = Number(opts.duration) * 1000;
const WARMUP_MS = Number(opts.warmup) * 1000;
const STREAMS = Number(opts.streams);
const CODECS = ['jpeg', 'h264'];
/** TARGET_FPS is the bound for each tile. */
const TARGET_FPS = 25;

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const TICK = 100; // clock ticks a second, as /proc counts CPU time on Linux

/** cpuSeconds is the CPU time pid and its descendants have used, in seconds. */
function cpuSeconds(pid) {
  let total = 0;
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  const walk = (p) => {
    total += children.get(p)?.ticks ?? 0;
    for (const [child, c] of children) if (c.ppid === p) walk(child);
  };
  walk(pid);
  return total / TICK;
}

/** browserPid is the pid of Chromium's main process (the one playwright started). */
function browserPid() {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const pids = out.trim().split(/\s+/).map(Number).filter((p) => p > 0);
  return pids.find((p) => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('chromium')) ?? null;
}

/** grid reads each tile's name, frames drawn, rendition and frame width. */
function grid(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#tiles > li.tile')].map((t) => ({
      name: t.dataset.stream,
      state: t.dataset.state,
      frames: Number(t.dataset.frames ?? 0),
      rendition: t.dataset.rendition ?? null,
      codec: t.dataset.codec,
      width: t.querySelector('canvas').width,
      height: t.querySelector('canvas').height,
      shown: Math.round(t.querySelector('canvas').getBoundingClientRect().width),
    })),
  );
}

async function measure(browser, server, token, codec, pid) {
  const load = uptime();
  const page = await browser.context.newPage();
  const received = new Map(); // stream name → bytes
  page.on('websocket', (ws) => {
    const name = decodeURIComponent(new URL(ws.url()).pathname.split('/')[2] ?? '');
    ws.on('framereceived', ({ payload }) => received.set(name, (received.get(name) ?? 0) + payload.length));
  });
  await page.goto(`${server.base}/?token=${token}&codec=${codec}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const g = await grid(page);
    if (g.length === STREAMS && g.every((t) => t.state === 'live' && t.frames > 10 && t.rendition !== null)) break;
    if (Date.now() > deadline) throw new Error(`tiles not live within 30 s: ${JSON.stringify(g)}`);
    await page.waitForTimeout(200);
  }
  await page.waitForTimeout(WARMUP_MS);
  const g0 = await grid(page);
  const b0 = new Map(received);
  const server0 = cpuSeconds(server.proc.pid);
  const browser0 = pid === null ? NaN : cpuSeconds(pid);
  const t0 = performance.now();
  await page.waitForTimeout(DURATION_MS);
  const g1 = await grid(page);
  const seconds = (performance.now() - t0) / 1000;
  const serverCores = (cpuSeconds(server.proc.pid) - server0) / seconds;
  const browserCores = pid === null ? NaN : (cpuSeconds(pid) - browser0) / seconds;
  await page.close();
  const tiles = g1.map((t, i) => ({
    name: t.name,
    codec: t.codec,
    fps: (t.frames - g0[i].frames) / seconds,
    rendition: t.rendition,
    size: `${t.width}×${t.height}`,
    shown: t.shown,
    kbps: (((received.get(t.name) ?? 0) - (b0.get(t.name) ?? 0)) * 8) / seconds / 1000,
  }));
  for (const t of tiles) {
    if (t.codec !== codec) throw new Error(`asked for ${codec}, ${t.name} draws ${t.codec}`);
    console.log(
      `${codec.padEnd(4)} ${t.name}: ${t.fps.toFixed(1)} fps, ${t.rendition} (${t.size} in a tile ${t.shown} px wide), ${t.kbps.toFixed(0)} kbit/s`,
    );
  }
  console.log(`${codec.padEnd(4)} server ${serverCores.toFixed(2)} cores, browser ${browserCores.toFixed(2)} cores  [${load}]`);
  return { tiles, serverCores, browserCores, minFps: Math.min(...tiles.map((t) => t.fps)) };
}

const config = (token) => {
  let text = `addr: 127.0.0.1:0\ntoken: ${token}\nstreams:\n`;
  for (let i = 1; i <= STREAMS; i++) text += `  line-${i}:\n    source: test\n    width: 1280\n    height: 720\n    fps: 30\n`;
  return text;
};

const results = { jpeg: [], h264: [] };
for (let run = 0; run < RUNS; run++) {
  const token = crypto.randomBytes(24).toString('base64url');
  const server = await startConfigured(config(token));
  const browser = await launchBrowser([], { viewport: { width: 1440, height: 900 } });
  try {
    console.log(`run ${run + 1} of ${RUNS}`);
    const pid = browserPid();
    for (const codec of run % 2 === 0 ? CODECS : [...CODECS].reverse()) results[codec].push(await measure(browser, server, token, codec, pid));
  } finally {
    await browser.close();
    await server.kill();
  }
}

const cell = (xs, digits, unit = '') => `**${median(xs).toFixed(digits)}${unit}** (${xs.map((x) => x.toFixed(digits)).join(', ')})`;
console.log(`\n| ${STREAMS} tiles at 1440×900, medians of ${RUNS} runs (the runs) | JPEG | H.264 |\n|---|---|---|`);
const row = (name, pick, digits, unit) => console.log(`| ${name} | ${CODECS.map((c) => cell(results[c].map(pick), digits, unit)).join(' | ')} |`);
row('frames drawn a second, slowest tile', (r) => r.minFps, 1);
row('frames drawn a second, median tile', (r) => median(r.tiles.map((t) => t.fps)), 1);
row('kbit/s a tile (median tile)', (r) => median(r.tiles.map((t) => t.kbps)), 0);
row('server CPU, cores', (r) => r.serverCores, 2);
row('browser CPU, cores', (r) => r.browserCores, 2);
for (const c of CODECS) {
  const renditions = [...new Set(results[c].flatMap((r) => r.tiles.map((t) => `${t.rendition} ${t.size}`)))];
  console.log(`${c}: renditions drawn: ${renditions.join(', ')}`);
}
const slowest = Math.min(...CODECS.flatMap((c) => results[c].map((r) => r.minFps)));
const widest = Math.max(...CODECS.flatMap((c) => results[c].flatMap((r) => r.tiles.map((t) => Number(t.size.split('×')[0])))));
const met = slowest >= TARGET_FPS && widest < 1280;
console.log(`\ntarget: every tile ≥ ${TARGET_FPS} fps on a smaller rendition than the stream's 1280×720; slowest tile of any run ${slowest.toFixed(1)} fps, widest frame drawn ${widest}: ${met ? 'met' : 'NOT met'}`);
