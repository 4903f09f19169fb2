// Helpers for the e2e suite: a real framecast server (or relay) on a free
// loopback port and Debian's Chromium driven by playwright-core. No browser
// is downloaded.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
/** repoRoot is frontend/.. */
export const repoRoot = path.resolve(here, '..', '..');
export const serverBin = process.env.FRAMECAST_BIN || path.join(repoRoot, 'build', 'bin', 'framecast');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * freePort asks the kernel for an unused loopback port, and gives it back:
 * only for the desktop app, whose saved settings must name a port. Servers
 * and relays listen on port 0 and say which port they got.
 */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * startServer runs `framecast serve --source <source>` (the test pattern by
 * default; a relative file path is taken from the repository root) with any
 * extra args, e.g. ['--process', 'faces'], and resolves once /healthz answers
 * 200. The returned object's kill() is safe to call more than once.
 */
export async function startServer({ token, port, source = 'test', args = [] }) {
  const spec = source === 'test' || source.includes('://') || source.startsWith('camera:') ? source : path.resolve(repoRoot, source);
  return startFramecast('serve', ['--source', spec, '--token', token, ...args], port);
}

/**
 * startRelay runs `framecast relay --publish-token <publishToken>` with any
 * extra args and resolves once its /healthz answers 200; kill() as above.
 */
export async function startRelay({ publishToken, port, args = [] }) {
  return startFramecast('relay', ['--publish-token', publishToken, ...args], port);
}

/**
 * startConfigured runs `framecast serve --config <file>` with config, the
 * text of a config file, written to a temporary directory. Its `addr` is
 * 127.0.0.1:0 (the port is read from what serve prints, as above) or
 * 127.0.0.1:PORT. It resolves once /healthz answers 200; kill() as above,
 * and it removes the directory too.
 */
export async function startConfigured(config) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-config-'));
  const file = path.join(dir, 'fc.yaml');
  await fs.writeFile(file, config, { mode: 0o600 });
  let server;
  try {
    const port = Number(/^addr:\s*"?127\.0\.0\.1:(\d+)/m.exec(config)?.[1] ?? 0);
    server = await startFramecast('serve', ['--config', file], port || undefined, { addr: false });
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kill = server.kill;
  server.kill = async (signal) => {
    await kill(signal);
    await fs.rm(dir, { recursive: true, force: true });
  };
  return server;
}

/**
 * startFramecast runs `framecast <command> --addr 127.0.0.1:<port> <args>`
 * (without --addr when addr is false: args say where) and waits for
 * /healthz. Without a port it listens on port 0 and reads the port the
 * kernel gave from what the command prints first on stdout (a viewer link
 * or "relay on 127.0.0.1:PORT"); a port is given only to restart on the
 * same one.
 */
async function startFramecast(command, args, port, { addr = true } = {}) {
  await fs.access(serverBin).catch(() => {
    throw new Error(`server binary ${serverBin} not found: run "make build" or set FRAMECAST_BIN`);
  });
  const argv = addr ? [command, '--addr', `127.0.0.1:${port ?? 0}`, ...args] : [command, ...args];
  const proc = spawn(serverBin, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let out = '';
  let printed;
  const portPrinted = new Promise((resolve) => { printed = resolve; });
  const keep = (chunk) => {
    log = (log + chunk).slice(-8000);
  };
  // The port is the first the command prints on stdout: its own address
  // comes first there. The log on stderr may name another's first (a
  // relay serve --push connects to).
  proc.stdout.on('data', (chunk) => {
    keep(chunk);
    out = (out + chunk).slice(0, 8000);
    const m = /127\.0\.0\.1:(\d+)/.exec(out);
    if (m && Number(m[1]) > 0) printed(Number(m[1]));
  });
  proc.stderr.on('data', keep);
  const exited = once(proc, 'exit');
  if (port === undefined) {
    const got = await Promise.race([
      portPrinted,
      exited.then(() => 0),
      new Promise((resolve) => setTimeout(() => resolve(0), 15_000)),
    ]);
    if (!got) {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      throw new Error(`${command} did not say which port it listens on:\n${log}`);
    }
    port = got;
  }
  const server = {
    port,
    base: `http://127.0.0.1:${port}`,
    proc,
    log: () => log,
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
  try {
    await waitHealthy(server, 15_000);
  } catch (err) {
    await server.kill();
    throw new Error(`${err.message}\n${command} log:\n${log}`);
  }
  return server;
}

async function waitHealthy(server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.proc.exitCode !== null) throw new Error(`server exited with code ${server.proc.exitCode}`);
    try {
      const res = await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.base}/healthz did not answer 200 within ${timeoutMs} ms`);
}

/**
 * launchBrowser opens Chromium with a fresh profile; close() also removes the
 * profile. extraArgs are added to the launch flags; contextOptions to the
 * context's, e.g. a phone's { viewport, hasTouch: true, isMobile: true }.
 */
export async function launchBrowser(extraArgs = [], contextOptions = {}) {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'framecast-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    ...contextOptions,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/** viewerState reads the data-* counters the viewer keeps on its root element. */
export function viewerState(page) {
  return page.evaluate(() => {
    const root = document.getElementById('viewer');
    return {
      state: root?.dataset.state,
      frames: Number(root?.dataset.frames ?? 0),
      lastSeq: Number(root?.dataset.lastSeq ?? -1),
      latencyMs: Number(root?.dataset.latencyMs ?? NaN),
      stats: document.getElementById('stats')?.textContent ?? '',
      message: document.getElementById('message')?.textContent ?? '',
    };
  });
}

/** waitForViewer waits until predicate(viewerState) holds, or fails with the last state. */
export async function waitForViewer(page, predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await viewerState(page);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; viewer: ${JSON.stringify(last)}`);
}

/**
 * canvasColours samples the viewer's canvas: how many distinct colours it
 * shows (1 means blank) and its pixel size.
 */
export function canvasColours(page) {
  return page.evaluate(() => {
    const canvas = document.getElementById('screen');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    const step = Math.max(4, Math.floor(data.length / 4 / 2000)) * 4;
    for (let i = 0; i < data.length; i += step) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return { distinct: seen.size, width: canvas.width, height: canvas.height };
  });
}

/**
 * waitUntil calls read every 100 ms until ok(its answer) holds, and
 * resolves with that answer; after timeoutMs it fails naming what it
 * waited for and the last answer.
 */
export async function waitUntil(read, ok, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
}
