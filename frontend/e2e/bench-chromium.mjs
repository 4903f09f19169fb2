// The viewer page in Chromium, JPEG against H.264 (issue 23): capture → drawn
// latency, and a joining viewer's first picture. It starts `framecast serve`
// (the test pattern at 1280×720, 30 fps, no smaller renditions, so every
// frame is the full size) and Debian's Chromium, and for each run measures
// both codecs one after the other on that server, the order alternating
// from run to run so that drift in the machine's load favours neither:
//
//   - latency: one page watches for --duration seconds after a warm-up;
//     for every frame it draws, the capture time in the frame's header (ts,
//     Unix µs) is taken from the wall clock at the moment the frame is on
//     the canvas (in the task that draws it and sends its ack), and split
//     at the moment its message reached the page;
//   - first picture: while that page watches (so the codec's encoder is
//     already running, as for any viewer joining a watched stream),
//     --joins new pages open the viewer one after the other; each gives
//     the time from its navigation start, and from its WebSocket's open,
//     to its first frame on the canvas.
//
// It prints one line per measurement and, at the end, a table: the median
// over the runs of each figure, the runs' values in brackets, and H.264's
// over JPEG's. Each run's `uptime` is printed with it: the machine may be
// shared.
//
//   cd frontend && node e2e/bench-chromium.mjs [--runs 3] [--duration 10] [--joins 10]
//
// FRAMECAST_BIN and CHROMIUM_PATH as for the e2e tests (harness.mjs).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { launchBrowser, startServer, waitForViewer } from './harness.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    joins: { type: 'string', default: '10' },
    source: { type: 'string', default: 'test' },
  },
});
const RUNS = Number(opts.runs);
const DURATION_MS = Number(opts.duration) * 1000;
const WARMUP_MS = Number(opts.warmup) * 1000;
const JOINS = Number(opts.joins);
const CODECS = ['jpeg', 'h264'];

/**
 * probe runs in the page before its own scripts: it notes the capture time
 * of every frame that arrives on a /ws socket and when each socket opened,
 * and, as the viewer sets data-last-seq in the task that draws a frame,
 * when each frame is on the canvas. Reading the header costs the same for
 * both codecs: the payload is not touched.
 */
function probe() {
  const now = () => performance.timeOrigin + performance.now(); // Unix ms, sub-ms
  const bench = { ts: new Map(), created: [], opened: [], drawn: [], keys: [] };
  globalThis.bench = bench;
  const Native = globalThis.WebSocket;
  globalThis.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      bench.created.push(now());
      this.addEventListener('open', () => bench.opened.push(now()));
      this.addEventListener('message', (ev) => {
        if (!(ev.data instanceof ArrayBuffer)) return;
        const n = new DataView(ev.data).getUint32(0);
        const header = JSON.parse(new TextDecoder().decode(new Uint8Array(ev.data, 4, n)));
        bench.ts.set(header.seq, { ts: header.ts, received: now() });
        if (header.key) bench.keys.push(now());
      });
    }
  };
  document.addEventListener('DOMContentLoaded', () => {
    const root = document.getElementById('viewer');
    new MutationObserver(() => {
      const at = now();
      const seq = Number(root.dataset.lastSeq);
      const got = bench.ts.get(seq);
      bench.ts.delete(seq);
      if (got !== undefined) bench.drawn.push({ seq, at, latencyMs: at - got.ts / 1000, receivedMs: got.received - got.ts / 1000 });
    }).observe(root, { attributeFilter: ['data-last-seq'] });
  });
}

const quantile = (xs, q) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs) => quantile(xs, 0.5);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '–');

/** watch opens a page of codec's viewer and measures what it draws after the warm-up. */
async function watch(browser, server, token, codec) {
  const page = await browser.context.newPage();
  await page.addInitScript(probe);
  await page.goto(`${server.base}/?token=${token}&codec=${codec}`);
  await waitForViewer(page, (v) => v.state === 'live' && v.frames > 5, 20_000, `${codec} frames drawn`);
  const drawnCodec = await page.evaluate(() => document.getElementById('viewer').dataset.codec);
  if (drawnCodec !== codec) throw new Error(`asked for ${codec}, the page draws ${drawnCodec}`);
  await page.waitForTimeout(WARMUP_MS);
  const [from, started] = await page.evaluate(() => [globalThis.bench.drawn.length, performance.timeOrigin + performance.now()]);
  await page.waitForTimeout(DURATION_MS);
  const drawn = await page.evaluate((i) => globalThis.bench.drawn.slice(i), from);
  const keys = await page.evaluate(([a, b]) => globalThis.bench.keys.filter((t) => t >= a && t <= b).length, [started, started + DURATION_MS]);
  const lat = drawn.map((d) => d.latencyMs);
  const received = drawn.map((d) => d.receivedMs);
  const drawing = drawn.map((d) => d.latencyMs - d.receivedMs);
  const seconds = DURATION_MS / 1000;
  return {
    page,
    p50: median(lat),
    p95: quantile(lat, 0.95),
    p99: quantile(lat, 0.99),
    receivedP50: median(received),
    receivedP95: quantile(received, 0.95),
    drawingP50: median(drawing),
    drawingP95: quantile(drawing, 0.95),
    fps: drawn.length / seconds,
    keysPerSecond: keys / seconds,
    frames: drawn.length,
  };
}

