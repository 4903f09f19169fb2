// Tooltips drawn by the page instead of the engine. WebKitGTK's own tooltip
// (from a title attribute) stays on the screen after its element is removed,
// as when the × of a processor's card removes the card, until the mouse
// moves out of where it was. This one goes with its element.
//
// An element keeps its title, for assistive technology and tests; while the
// pointer is on it the title moves to data-tip, so the engine shows none.
import { must } from './dom';

// Module state, owned by this file and changed only on the UI thread.
/** target is the element whose tip is shown, or null. */
let target: HTMLElement | null = null;

const tip = () => must('tooltip', HTMLElement);

function hide(): void {
  if (target) {
    // Put the title back where it came from, if the element still exists.
    if (target.dataset.tip !== undefined && !target.hasAttribute('title')) target.title = target.dataset.tip;
    delete target.dataset.tip;
  }
  target = null;
  tip().hidden = true;
}

function show(el: HTMLElement, x: number, y: number): void {
  const text = el.getAttribute('title') ?? el.dataset.tip ?? '';
  if (text === '') return;
  target = el;
  el.dataset.tip = text;
  el.removeAttribute('title');
  const box = tip();
  box.textContent = text;
  box.hidden = false;
  // Below and right of the pointer, kept inside the window.
  const r = box.getBoundingClientRect();
  box.style.left = `${Math.max(4, Math.min(x + 12, window.innerWidth - r.width - 4))}px`;
  box.style.top = `${y + 18 + r.height > window.innerHeight ? Math.max(4, y - r.height - 8) : y + 18}px`;
}

/** setupTooltips shows the titles of the page's elements as page tooltips. */
export function setupTooltips(): void {
  document.addEventListener('pointerover', (e) => {
    const el = (e.target as Element | null)?.closest<HTMLElement>('[title], [data-tip]');
    if (el === target) return;
    hide();
    if (el) show(el, e.clientX, e.clientY);
  });
  document.addEventListener('pointerleave', hide);
  // A click hides the tip but keeps the title away: should the click remove
  // the element, the engine must have no title of it to leave behind.
  document.addEventListener('pointerdown', () => (tip().hidden = true));
  // The element went (its card removed, its row rebuilt): its tip goes too.
  // A title set again while shown (stats do) updates the tip.
  new MutationObserver(() => {
    if (target === null) return;
    if (!target.isConnected) {
      target = null;
      tip().hidden = true;
    } else if (target.hasAttribute('title')) {
      const text = target.title;
      target.dataset.tip = text;
      target.removeAttribute('title');
      tip().textContent = text;
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['title'] });
}
