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

/** isStreamURL tells whether a typed URL is one the Go side accepts. */
export function isStreamURL(text: string): boolean {
  try {
    const u = new URL(text.trim());
    return ['rtsp:', 'rtsps:', 'http:', 'https:'].includes(u.protocol) && u.host !== '';
  } catch {
    return false;
  }
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
