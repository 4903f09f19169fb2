// The camera panel: on/off, source picker (with recent files and URLs, and
// the external producer, whose panel is ingest.ts's), a URL or file path,
// quality, what viewers get (codec, H.264 bitrate), resolution, fps. Every
// change goes to Go at once; a refusal shows why and puts the control back
// to what is really in force. A number out of range is refused next to its
// field and never sent.
import { backend, errorText, type Device, type StreamSettings } from './backend';
import { must, onCommit, setProblem } from './dom';
import { numberProblem, presetOf, readBitrate, showBitrate, sourceLabel, sourceTextProblem } from './format';
import { showIngest } from './ingest';
import { INGEST } from './ingesttext';
import { notify, resolve } from './notices';
import { isRecentKind, loadRecent, remember } from './recent';

const enabled = () => must('enabled', HTMLInputElement);
const sourceSel = () => must('source', HTMLSelectElement);
const quality = () => must('quality', HTMLInputElement);
const qualityBox = () => must('quality-number', HTMLInputElement);
const fpsBox = () => must('fps', HTMLInputElement);
const codecSel = () => must('codec', HTMLSelectElement);
const bitrateBox = () => must('bitrate', HTMLInputElement);

// Module state, owned by this file and changed only on the UI thread.
/** cameras is null while the first scan runs. */
let cameras: Device[] | null = null;
let recent: string[] = [];
/** inForce is Go's last word on the settings. */
let inForce: StreamSettings | null = null;
/** opening is the source on its way to Go from the URL field, so Enter and leaving open it once. */
let opening: string | null = null;

/** show puts the settings in force into the controls, and enables them. */
export function show(s: StreamSettings): void {
  inForce = s;
  enabled().checked = s.enabled;
  fillSources(s.source);
  quality().value = String(s.quality);
  qualityBox().value = String(s.quality);
  setProblem(qualityBox(), must('quality-help', HTMLElement), '');
  const resolution = must('resolution', HTMLSelectElement);
  // The "…" shown while loading goes once a value is in force: WebKitGTK
  // lists even a hidden option in the menu.
  resolution.querySelector('option[value=""]')?.remove();
  resolution.value = presetOf(s) || 'source';
  fpsBox().value = String(s.fps);
  setProblem(fpsBox(), must('fps-help', HTMLElement), '');
  codecSel().querySelector('option[value=""]')?.remove();
  codecSel().value = s.codec || 'auto';
  bitrateBox().value = showBitrate(s.bitrate);
  bitrateBox().placeholder = 'auto';
  setProblem(bitrateBox(), must('bitrate-help', HTMLElement), '');
  must('source-name', HTMLElement).textContent = sourceLabel(s.source);
  must('source-name', HTMLElement).title = s.source;
  must('camera-fields', HTMLFieldSetElement).disabled = false;
  void showIngest(s.source);
}

function fillSources(current: string): void {
  const sel = sourceSel();
  sel.replaceChildren(new Option('Test pattern', 'test'));
  if (cameras === null || cameras.length === 0) {
    const none = new Option(cameras === null ? 'Looking for cameras…' : 'No camera found', '');
    none.disabled = true;
    sel.add(none);
  }
  for (const c of cameras ?? []) sel.add(new Option(c.name, c.spec));
  sel.add(new Option('External producer (Python, another program)', INGEST));
  if (recent.length > 0) {
    const group = document.createElement('optgroup');
    group.label = 'Recent';
    for (const spec of recent) {
      const o = new Option(sourceLabel(spec), spec);
      o.title = spec;
      group.append(o);
    }
    sel.add(group);
  }
  if (![...sel.options].some((o) => o.value === current)) sel.add(new Option(sourceLabel(current), current));
  sel.value = current;
}

/**
 * apply runs a change and shows its result, or its error and the truth. cause
 * names what the change is about: a change that works takes away the error a
 * failed one of the same cause left.
 */
async function apply(cause: string, change: () => Promise<StreamSettings>): Promise<void> {
  try {
    const s = await change();
    if (cause === 'source' && isRecentKind(s.source)) recent = remember(s.source);
    show(s);
    resolve(cause);
  } catch (err) {
    notify(errorText(err), 'error', cause);
    show(await backend().Settings());
  }
}

