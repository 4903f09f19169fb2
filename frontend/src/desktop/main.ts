// Entry of the desktop UI (index.html inside the Wails window). The preview
// is the shared viewer module on the app's own loopback WebSocket; settings
// and stats go through Wails bindings and events.
import '../viewer-page.css';
import './desktop.css';
import { createViewer, type Viewer } from '../viewer';
import { Events, backend, errorText, onEvent, type Share } from './backend';
import { setupControls } from './controls';
import { must } from './dom';
import { notify } from './notices';
import { setupProcessing, showChainStats } from './processing';
import { refreshPush, setupPush } from './push';
import { setupShare, showShare, showViewers } from './share';
import { showStats } from './statsbar';

let preview: Viewer | null = null;

/** connect (re)starts the preview on the server's current port and token. */
function connect(sh: Share): void {
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
    showDetections: must('preview-boxes', HTMLInputElement).checked,
  });
}

/** setupPreviewBoxes lets the operator hide the boxes drawn over the preview. */
function setupPreviewBoxes(): void {
  const toggle = must('preview-boxes', HTMLInputElement);
  toggle.addEventListener('change', () => preview?.setShowDetections(toggle.checked));
}

async function main(): Promise<void> {
  const api = backend();
  const changed = (sh: Share): void => {
    showShare(sh);
    connect(sh);
    // A new token makes a new public link too; Go has republished by now.
    void refreshPush();
  };
  onEvent(Events.serverChanged, changed);
  onEvent(Events.stats, (st) => {
    showStats(st);
    showViewers(st);
    showChainStats(st);
  });
  onEvent(Events.notice, (text) => notify(text));
  for (const n of await api.Notices()) notify(n, 'warning');
  await setupControls();
  setupPreviewBoxes();
  // The panel reports its own failures, so the preview starts regardless.
  const processing = setupProcessing();
  const push = setupPush();
  connect(await setupShare(changed));
  await Promise.all([processing, push]);
}

main().catch((err) => notify(`Framecast could not start its window: ${errorText(err)}`));
