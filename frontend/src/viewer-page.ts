// Entry of viewer.html, the page the Go server serves at /?token=T. It finds
// its elements and hands them to the shared viewer module, shows the
// detection counts in the top bar, and wires the controls over the picture
// (page/controls.ts). ?rendition=360p and ?codec=h264 (or auto) on the page
// address are passed on. A recorded stream gets the timeline under the
// picture (timeline/).
import './viewer-page.css';
import './timeline/timeline.css';
import { setupControls } from './page/controls';
import { recordingApi } from './timeline/api';
import { startTimeline, type Timeline } from './timeline/timeline';
import { findElements, TimelineView } from './timeline/view';
import { AUTO, createViewer, h264Supported, parseRenditionName, type Viewer, type ViewerStatus } from './viewer';

function must<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`viewer.html is missing #${id}`);
  return el;
}

const root = must('viewer', HTMLElement);
const canvas = must('screen', HTMLCanvasElement);
const counts = must('detections', HTMLElement);
const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const rendition = parseRenditionName(params.get('rendition')) ?? AUTO;
// ?codec=h264|jpeg on the page address; none (or auto): H.264 where this
// browser decodes it, JPEG elsewhere.
const codecParam = params.get('codec');
const codec = codecParam === 'h264' || codecParam === 'jpeg' ? codecParam : 'auto';

let viewer: Viewer | null = null;
let timeline: Timeline | null = null;
const controls = setupControls(
  {
    root,
    stage: must('stage', HTMLElement),
    bar: must('controls', HTMLElement),
    canvas,
    boxes: must('boxes', HTMLButtonElement),
    rendition: must('rendition', HTMLSelectElement),
    codec: must('codec', HTMLSelectElement),
    save: must('save', HTMLButtonElement),
    fullscreen: must('fullscreen', HTMLButtonElement),
  },
  () => {
    if (!viewer) throw new Error('viewer not started');
    return viewer;
  },
  () => timeline?.recordedFrame() ?? null,
);

viewer = createViewer({
  root,
  canvas,
  overlay: must('stats', HTMLElement),
  message: must('message', HTMLElement),
  notice: must('notice', HTMLElement),
  // The server lives where the page came from; endpoints drop ?token= and resolve ws, healthz, api/state next to it.
  baseUrl: location.href,
  token,
  rendition,
  codec,
  onStatus: ({ state, message }: ViewerStatus) => {
    // Screen readers get the same sentence as the picture's alternative text.
    canvas.setAttribute('aria-label', state === 'live' ? 'Live video from the camera' : `No live video: ${message}`);
  },
  onDetections: ({ text }) => {
    counts.textContent = text;
    counts.hidden = text === '';
    if (text !== '') controls.boxesAvailable();
  },
  onRenditions: (state) => controls.showRenditions(state),
  // The menu shows what is drawn; the address keeps what was asked for.
  onCodecFallback: () => controls.codecDrawn('jpeg'),
});

// The codec menu is offered only where there is a choice: this browser
// decodes H.264.
void h264Supported().then((yes) => {
  if (yes) controls.codecAvailable(codec);
});

// The timeline shows only when the stream is recorded; until then, and for
// good when it is not, the page is the live picture alone.
void startTimeline({
  api: recordingApi(location.href, token),
  view: new TimelineView(findElements(document, 'download')),
  video: must('playback', HTMLVideoElement),
  canvas,
  root,
  pauseLive: (paused) => viewer?.setPaused(paused),
}).then((t) => {
  timeline = t;
});
