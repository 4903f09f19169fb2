// The notices floating over the preview: at most one of each kind, a new one
// replacing the old rather than stacking. A notice may name its cause, so that
// it goes by itself once the cause is resolved: the source error when a later
// source change works, the skipped-frames warning when skipping stops.
import { el, must } from './dom';

/** NoticeKind is how much a notice matters; each kind has one place. */
export type NoticeKind = 'error' | 'warning' | 'notice';

/** The kinds in the order they are stacked, the most pressing on top. */
const KINDS: readonly NoticeKind[] = ['error', 'warning', 'notice'];

/** SHOW_MS is how long a plain notice stays; errors and warnings stay while they hold. */
const SHOW_MS = 8000;

// Module state, owned by this file and changed only on the UI thread.
const fading = new Map<NoticeKind, number>();

function shown(kind: NoticeKind): HTMLElement | null {
  return must('notices', HTMLElement).querySelector<HTMLElement>(`.notice.is-${kind}`);
}

function drop(kind: NoticeKind): void {
  window.clearTimeout(fading.get(kind));
  fading.delete(kind);
  shown(kind)?.remove();
}

/**
 * notify shows text as the notice of its kind, replacing the one there. cause
 * names what it is about (e.g. "source"), for resolve; a plain notice fades
 * by itself.
 */
export function notify(text: string, kind: NoticeKind = 'error', cause = ''): void {
  const box = must('notices', HTMLElement);
  let item = shown(kind);
  if (!item) {
    item = el('div', '', `notice is-${kind}`);
    const close = el('button', '×', 'dismiss');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => drop(kind));
    item.append(el('span'), close);
    const after = KINDS.slice(KINDS.indexOf(kind) + 1).map(shown).find((n) => n !== null);
    box.insertBefore(item, after ?? null);
  }
  item.dataset.cause = cause;
  const span = item.querySelector('span')!;
  // The box is a live region: an unchanged text should not be read out again.
  if (span.textContent !== text) span.textContent = text;
  window.clearTimeout(fading.get(kind));
  fading.delete(kind);
  if (kind === 'notice') fading.set(kind, window.setTimeout(() => drop(kind), SHOW_MS));
}

/** resolve takes away the notices about cause: what they said no longer holds. */
export function resolve(cause: string): void {
  if (cause === '') return;
  for (const kind of KINDS) {
    if (shown(kind)?.dataset.cause === cause) drop(kind);
  }
}
