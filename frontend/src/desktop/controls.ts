// The camera panel: on/off, source picker, URL, quality, resolution, fps.
// Every change goes to Go at once; a refusal shows why and puts the control
// back to what is really in force.
import { backend, errorText, type Camera, type StreamSettings } from './backend';
import { must } from './dom';
import { isStreamURL, presetOf, sourceLabel } from './format';
import { notify } from './notices';

const enabled = () => must('enabled', HTMLInputElement);
const sourceSel = () => must('source', HTMLSelectElement);
const quality = () => must('quality', HTMLInputElement);

let cameras: Camera[] = [];

/** show puts the settings in force into the controls. */
export function show(s: StreamSettings): void {
  enabled().checked = s.enabled;
  fillSources(s.source);
  quality().value = String(s.quality);
  must('quality-value', HTMLOutputElement).value = String(s.quality);
  must('resolution', HTMLSelectElement).value = presetOf(s) || 'source';
  const fps = must('fps', HTMLSelectElement);
  if (![...fps.options].some((o) => o.value === String(s.fps))) fps.add(new Option(String(s.fps)));
  fps.value = String(s.fps);
  must('source-name', HTMLElement).textContent = sourceLabel(s.source);
}

function fillSources(current: string): void {
  const sel = sourceSel();
  sel.replaceChildren(new Option('Test pattern', 'test'));
  if (cameras.length === 0) {
    const none = new Option('No camera found', '');
    none.disabled = true;
    sel.add(none);
  }
  for (const c of cameras) sel.add(new Option(c.name, c.spec));
  if (![...sel.options].some((o) => o.value === current)) sel.add(new Option(sourceLabel(current), current));
  sel.value = current;
}

/** apply runs a change and shows its result, or its error and the truth. */
async function apply(change: () => Promise<StreamSettings>): Promise<void> {
  try {
    show(await change());
  } catch (err) {
    notify(errorText(err));
    show(await backend().Settings());
  }
}

async function scanCameras(): Promise<void> {
  try {
    cameras = await backend().Cameras();
  } catch (err) {
    notify(`Looking for cameras failed: ${errorText(err)}`);
    cameras = [];
  }
}

/** setupControls wires the panel and shows the settings in force. */
export async function setupControls(): Promise<void> {
  const api = backend();
  await scanCameras();
  show(await api.Settings());

  enabled().addEventListener('change', () => void apply(() => api.SetEnabled(enabled().checked)));
  sourceSel().addEventListener('change', () => void apply(() => api.SetSource(sourceSel().value)));
  must('pick-file', HTMLButtonElement).addEventListener('click', () => void apply(() => api.PickFile()));
  must('refresh-cameras', HTMLButtonElement).addEventListener('click', async () => {
    await scanCameras();
    show(await api.Settings());
    if (cameras.length === 0) notify('No camera found on this machine.', 'notice');
  });
  must('url-form', HTMLFormElement).addEventListener('submit', (e) => {
    e.preventDefault();
    const url = must('url', HTMLInputElement).value.trim();
    if (!isStreamURL(url)) {
      notify(`"${url}" is not an rtsp:// or http(s):// URL.`);
      return;
    }
    void apply(() => api.SetSource(url));
  });
  // The number follows the thumb at once; the stream changes when it rests.
  quality().addEventListener('input', () => {
    must('quality-value', HTMLOutputElement).value = quality().value;
  });
  quality().addEventListener('change', () => void apply(() => api.SetQuality(Number(quality().value))));
  const resolution = must('resolution', HTMLSelectElement);
  resolution.addEventListener('change', () => void apply(() => api.SetResolution(resolution.value)));
  const fps = must('fps', HTMLSelectElement);
  fps.addEventListener('change', () => void apply(() => api.SetFPS(Number(fps.value))));
}