async function scanCameras(): Promise<void> {
  try {
    cameras = await backend().Devices();
    resolve('cameras');
  } catch (err) {
    notify(`Looking for cameras failed: ${errorText(err)}`, 'error', 'cameras');
    cameras = [];
  }
}

/**
 * checked reads a number box: its value when it is within min..max, or null
 * after saying why not next to it.
 */
function checked(box: HTMLInputElement, help: string, min: number, max: number): number | null {
  // A box holding letters reads as "" in the DOM; badInput tells them apart.
  const problem = box.validity.badInput ? `Type a number from ${min} to ${max}` : numberProblem(box.value, min, max, true);
  setProblem(box, must(help, HTMLElement), problem);
  return problem ? null : Number(box.value);
}

/** reloadControls shows the settings in force of the camera selected now. */
export async function reloadControls(): Promise<void> {
  try {
    show(await backend().Settings());
  } catch (err) {
    notify(`Reading the camera's settings failed: ${errorText(err)}`, 'error', 'source');
  }
}

/** setupControls wires the panel and shows the settings in force; the controls wait disabled until then. */
export async function setupControls(): Promise<void> {
  const api = backend();
  recent = loadRecent();
  const scanned = scanCameras();

  enabled().addEventListener('change', () => void apply('source', () => api.SetEnabled(enabled().checked)));
  sourceSel().addEventListener('change', () => void apply('source', () => api.SetSource(sourceSel().value)));
  must('pick-file', HTMLButtonElement).addEventListener('click', () => void apply('source', () => api.PickFile()));
  must('refresh-cameras', HTMLButtonElement).addEventListener('click', async () => {
    await scanCameras();
    if (inForce) fillSources(inForce.source);
    if (cameras?.length === 0) notify('No camera found on this machine.', 'notice', 'cameras');
  });
  const url = must('url', HTMLInputElement);
  const urlHelp = must('url-help', HTMLElement);
  url.addEventListener('input', () => setProblem(url, urlHelp, ''));
  const urlForm = must('url-form', HTMLFormElement);
  urlForm.addEventListener('submit', (e) => {
    e.preventDefault();
    // A URL or a file path: Go's source.ParseSpec tells them apart.
    const problem = sourceTextProblem(url.value);
    setProblem(url, urlHelp, problem);
    const spec = url.value.trim();
    // Leaving the field for its Open button opens it once.
    if (problem || spec === opening) return;
    opening = spec;
    void apply('source', () => api.SetSource(spec)).finally(() => (opening = null));
  });
  // Leaving an emptied field opens nothing.
  onCommit(url, () => url.value.trim() !== '' && urlForm.requestSubmit());
  // The number follows the thumb at once; the stream changes when it rests.
  quality().addEventListener('input', () => {
    qualityBox().value = quality().value;
    setProblem(qualityBox(), must('quality-help', HTMLElement), '');
  });
  quality().addEventListener('change', () => void apply('quality', () => api.SetQuality(Number(quality().value))));
  onCommit(qualityBox(), () => {
    const q = checked(qualityBox(), 'quality-help', 1, 100);
    if (q === null) return;
    quality().value = String(q);
    void apply('quality', () => api.SetQuality(q));
  });
  const resolution = must('resolution', HTMLSelectElement);
  resolution.addEventListener('change', () => void apply('resolution', () => api.SetResolution(resolution.value)));
  onCommit(fpsBox(), () => {
    const fps = checked(fpsBox(), 'fps-help', 1, 120);
    if (fps !== null) void apply('fps', () => api.SetFPS(fps));
  });
  codecSel().addEventListener('change', () => void apply('codec', () => api.SetCodec(codecSel().value)));
  onCommit(bitrateBox(), () => {
    const { bps, problem } = readBitrate(bitrateBox().validity.badInput ? 'x' : bitrateBox().value);
    setProblem(bitrateBox(), must('bitrate-help', HTMLElement), problem);
    if (!problem) void apply('bitrate', () => api.SetBitrate(bps));
  });

  show(await api.Settings());
  await scanned;
  if (inForce) fillSources(inForce.source);
}
