// The camera list: every running camera with its state, the selected one
// (whose settings the panels below show) marked. A camera is selected,
// renamed, moved (buttons or drag) and removed here, and added by name; Go
// refuses what cannot be (a taken name, the last camera) and says why. A
// camera set to record is marked REC. The list also tells the Record switch
// and the timeline which camera is selected and what it records.
import { backend, errorText, type Camera, type Share } from './backend';
import { el, must, setProblem } from './dom';
import { stateLabel } from './format';
import { notify, resolve } from './notices';
import { showRec, showRecord } from './record';
import { showTiles } from './tiles';
import { showTimeline } from './timeline';

/** REMOVE_ARM_MS is how long a first click on Remove waits for the second. */
const REMOVE_ARM_MS = 3000;

// Module state, owned by this file and changed only on the UI thread.
/** cameras is Go's last word on the list. */
let cameras: Camera[] = [];
/** drawn is the names, their order and the selection the list was last built for. */
let drawn = '';
/** renaming is the camera whose name is being edited, or ''. */
let renaming = '';
/** onShare gets Go's answer to a change of the list or the selection. */
let onShare: (sh: Share) => void = () => {};

const listEl = () => must('cameras', HTMLOListElement);

/** figures is a camera's line under its name: its state, frame rate and remote viewers. */
export function figures(c: Camera): string {
  const parts = [stateLabel(c.state)];
  if (c.state === 'live') parts.push(`${c.fps.toFixed(0)} fps`);
  parts.push(c.viewers === 1 ? '1 viewer' : `${c.viewers} viewers`);
  return parts.join(' · ');
}

/**
 * showCameras draws the list and the preview grid; figures change in
 * place, so a button in use keeps its focus.
 */
export function showCameras(list: Camera[]): void {
  cameras = list;
  showTiles(list, (name) => void select(name));
  const key = JSON.stringify(list.map((c) => [c.name, c.selected]));
  if (key !== drawn) {
    drawn = key;
    build();
  }
  for (const c of list) {
    const item = listEl().querySelector<HTMLElement>(`li[data-name="${CSS.escape(c.name)}"]`);
    const line = item?.querySelector<HTMLElement>('.cam-figures');
    if (line && line.textContent !== figures(c)) line.textContent = figures(c);
    item?.querySelector<HTMLElement>('.dot')?.setAttribute('data-state', c.state);
    const rec = item?.querySelector<HTMLElement>('.cam-rec');
    if (rec) showRec(rec, c);
  }
  const sel = list.find((c) => c.selected);
  must('camera-name', HTMLElement).textContent = sel ? sel.name : '';
  showRecord(sel);
  showTimeline(list);
}


/** build makes the list's items anew, keeping focus on the control that had it. */
function build(): void {
  const ol = listEl();
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
  ol.replaceChildren(...cameras.map((c, i) => item(c, i)));
  if (focused) ol.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function button(text: string, key: string, label: string, className = 'icon'): HTMLButtonElement {
  const b = el('button', text, className);
  b.type = 'button';
  b.dataset.key = key;
  b.setAttribute('aria-label', label);
  b.title = label;
  return b;
}

/** item is one camera's row: select it, move it, rename it, remove it. */
function item(c: Camera, i: number): HTMLLIElement {
  const li = el('li', '', 'cam');
  li.dataset.name = c.name;
  if (c.selected) li.setAttribute('aria-current', 'true');
  li.draggable = renaming !== c.name;
  if (renaming === c.name) {
    li.append(renameForm(c.name));
    return li;
  }
  const pick = button('', `select:${c.name}`, `Show camera ${c.name}`, 'cam-select');
  const dot = el('span', '', 'dot');
  dot.dataset.state = c.state;
  dot.setAttribute('aria-hidden', 'true');
  // REC goes on the figures' line: the name keeps the row's width.
  const rec = el('span', 'REC', 'cam-rec');
  showRec(rec, c);
  const line = el('span', '', 'cam-line');
  line.append(rec, el('span', figures(c), 'cam-figures'));
  pick.append(dot, el('span', c.name, 'cam-name'), line);
  pick.setAttribute('aria-pressed', String(c.selected));
  pick.addEventListener('click', () => void select(c.name));
  const up = button('↑', `up:${c.name}`, `Move camera ${c.name} up`);
  up.disabled = i === 0;
  up.addEventListener('click', () => void move(c.name, i - 1));
  const down = button('↓', `down:${c.name}`, `Move camera ${c.name} down`);
  down.disabled = i === cameras.length - 1;
  down.addEventListener('click', () => void move(c.name, i + 1));
  const rename = button('✎', `rename:${c.name}`, `Rename camera ${c.name}`);
  rename.addEventListener('click', () => {
    renaming = c.name;
    build();
    listEl().querySelector<HTMLInputElement>('.cam-rename input')?.select();
  });
  const remove = button('✕', `remove:${c.name}`, `Remove camera ${c.name}`);
  remove.disabled = cameras.length < 2;
  let armed = 0;
  remove.addEventListener('click', () => {
    // Two clicks: removing disconnects the camera's viewers and forgets its settings.
    if (armed === 0) {
      remove.textContent = 'Remove?';
      armed = window.setTimeout(() => {
        armed = 0;
        remove.textContent = '✕';
      }, REMOVE_ARM_MS);
      return;
    }
    window.clearTimeout(armed);
    void change('camera', () => backend().RemoveCamera(c.name));
  });
  li.addEventListener('dragstart', (e) => {
    e.dataTransfer?.setData('text/x-framecast-camera', c.name);
    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
  });
  li.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('text/x-framecast-camera')) e.preventDefault();
  });
  li.addEventListener('drop', (e) => {
    const name = e.dataTransfer?.getData('text/x-framecast-camera');
    e.preventDefault();
    if (name && name !== c.name) void move(name, i);
  });
  li.append(pick, up, down, rename, remove);
  return li;
}

