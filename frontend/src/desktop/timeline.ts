// The timeline under the preview: the selected camera's recordings, as the
// viewer page shows them (src/timeline/), read from the camera's loopback
// server like the preview. It shows once the camera's api/recordings
// answers 200; a camera set to record is asked again until it does. A
// recording picked on it plays in the preview's place until Live. Export
// clip saves the span picked (ExportClip) into the recordings' exports
// folder, which retention never empties, and a notice says where.
import { recordingApi } from '../timeline/api';
import { startTimeline, type Timeline } from '../timeline/timeline';
import { findElements, TimelineView } from '../timeline/view';
import { backend, errorText, type Camera } from './backend';
import { must } from './dom';
import { notify, resolve } from './notices';

/** ASK_MS is how often a camera set to record, with no timeline yet, is asked for its recordings. */
const ASK_MS = 2000;

// Module state, owned by this file and changed only on the UI thread.
/** shownFor is the camera the timeline is for ('' none): its name, loopback base and token. */
let shownFor = '';
/** ending ends the timeline shown; null while none is. */
let ending: AbortController | null = null;
let timeline: Timeline | null = null;
/** asking: an api/recordings question is on its way; askedAt when it was asked (0: never, for this camera). */
let asking = false;
let askedAt = 0;
let exporting = false;
/** pauseLive stops (true) and restarts (false) the preview while a recording plays. */
let pauseLive: (paused: boolean) => void = () => {};

const exportButton = () => must('tl-download', HTMLButtonElement);

/** setupTimeline wires Export clip; pause stops and restarts the preview. */
export function setupTimeline(pause: (paused: boolean) => void): void {
  pauseLive = pause;
  findElements(document, 'export'); // writes the timeline's parts into the page
  exportButton().addEventListener('click', () => void exportClip());
}

/**
 * showTimeline follows the camera list: the timeline is the selected
 * camera's, asked for once when it is selected (it may have recordings from
 * before) and every ASK_MS while it is set to record and has none shown.
 */
export function showTimeline(list: Camera[]): void {
  const sel = list.find((c) => c.selected);
  const address = sel ? `${sel.name}\n${sel.previewBase}\n${sel.token}` : '';
  if (address !== shownFor) {
    ending?.abort();
    ending = null;
    timeline = null;
    shownFor = address;
    askedAt = 0;
  }
  if (!sel || timeline !== null || asking) return;
  if (askedAt !== 0 && (!sel.record || Date.now() - askedAt < ASK_MS)) return;
  void ask(sel, address);
}

/** recordingStarted: the selected camera was just set to record; the next list asks at once. */
export function recordingStarted(): void {
  askedAt = 0;
}

async function ask(c: Camera, address: string): Promise<void> {
  asking = true;
  askedAt = Date.now();
  const stop = new AbortController();
  try {
    const t = await startTimeline({
      api: recordingApi(c.previewBase, c.token),
      view: new TimelineView(findElements(document, 'export')),
      video: must('playback', HTMLVideoElement),
      canvas: must('screen', HTMLCanvasElement),
      root: must('preview', HTMLElement),
      pauseLive: (paused) => pauseLive(paused),
      clipVerb: 'Export',
      signal: stop.signal,
    });
    // Another camera was selected meanwhile: this one's timeline is not wanted.
    if (address !== shownFor) {
      stop.abort();
      return;
    }
    if (t !== null) {
      timeline = t;
      ending = stop;
    }
  } finally {
    asking = false;
  }
}

/** exportClip saves the span the timeline picks now, and says where it went. */
async function exportClip(): Promise<void> {
  const clip = timeline?.clip() ?? null;
  if (exporting) return;
  if (clip === null) {
    notify('Export clip: nothing is recorded yet', 'error', 'export');
    return;
  }
  exporting = true;
  const button = exportButton();
  button.textContent = 'Exporting…';
  try {
    const path = await backend().ExportClip(new Date(clip.start).toISOString(), clip.duration / 1000);
    resolve('export');
    notify(`Clip saved: ${path}`, 'notice', 'export');
  } catch (err) {
    notify(`Export clip: ${errorText(err)}`, 'error', 'export');
  } finally {
    exporting = false;
    button.textContent = 'Export clip';
  }
}
