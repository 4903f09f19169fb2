// The viewer page's controls over the picture: Boxes, the rendition menu,
// save picture and fullscreen. They sit in one bar at the foot of the stage,
// which shows on any input and fades AUTO_HIDE_MS after the last one (see
// autohide.ts); Tab reaches them, and f and s work from anywhere.
import { AUTO, renditionMenu, withRendition, type CodecChoice, type MenuItem, type RenditionState, type Viewer } from '../viewer';
import { AutoHide } from './autohide';
import { shortcutFor } from './shortcuts';
import { SNAPSHOT_QUALITY, SNAPSHOT_TYPE, snapshotName } from './snapshot';

/** ControlElements are the page's parts the controls work on. */
export interface ControlElements {
  /** Gets data-controls: "shown" or "hidden". */
  root: HTMLElement;
  /** What goes fullscreen: the picture and its overlays. */
  stage: HTMLElement;
  bar: HTMLElement;
  canvas: HTMLCanvasElement;
  boxes: HTMLButtonElement;
  rendition: HTMLSelectElement;
  /** The codec menu: Auto, H.264, JPEG. */
  codec: HTMLSelectElement;
  save: HTMLButtonElement;
  fullscreen: HTMLButtonElement;
}

/** Controls is the wired bar; the page feeds it what the viewer reports. */
export interface Controls {
  /** showRenditions updates the rendition menu. */
  showRenditions(state: RenditionState): void;
  /** boxesAvailable shows the Boxes switch: the stream has had something to box. */
  boxesAvailable(): void;
  /** codecAvailable shows the codec menu, set to choice: this browser decodes H.264. */
  codecAvailable(choice: CodecChoice): void;
  /** codecDrawn sets the codec menu to what the viewer draws now, without asking for it (JPEG after H.264 failed). */
  codecDrawn(choice: CodecChoice): void;
}

/** Recorded is a recorded picture on screen in the live one's place, and when it was captured. */
export interface Recorded {
  canvas: HTMLCanvasElement;
  at: Date;
}

/**
 * setupControls wires the bar to a viewer. The viewer is passed as a getter
 * because the viewer's callbacks need the controls before it exists;
 * recorded gives the recorded picture shown instead of the live one, if any,
 * which is what Save picture saves then.
 */
export function setupControls(el: ControlElements, viewer: () => Viewer, recorded: () => Recorded | null = () => null): Controls {
  const autoHide = new AutoHide((shown) => {
    el.root.dataset.controls = shown ? 'shown' : 'hidden';
  });
  el.root.dataset.controls = 'shown';
  setupAutoHide(el, autoHide);

  el.boxes.addEventListener('click', () => {
    const on = !viewer().showDetections;
    viewer().setShowDetections(on);
    el.boxes.setAttribute('aria-pressed', String(on));
  });

  const save = (): void => {
    const shown = recorded();
    if (shown) savePicture(shown.canvas, viewer().stream, shown.at);
    else if (viewer().frames > 0) savePicture(el.canvas, viewer().stream, new Date());
  };
  el.save.addEventListener('click', save);

  // iPhone Safari has no Fullscreen API for a page element: no button there.
  el.fullscreen.hidden = !document.fullscreenEnabled;
  const fullscreen = (): void => toggleFullscreen(el.stage);
  el.fullscreen.addEventListener('click', fullscreen);
  document.addEventListener('fullscreenchange', () => {
    const on = document.fullscreenElement === el.stage;
    el.fullscreen.setAttribute('aria-pressed', String(on));
    el.fullscreen.title = on ? 'Exit full screen (F)' : 'Full screen (F)';
  });

  document.addEventListener('keydown', (ev) => {
    const target = ev.target instanceof HTMLElement ? ev.target : null;
    const action = shortcutFor({ key: ev.key, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, altKey: ev.altKey, repeat: ev.repeat, target });
    // Esc ("live") is the timeline's.
    if (action !== 'fullscreen' && action !== 'save') return;
    ev.preventDefault();
    if (action === 'fullscreen' && !el.fullscreen.hidden) fullscreen();
    if (action === 'save') save();
  });

  el.codec.addEventListener('change', () => {
    const choice = el.codec.value as CodecChoice;
    viewer().setCodec(choice);
    // The address keeps the choice for a reload or a copied link.
    const url = new URL(location.href);
    if (choice === 'auto') url.searchParams.delete('codec');
    else url.searchParams.set('codec', choice);
    history.replaceState(history.state, '', url.toString());
  });

  let shownItems: MenuItem[] = [];
  el.rendition.addEventListener('change', () => viewer().setRendition(el.rendition.value));

  return {
    showRenditions(state) {
      const menu = renditionMenu(state);
      if (!sameItems(menu.items, shownItems)) {
        el.rendition.replaceChildren(...menu.items.map((item) => new Option(item.label, item.value)));
        shownItems = menu.items;
      }
      el.rendition.value = menu.value;
      el.rendition.title = `Picture size: ${menu.label}`;
      el.rendition.hidden = !menu.shown;
      // The address says what this viewer takes, so a reload or a copied
      // link keeps a choice, and loses one the server refused.
      if ((new URL(location.href).searchParams.get('rendition') ?? AUTO) !== state.selected) {
        history.replaceState(history.state, '', withRendition(location.href, state.selected));
      }
    },
    boxesAvailable() {
      el.boxes.hidden = false;
    },
    codecAvailable(choice) {
      el.codec.value = choice;
      el.codec.hidden = false;
    },
    codecDrawn(choice) {
      el.codec.value = choice;
    },
  };
}