/** renameForm edits a camera's name in its row: Enter renames, Escape leaves it. */
function renameForm(name: string): HTMLFormElement {
  const form = el('form', '', 'cam-rename row');
  const box = el('input');
  box.type = 'text';
  box.value = name;
  box.spellcheck = false;
  box.autocomplete = 'off';
  box.setAttribute('aria-label', `New name for camera ${name}`);
  box.dataset.key = `rename-box:${name}`;
  const ok = el('button', 'Rename');
  ok.type = 'submit';
  const cancel = el('button', 'Cancel');
  cancel.type = 'button';
  const done = () => {
    renaming = '';
    build();
  };
  cancel.addEventListener('click', done);
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') done();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const to = box.value.trim();
    if (to === name) return done();
    try {
      const list = await backend().RenameCamera(name, to);
      resolve('camera');
      renaming = '';
      drawn = '';
      showCameras(list);
    } catch (err) {
      notify(`Rename: ${errorText(err)}`, 'error', 'camera');
      box.setAttribute('aria-invalid', 'true');
    }
  });
  form.append(box, ok, cancel);
  return form;
}

/** select makes name the camera the panels show. */
export async function select(name: string): Promise<void> {
  if (cameras.find((c) => c.selected)?.name === name) return;
  try {
    onShare(await backend().SelectCamera(name));
    resolve('camera');
    showCameras(await backend().Cameras());
  } catch (err) {
    notify(`Camera ${name}: ${errorText(err)}`, 'error', 'camera');
  }
}

async function move(name: string, index: number): Promise<void> {
  await change('camera', () => backend().MoveCamera(name, index));
}

/** change runs a change of the list and draws Go's answer, or says why it was refused. */
async function change(cause: string, run: () => Promise<Camera[]>): Promise<void> {
  try {
    showCameras(await run());
    resolve(cause);
  } catch (err) {
    notify(errorText(err), 'error', cause);
    showCameras(await backend().Cameras());
  }
}

/**
 * setupCameras wires the list and the add form and shows the cameras;
 * share gets Go's answer when the selection changed (a camera added is
 * selected).
 */
export async function setupCameras(share: (sh: Share) => void): Promise<void> {
  onShare = share;
  const form = must('camera-add', HTMLFormElement);
  const box = must('camera-new', HTMLInputElement);
  const help = must('camera-new-help', HTMLElement);
  box.addEventListener('input', () => setProblem(box, help, ''));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = box.value.trim();
    if (name === '') {
      setProblem(box, help, 'Give the new camera a name');
      return;
    }
    try {
      onShare(await backend().AddCamera(name, ''));
      box.value = '';
      setProblem(box, help, '');
      resolve('camera');
      showCameras(await backend().Cameras());
    } catch (err) {
      // Go's reason beside the field, the name left in it to fix.
      setProblem(box, help, errorText(err));
    }
  });
  try {
    showCameras(await backend().Cameras());
    must('camera-add-fields', HTMLFieldSetElement).disabled = false;
  } catch (err) {
    notify(`The camera list is unavailable: ${errorText(err)}`, 'error', 'camera');
  }
}
