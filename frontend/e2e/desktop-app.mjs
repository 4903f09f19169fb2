// What the tests of the real desktop app under Xvfb share: a virtual
// display, and a grab of it saved as a PNG for a person to look at.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

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
