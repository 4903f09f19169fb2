// The banner where errors and notices the person can act on appear.
import { el, must } from './dom';

const SHOW_MS = 8000;
/** MAX_SHOWN keeps a burst of messages from pushing the preview away. */
const MAX_SHOWN = 3;

/** notify shows a message; errors and warnings stay until dismissed, notices fade. */
export function notify(text: string, kind: 'error' | 'warning' | 'notice' = 'error'): void {
  const box = must('notices', HTMLElement);
  const item = el('div', '', `notice is-${kind}`);
  item.append(el('span', text));
  const close = el('button', '×', 'dismiss');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => item.remove());
  item.append(close);
  box.append(item);
  while (box.children.length > MAX_SHOWN) box.firstElementChild?.remove();
  if (kind === 'notice') setTimeout(() => item.remove(), SHOW_MS);
}