function sameItems(a: readonly MenuItem[], b: readonly MenuItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item.value === b[i]?.value && item.label === b[i]?.label);
}

/**
 * setupAutoHide shows the bar on any pointer or key input anywhere on the
 * page, keeps it while the mouse is over it or the keyboard is in it, and
 * hides it at once when the mouse leaves the window.
 */
function setupAutoHide(el: ControlElements, autoHide: AutoHide): void {
  const poke = (): void => autoHide.poke();
  for (const type of ['pointermove', 'pointerdown', 'keydown', 'wheel'] as const) {
    document.addEventListener(type, poke, { passive: true });
  }
  el.bar.addEventListener('change', poke);
  // A phone turns a tap into a click after the tap's pointerdown has shown
  // the bar, so the click would land on the control under the finger: a
  // tap that began while the bar was hidden only shows it. (Keyboard
  // clicks have detail 0 and always work.)
  let downWhileHidden = false;
  // Whether the last input was a key: :focus-visible says so for buttons,
  // but Chromium has it on a select however it was focused.
  let byKeyboard = false;
  window.addEventListener(
    'pointerdown',
    () => {
      downWhileHidden = !autoHide.shown;
      byKeyboard = false;
    },
    { capture: true },
  );
  window.addEventListener('keydown', () => (byKeyboard = true), { capture: true });
  const swallow = (ev: MouseEvent): void => {
    if (!downWhileHidden || ev.detail === 0) return;
    ev.preventDefault();
    ev.stopPropagation();
  };
  el.bar.addEventListener('mousedown', swallow, { capture: true });
  el.bar.addEventListener('click', swallow, { capture: true });
  // Only the mouse hovers; a finger's pointerleave would end a hold it never needed.
  el.bar.addEventListener('pointerenter', (ev) => {
    if (ev.pointerType === 'mouse') autoHide.hold('pointer', true);
  });
  el.bar.addEventListener('pointerleave', (ev) => {
    if (ev.pointerType === 'mouse') autoHide.hold('pointer', false);
  });
  // Keyboard focus holds the bar up; the focus a click leaves behind does not.
  el.bar.addEventListener('focusin', () => {
    if (byKeyboard) autoHide.hold('focus', true);
  });
  // A menu picked from with a pointer has done its job: let f and s work again.
  el.rendition.addEventListener('change', () => {
    if (!byKeyboard) el.rendition.blur();
  });
  el.bar.addEventListener('focusout', (ev) => {
    if (!(ev.relatedTarget instanceof Node && el.bar.contains(ev.relatedTarget))) autoHide.hold('focus', false);
  });
  document.documentElement.addEventListener('pointerleave', (ev) => {
    if (ev.pointerType === 'mouse') {
      autoHide.hold('pointer', false);
      autoHide.hideNow();
    }
  });
}

/**
 * savePicture downloads the picture on screen as a JPEG, named by the
 * stream and the time at. The live canvas holds the frame at its own size
 * with its boxes when they are shown, which is exactly what the person
 * sees, so it is saved as it is.
 */
function savePicture(canvas: HTMLCanvasElement, stream: string, at: Date): void {
  const name = snapshotName(stream, at);
  canvas.toBlob(
    (blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      // The download has its own copy once it started; a minute is plenty.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    SNAPSHOT_TYPE,
    SNAPSHOT_QUALITY,
  );
}

function toggleFullscreen(stage: HTMLElement): void {
  const done = document.fullscreenElement ? document.exitFullscreen() : stage.requestFullscreen({ navigationUI: 'hide' });
  done.catch((err: unknown) => console.warn(`framecast viewer: full screen: ${String(err)}`));
}