/** join opens one more page of codec's viewer and gives the times to its first picture. */
async function join(browser, server, token, codec) {
  const page = await browser.context.newPage();
  await page.addInitScript(probe);
  await page.goto(`${server.base}/?token=${token}&codec=${codec}`);
  await page.waitForFunction(() => globalThis.bench?.drawn.length > 0, null, { timeout: 20_000 });
  const t = await page.evaluate(() => {
    const [first] = globalThis.bench.drawn;
    const received = first.at - first.latencyMs + first.receivedMs;
    return {
      fromNavigation: first.at - performance.timeOrigin,
      fromOpen: first.at - globalThis.bench.opened[0],
      navigationToSocket: globalThis.bench.created[0] - performance.timeOrigin,
      socketToOpen: globalThis.bench.opened[0] - globalThis.bench.created[0],
      openToReceived: received - globalThis.bench.opened[0],
      receivedToDrawn: first.at - received,
    };
  });
  await page.close();
  return t;
}

async function measure(browser, server, token, codec) {
  const load = uptime();
  const w = await watch(browser, server, token, codec);
  const joins = [];
  for (let i = 0; i < JOINS; i++) {
    joins.push(await join(browser, server, token, codec));
    // Apart by more than the keyframe gap (250 ms), as joiners that do not come together are.
    await w.page.waitForTimeout(400);
  }
  await w.page.close();
  const r = {
    codec,
    load,
    p50: w.p50,
    p95: w.p95,
    p99: w.p99,
    receivedP50: w.receivedP50,
    receivedP95: w.receivedP95,
    drawingP50: w.drawingP50,
    drawingP95: w.drawingP95,
    fps: w.fps,
    keysPerSecond: w.keysPerSecond,
    frames: w.frames,
    joinNav: median(joins.map((j) => j.fromNavigation)),
    joinNavMax: Math.max(...joins.map((j) => j.fromNavigation)),
    joinOpen: median(joins.map((j) => j.fromOpen)),
    joinOpenMax: Math.max(...joins.map((j) => j.fromOpen)),
    joinNavigationToSocket: median(joins.map((j) => j.navigationToSocket)),
    joinSocketToOpen: median(joins.map((j) => j.socketToOpen)),
    joinOpenToReceived: median(joins.map((j) => j.openToReceived)),
    joinReceivedToDrawn: median(joins.map((j) => j.receivedToDrawn)),
  };
  console.log(
    `${codec.padEnd(4)}: drawn p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, p99 ${ms(r.p99)} (received p50 ${ms(r.receivedP50)}, p95 ${ms(r.receivedP95)}; ` +
      `received → drawn p50 ${ms(r.drawingP50)}, p95 ${ms(r.drawingP95)}), ${r.fps.toFixed(1)} fps (${r.frames} frames, ${r.keysPerSecond.toFixed(1)} keyframes a second); ` +
      `first picture (median of ${JOINS}, max) from navigation ${ms(r.joinNav)}, ${ms(r.joinNavMax)}; from socket open ${ms(r.joinOpen)}, ${ms(r.joinOpenMax)} ` +
      `(navigation → socket made ${ms(r.joinNavigationToSocket)}, → open ${ms(r.joinSocketToOpen)}, → first frame received ${ms(r.joinOpenToReceived)}, → drawn ${ms(r.joinReceivedToDrawn)}; medians)  [${load}]`,
  );
  return r;
}

const results = { jpeg: [], h264: [] };
for (let run = 0; run < RUNS; run++) {
  const token = 'bench-chromium-' + Math.random().toString(36).slice(2);
  const server = await startServer({ token, source: opts.source, args: ['--width', '1280', '--height', '720', '--fps', '30', '--renditions', 'none'] });
  const browser = await launchBrowser();
  try {
    console.log(`run ${run + 1} of ${RUNS}`);
    for (const codec of run % 2 === 0 ? CODECS : [...CODECS].reverse()) results[codec].push(await measure(browser, server, token, codec));
  } finally {
    await browser.close();
    await server.kill();
  }
}

const row = (name, key, unit = ' ms', digits = 1) => {
  const cell = (codec) => {
    const xs = results[codec].map((r) => r[key]);
    return `**${median(xs).toFixed(digits)}${unit}** (${xs.map((x) => x.toFixed(digits)).join(', ')})`;
  };
  const ratios = results.h264.map((r, i) => r[key] / results.jpeg[i][key]);
  return `| ${name} | ${cell('jpeg')} | ${cell('h264')} | ${median(ratios).toFixed(2)}× (${ratios.map((x) => x.toFixed(2)).join(', ')}) |`;
};
console.log(`\n| medians of ${RUNS} runs (the runs) | JPEG | H.264 | H.264 / JPEG (each run's) |\n|---|---|---|---|`);
console.log(row('capture → drawn p50', 'p50'));
console.log(row('capture → drawn p95', 'p95'));
console.log(row('capture → drawn p99', 'p99'));
console.log(row('capture → received by the page p95', 'receivedP95'));
console.log(row('received → drawn p50', 'drawingP50'));
console.log(row('received → drawn p95', 'drawingP95'));
console.log(row('frames drawn a second', 'fps', '', 1));
console.log(row(`first picture from navigation (median of ${JOINS} joins)`, 'joinNav'));
console.log(row(`first picture from navigation (slowest of ${JOINS})`, 'joinNavMax'));
console.log(row(`first picture from the socket's open (median of ${JOINS})`, 'joinOpen'));
console.log(row(`first picture from the socket's open (slowest of ${JOINS})`, 'joinOpenMax'));
console.log(row('of which navigation → the page makes its socket (median)', 'joinNavigationToSocket'));
console.log(row('of which the socket made → open (median)', 'joinSocketToOpen'));
console.log(row('of which the socket\'s open → its first frame received (median)', 'joinOpenToReceived'));
console.log(row('of which its first frame received → drawn (median)', 'joinReceivedToDrawn'));
