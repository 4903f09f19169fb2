// Entry of the desktop UI (index.html inside the Wails window). The preview
// is the shared viewer module on the app's own loopback WebSocket; settings
// and stats go through Wails bindings and events. Each panel asks Go for its
// facts at once and in parallel, and its controls wait, disabled, until they
// arrive: nothing shows a value that is not in force.
import '../viewer-page.css';
import '../timeline/timeline.css';
import './desktop.css';
import { createViewer, fitting, type Rendition, type RenditionState, type Viewer } from '../viewer';
import { Events, backend, errorText, onEvent, type AppStats, type Share } from './backend';
import { setupCameras, showCameras } from './cameras';
import { reloadControls, setupControls } from './controls';
import { must } from './dom';
import { refreshIngest, setupIngest, showIngestState } from './ingest';
import { setupCustomerLinks } from './links';
import { notify } from './notices';
import { reloadProcessing, setupProcessing, showChainStats } from './processing';
import { refreshPush, reloadPush, setupPush } from './push';
import { setupRecord } from './record';
import { setupShare, showShare, showViewers } from './share';
import { showStats } from './statsbar';
import { setupTimeline } from './timeline';
import { setupTooltips } from './tooltip';

let preview: Viewer | null = null;
/** streamSize is the size of the stream's frames from the last stats, 0×0 before. */
let streamSize = { width: 0, height: 0 };

/**
 * previewSize names the size of the preview's frames: the preview asks for
 * a smaller rendition than the stream's, and says so.
 */
function previewSize(width: number, height: number): string {
  const { width: w, height: h } = streamSize;
  if (w <= 0 || h <= 0 || (w === width && h === height)) return `${width}×${height}`;
  return `preview ${width}×${height} of ${w}×${h}`;
}

/** PreviewAddress is where the preview connects: the loopback base URL and the token. */
type PreviewAddress = Pick<Share, 'previewBase' | 'token'>;

/** connectedTo is the address the preview was last started on. */
let connectedTo: PreviewAddress | null = null;

/** camera is the camera the panels show, as Go last said; '' before it has. */
let camera = '';

/**
 * addressInPage is the preview's address as Go wrote it into the page
 * (app/page.go), or null when the page came without it: the preview then
 * waits for the Share binding's answer.
 */
function addressInPage(): PreviewAddress | null {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="framecast-preview"]');
  const base = meta?.content ?? '';
  const token = meta?.dataset.token ?? '';
  return base !== '' && token !== '' ? { previewBase: base, token } : null;
}

/** connect (re)starts the preview on the server's current port and token. */
function connect(sh: PreviewAddress): void {
  connectedTo = { previewBase: sh.previewBase, token: sh.token };
  preview?.close();
  preview = createViewer({
    root: must('preview', HTMLElement),
    canvas: must('screen', HTMLCanvasElement),
    overlay: must('overlay', HTMLElement),
    message: must('message', HTMLElement),
    baseUrl: sh.previewBase,
    token: sh.token,
    // The window is the operator's monitor: keep it live even when covered.
    pauseWhenHidden: false,
    describeSize: previewSize,
    showDetections: must('preview-boxes', HTMLInputElement).checked,
    // The preview is drawn smaller than the stream: it asks for the
    // rendition that fits its canvas, and decodes no more than it shows.
    onRenditions: (st) => {
      renditions = st;
      fitPreview();
    },
  });
}

/** What the preview last heard of renditions, to fit again on a resize. */
let renditions: RenditionState | null = null;

/** fitPreview pins the preview to the rendition that fits its canvas now. */
function fitPreview(): void {
  if (renditions === null) return;
  const canvas = must('screen', HTMLCanvasElement);
  const available: Rendition[] = renditions.available;
  const want = fitting(available, canvas.getBoundingClientRect().width * window.devicePixelRatio);
  if (want !== null && want !== renditions.selected) preview?.setRendition(want);
}

/** setupPreviewFit fits the preview's rendition again when its canvas changes size. */
function setupPreviewFit(): void {
  let timer: number | undefined;
  new ResizeObserver(() => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fitPreview, 300); // once the resize settles
  }).observe(must('screen', HTMLCanvasElement));
}

/** setupPreviewBoxes lets the operator hide the boxes drawn over the preview. */
function setupPreviewBoxes(): void {
  const toggle = must('preview-boxes', HTMLInputElement);
  toggle.addEventListener('change', () => preview?.setShowDetections(toggle.checked));
}

function showAll(st: AppStats): void {
  streamSize = { width: st.width, height: st.height };
  showStats(st);
  showViewers(st);
  showChainStats(st);
  showIngestState(st);
}

/** showStartupNotices shows what Go noticed at start-up as one warning, a line each. */
async function showStartupNotices(): Promise<void> {
  const notices = await backend().Notices();
  if (notices.length > 0) notify(notices.join('\n'), 'warning', 'startup');
}

/**
 * showCamera reads the settings of the camera selected now into every
 * panel: the controls act on it from here on.
 */
async function showCamera(): Promise<void> {
  statsSeen = false;
  const state = backend()
    .State()
    .then((st) => {
      if (!statsSeen) showAll(st);
    });
  await Promise.all([state, reloadControls(), reloadProcessing(), reloadPush()]);
}

/** statsSeen says a stats event came since the figures were last asked for. */
let statsSeen = false;

async function main(): Promise<void> {
  const api = backend();
  const changed = (sh: Share): void => {
    showShare(sh);
    // Go answers a change and sends the event too: the preview starts once.
    if (connectedTo?.previewBase !== sh.previewBase || connectedTo.token !== sh.token) connect(sh);
    if (camera !== '' && camera !== sh.camera) {
      camera = sh.camera;
      void showCamera();
      return;
    }
    camera = sh.camera;
    // A new token makes a new public link too; Go has republished by now.
    void refreshPush();
    // A new port, HTTPS or name moves where a producer connects.
    refreshIngest();
  };
  onEvent(Events.serverChanged, changed);
  onEvent(Events.cameras, showCameras);
  onEvent(Events.stats, (st) => {
    statsSeen = true;
    showAll(st);
  });
  onEvent(Events.notice, (text) => notify(text, 'warning', 'app'));
  // The picture first: with the address in the page, the preview connects
  // before any binding has answered.
  const address = addressInPage();
  if (address !== null) connect(address);
  setupTooltips();
  setupPreviewBoxes();
  setupIngest();
  setupRecord(showCameras);
  setupCustomerLinks();
  // A recording plays in the preview's place: the preview stops meanwhile.
  setupTimeline((paused) => preview?.setPaused(paused));
  setupPreviewFit();
  // The first figures now, not at the first stats event; one that came
  // first is newer than this answer.
  const state = api.State().then((st) => {
    if (!statsSeen) showAll(st);
  });
  await Promise.all([
    state,
    showStartupNotices(),
    setupControls(),
    // These two report their own failures and never throw.
    setupProcessing(),
    setupPush(),
    setupCameras(changed),
    // Go's answer reconnects only if the page's address was missing or is
    // already stale (a new link made meanwhile).
    setupShare(changed).then((sh) => {
      camera ||= sh.camera;
      if (connectedTo?.previewBase !== sh.previewBase || connectedTo.token !== sh.token) connect(sh);
    }),
  ]);
  document.querySelector('.app')?.removeAttribute('aria-busy');
}

main().catch((err) => notify(`Framecast could not start its window: ${errorText(err)}`, 'error', 'startup'));
