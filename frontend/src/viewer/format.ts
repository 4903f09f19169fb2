// Text the viewer shows. Kept apart from the DOM code so wording is testable.
import type { ConnectionState } from './connection';

/** ViewerState is a ConnectionState, or "paused" while the tab is hidden. */
export type ViewerState = ConnectionState | 'paused';

/** statusMessage is the sentence for a state; "" means nothing to say (live). */
export function statusMessage(state: ViewerState, retryAt: number | undefined, nowMs: number): string {
  switch (state) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return '';
    case 'no-signal':
      return 'NO SIGNAL — the camera is being retried';
    case 'off':
      return 'Camera is off';
    case 'unauthorized':
      return 'This link is not valid (its token is wrong). Ask for a new link.';
    case 'replaced':
      return 'This link was replaced by a new one. Ask for the new link.';
    case 'revoked':
      return 'This link was revoked. Ask the person who shared it if you should still have access.';
    case 'expired':
      return 'This link expired. Ask for a new one.';
    case 'waiting': {
      const seconds = Math.ceil(((retryAt ?? nowMs) - nowMs) / 1000);
      const again = seconds > 0 ? `trying again in ${seconds}s` : 'trying again now…';
      return `Waiting for the stream: nothing is live at this link yet, or the link is not valid — ${again}`;
    }
    case 'moved':
      return 'This stream moved to a new address. Ask for a new link.';
    case 'offline': {
      const seconds = Math.ceil(((retryAt ?? nowMs) - nowMs) / 1000);
      return seconds > 0 ? `Server unreachable — retrying in ${seconds}s` : 'Server unreachable — retrying now…';
    }
    case 'paused':
      return 'Paused while the page is hidden';
  }
}

/** CODEC_FALLBACK_NOTICE says why a viewer that asked for H.264 shows JPEG. */
export const CODEC_FALLBACK_NOTICE = 'H.264 kept failing to decode in this browser: showing JPEG';

/**
 * messageOverPicture is what of the status sentence to show over the picture:
 * nothing while the stream has no signal and the frame on screen is the
 * server's NO SIGNAL picture, which says so already (a label drawn over it
 * would only cover its own text and the reason written under it). The state
 * badge and the canvas's accessible name still say it. Any other sentence,
 * such as "Server unreachable" over a NO SIGNAL frame left on screen, is news
 * the picture cannot tell, and is shown.
 */
export function messageOverPicture(message: string, state: ViewerState, placeholderOnScreen: boolean): string {
  return state === 'no-signal' && placeholderOnScreen ? '' : message;
}

/**
 * statsLine is the overlay text, e.g. "30.0 fps · 12 ms · 1280×720"; size
 * names the frame size ("1280×720" by default).
 */
export function statsLine(
  fps: number,
  latencyMs: number | null,
  width: number,
  height: number,
  size: (width: number, height: number) => string = (w, h) => `${w}×${h}`,
): string {
  const latency = latencyMs === null ? '–' : String(Math.max(0, Math.round(latencyMs)));
  const sized = width > 0 && height > 0 ? ` · ${size(width, height)}` : '';
  return `${fps.toFixed(1)} fps · ${latency} ms${sized}`;
}
