// The preview grid: while several cameras run, a small live tile of each
// under the selected camera's preview. Each tile is the shared viewer
// module on the loopback WebSocket of its camera, asking for the smallest
// rendition that fits the tile; clicking a tile selects its camera. A
// camera set to record has REC in its tile's corner.
import { createViewer, fitting, type Viewer } from '../viewer';
import type { Camera } from './backend';
import { el, must } from './dom';
import { stateLabel } from './format';
import { showRec } from './record';

/** Tile is one camera's tile and the viewer drawing it. */
interface Tile {
  /** address is what the viewer was started on: a change starts it anew. */
  address: string;
  root: HTMLButtonElement;
  viewer: Viewer;
}

// Owned by this file and changed only on the UI thread.
const tiles = new Map<string, Tile>();

/** tileAddress is where a camera's tile connects. */
function tileAddress(c: Camera): string {
  return `${c.previewBase}\n${c.token}`;
}

/** newTile starts a tile of c; select is called with its name on a click. */
function newTile(c: Camera, select: (name: string) => void): Tile {
  const root = el('button', '', 'tile');
  root.type = 'button';
  root.dataset.name = c.name;
  const canvas = el('canvas');
  canvas.setAttribute('aria-hidden', 'true');
  const label = el('span', '', 'tile-label');
  const name = el('span', c.name, 'tile-name');
  // A long name is cut to the tile: the whole of it on hover.
  name.title = c.name;
  label.append(name, el('span', stateLabel(c.state), 'tile-state'));
  const rec = el('span', 'REC', 'cam-rec tile-rec');
  showRec(rec, c);
  root.append(canvas, rec, label);
  root.setAttribute('aria-label', `Show camera ${c.name}`);
  root.addEventListener('click', () => select(root.dataset.name ?? c.name));
  let viewer: Viewer | null = null;
  viewer = createViewer({
    root,
    canvas,
    baseUrl: c.previewBase,
    token: c.token,
    pauseWhenHidden: false,
    showDetections: true,
    // A tile is small: it takes the smallest copy that still fills it.
    onRenditions: (st) => {
      const want = fitting(st.available, canvas.getBoundingClientRect().width * window.devicePixelRatio);
      if (want !== null && want !== st.selected) viewer?.setRendition(want);
    },
  });
  return { address: tileAddress(c), root, viewer };
}

/**
 * showTiles draws a tile per camera while there are several, in the list's
 * order, the selected one marked; with one camera the grid is hidden and
 * its viewers closed.
 */
export function showTiles(cameras: Camera[], select: (name: string) => void): void {
  const grid = must('tiles', HTMLElement);
  const wanted = cameras.length > 1 ? cameras : [];
  for (const [name, t] of tiles) {
    const c = wanted.find((w) => w.name === name);
    if (!c || tileAddress(c) !== t.address) {
      t.viewer.close();
      t.root.remove();
      tiles.delete(name);
    }
  }
  const order: HTMLElement[] = [];
  for (const c of wanted) {
    let t = tiles.get(c.name);
    if (!t) {
      t = newTile(c, select);
      tiles.set(c.name, t);
    }
    t.root.setAttribute('aria-pressed', String(c.selected));
    const rec = t.root.querySelector<HTMLElement>('.tile-rec');
    if (rec) showRec(rec, c);
    const state = t.root.querySelector('.tile-state');
    if (state && state.textContent !== stateLabel(c.state)) state.textContent = stateLabel(c.state);
    order.push(t.root);
  }
  // Moved into the list's order only when it changed: a move restarts no viewer.
  const now = [...grid.children];
  if (now.length !== order.length || now.some((n, i) => n !== order[i])) grid.replaceChildren(...order);
  grid.hidden = wanted.length === 0;
}
