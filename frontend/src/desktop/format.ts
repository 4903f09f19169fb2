// Pure helpers for the desktop UI's text and choices, kept apart from the
// DOM so they are easy to test.
import { resolutions, type StreamSettings } from './backend';

/** presetOf names the preset (one of Go's resolutions) that matches the settings, or "" for none. */
export function presetOf(s: Pick<StreamSettings, 'maxWidth' | 'maxHeight'>): string {
  for (const [name, [w, h]] of Object.entries(resolutions)) {
    if (w === s.maxWidth && h === s.maxHeight) return name;
  }
  return '';
}

/** bandwidth formats bytes a second as bits a second, as people quote links. */
export function bandwidth(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(2)} Gbit/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)} Mbit/s`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(0)} kbit/s`;
  return `${Math.round(bits)} bit/s`;
}

/** sourceLabel is how the picker names a source spec. */
export function sourceLabel(spec: string): string {
  if (spec === 'test') return 'Test pattern';
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
