// The stats strip under the preview and the state pill in the header.
import type { AppStats } from './backend';
import { must } from './dom';
import { bandwidth, codecRates, sourceLabel, stateLabel } from './format';

/** showStats updates the strip and the pill. */
export function showStats(st: AppStats): void {
  must('st-capture', HTMLElement).textContent = `${st.captureFps.toFixed(1)} fps`;
  must('st-output', HTMLElement).textContent = `${st.outputFps.toFixed(1)} fps`;
  // With the camera off nothing is encoded: the last figures would be stale.
  const off = st.state === 'off' || !st.enabled;
  must('st-encode', HTMLElement).textContent = off ? '—' : `${st.encodeMs.toFixed(1)} ms`;
  // With only smaller copies taken (a preview of 360p, say), the figures are the largest copy's: say which.
  const copy = st.frameRendition ? ` (${st.frameRendition})` : '';
  must('st-frame', HTMLElement).textContent = !off && st.width > 0 ? `${st.width}×${st.height} · ${(st.frameBytes / 1024).toFixed(0)} KiB${copy}` : '—';
  must('st-bitrate', HTMLElement).textContent = (!off && codecRates(st.jpegBitrate, st.h264Bitrate)) || '—';
  must('st-bandwidth', HTMLElement).textContent = bandwidth(st.bandwidthBps);
  must('st-viewers', HTMLElement).textContent = String(st.remote);
  const pill = must('state', HTMLElement);
  pill.textContent = stateLabel(st.state);
  pill.dataset.state = st.state;
  pill.title = st.error;
  const name = must('source-name', HTMLElement);
  name.textContent = sourceLabel(st.source);
  // A long path is cut to the header's width: the whole of it on hover.
  name.title = st.source;
}
