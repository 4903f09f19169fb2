// The Record switch of the selected camera, in its panel: SetRecord, and
// why the camera is not recording when it cannot be (a full disk); and the
// REC mark the camera list and the tiles give each camera set to record.
// The timeline under the preview plays what was recorded (timeline.ts).
import { backend, errorText, type Camera } from './backend';
import { must } from './dom';
import { notify, resolve } from './notices';
import { recordingStarted } from './timeline';

const toggle = () => must('record', HTMLInputElement);

// Module state, owned by this file and changed only on the UI thread.
/** pending: a SetRecord is on its way, so the lists that come meanwhile leave the switch as the person set it. */
let pending = false;

/** recordError is the sentence under the switch for c: why it is set to record and is not. */
export function recordError(c: Camera): string {
  return c.record && c.recordError ? `Not recording: ${c.recordError}` : '';
}

/** showRec marks a camera set to record, in the warning colour with why when it is not recording. */
export function showRec(rec: HTMLElement, c: Camera): void {
  rec.hidden = !c.record;
  const why = recordError(c);
  rec.toggleAttribute('data-problem', why !== '');
  rec.title = why || 'Recording';
}

/** showRecord puts the selected camera's recording into the switch and the line under it. */
export function showRecord(sel: Camera | undefined): void {
  if (!sel) return;
  if (!pending) toggle().checked = sel.record;
  const line = must('record-error', HTMLElement);
  const text = recordError(sel);
  if (line.textContent !== text) line.textContent = text;
  line.hidden = text === '';
}

/** setupRecord wires the switch; showList gets Go's answer, the camera list. */
export function setupRecord(showList: (list: Camera[]) => void): void {
  const sw = toggle();
  sw.addEventListener('change', async () => {
    const on = sw.checked;
    pending = true;
    try {
      const list = await backend().SetRecord(on);
      pending = false;
      resolve('record');
      if (on) recordingStarted();
      showList(list);
    } catch (err) {
      pending = false;
      notify(`Record: ${errorText(err)}`, 'error', 'record');
      showList(await backend().Cameras());
    }
  });
}
