// Pure helpers for the desktop UI's text and choices, kept apart from the
// DOM so they are easy to test.
import { resolutions, type StreamSettings } from './backend';
import { INGEST } from './ingesttext';

/** presetOf names the preset (one of Go's resolutions) that matches the settings, or "" for none. */
export function presetOf(s: Pick<StreamSettings, 'maxWidth' | 'maxHeight'>): string {
  for (const [name, [w, h]] of Object.entries(resolutions)) {
    if (w === s.maxWidth && h === s.maxHeight) return name;
  }
  return '';
}

/** bandwidth formats bytes a second as bits a second, as people quote links. */
export function bandwidth(bytesPerSecond: number): string {
  return bitrate(bytesPerSecond * 8);
}

/** bitrate formats bits a second. */
export function bitrate(bits: number): string {
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(2)} Gbit/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)} Mbit/s`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(0)} kbit/s`;
  return `${Math.round(bits)} bit/s`;
}

/**
 * codecRates is what the stream encodes a second in each codec it sends, as
 * the stats strip shows it ("JPEG 9.4 Mbit/s · H.264 1.9 Mbit/s"), or ""
 * while it sends neither.
 */
export function codecRates(jpegBits: number, h264Bits: number): string {
  const parts: string[] = [];
  if (jpegBits > 0) parts.push(`JPEG ${bitrate(jpegBits)}`);
  if (h264Bits > 0) parts.push(`H.264 ${bitrate(h264Bits)}`);
  return parts.join(' · ');
}

/** The H.264 bitrate box's range, in Mbit/s: Go's engine.MinBitrate and MaxBitrate. */
export const bitrateMbit = { min: 0.05, max: 100 };

/**
 * readBitrate reads the H.264 bitrate box (Mbit/s) as bits a second for
 * SetBitrate: empty is 0, auto. problem says why a value is refused; it is
 * then never sent.
 */
export function readBitrate(text: string): { bps: number; problem: string } {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'auto') return { bps: 0, problem: '' };
  const { min, max } = bitrateMbit;
  const v = Number(t);
  if (!Number.isFinite(v)) return { bps: 0, problem: `Type Mbit/s from ${min} to ${max}, or leave it empty for auto` };
  if (v < min || v > max) return { bps: 0, problem: `${t} is out of range: use ${min}–${max}, or empty for auto` };
  return { bps: Math.round(v * 1e6), problem: '' };
}

/** showBitrate is the bitrate box's text for bits a second: "" for auto (0). */
export function showBitrate(bps: number): string {
  return bps > 0 ? String(Number((bps / 1e6).toFixed(3))) : '';
}

/** sourceLabel is how the picker names a source spec. */
export function sourceLabel(spec: string): string {
  if (spec === 'test') return 'Test pattern';
  if (spec === INGEST) return 'External producer';
  if (spec.startsWith('camera:')) return `Camera ${spec.slice(7)}`;
  if (spec.includes('://')) return spec;
  const slash = spec.lastIndexOf('/');
  return `File: ${slash >= 0 ? spec.slice(slash + 1) : spec}`;
}

const streamSchemes = ['rtsp:', 'rtsps:', 'http:', 'https:'];

/**
 * sourceTextProblem says why what was typed in the URL field cannot be a
 * source, or '' when it goes to SetSource: a stream URL, a file path, or
 * "test" and "camera:N" as typed. Only what Go's source.ParseSpec refuses
 * whatever the machine is refused here; whether it opens is Go's to say.
 */
export function sourceTextProblem(text: string): string {
  const t = text.trim();
  if (t === '') return 'Type a stream URL or a file path';
  if (!t.includes('://')) return '';
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return 'Not a URL: write it as rtsp://host/path';
  }
  if (!streamSchemes.includes(u.protocol)) return `${u.protocol}// cannot be opened: use rtsp:// or http(s)://`;
  if (u.host === '') return 'The URL has no host';
  return '';
}

/**
 * numberProblem says why a typed number is refused, or '' when it is
 * within min..max (and whole, where whole is asked). Nothing is clamped:
 * a refused value is never sent.
 */
export function numberProblem(text: string, min: number, max: number, whole = false): string {
  const t = text.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) return `Type a number from ${min} to ${max}`;
  if (v < min || v > max) return `${t} is out of range: use ${min}–${max}`;
  if (whole && !Number.isInteger(v)) return `Use a whole number, ${min}–${max}`;
  return '';
}

/** LinkParts is a link as the share panel shows it. */
export interface LinkParts {
  /** The scheme: "http://". */
  scheme: string;
  /** The host and port, whole: "192.168.1.20:8080". */
  host: string;
  /** The rest, the token shortened in the middle: "/?token=Xk3f9a…Qz0w". */
  rest: string;
}

/**
 * linkParts splits url for showing: host and port whole, the token cut in the middle
 * to its first head and last tail characters. The whole link goes in title and
 * Copy; this is only what fits the column.
 */
export function linkParts(url: string, head = 6, tail = 4): LinkParts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { scheme: '', host: url, rest: '' };
  }
  const whole = url.startsWith(u.origin) ? url.slice(u.origin.length) : `${u.pathname}${u.search}${u.hash}`;
  const rest = whole.replace(/([?&]token=)([^&#]*)/, (_, key: string, token: string) =>
    token.length > head + tail + 1 ? `${key}${token.slice(0, head)}…${token.slice(-tail)}` : `${key}${token}`,
  );
  return { scheme: `${u.protocol}//`, host: u.host, rest };
}

/** stateLabel is the short word in the header pill. */
export function stateLabel(state: string): string {
  switch (state) {
    case 'live':
      return 'LIVE';
    case 'no-signal':
      return 'NO SIGNAL';
    case 'off':
      return 'OFF';
    case 'idle':
      return 'IDLE';
    default:
      return state.toUpperCase();
  }
}
