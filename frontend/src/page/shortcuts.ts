// The viewer page's keys: f for fullscreen, s to save the picture, Esc back
// to the live picture from a recording. They are left alone wherever a key
// means something else (typing in a field, picking in a menu: Esc closes
// it) or comes with a modifier (Ctrl+S is the browser's own "save page").

/** Shortcut is what a key asks the page to do. */
export type Shortcut = 'fullscreen' | 'save' | 'live';

/** KeyInput is the part of a KeyboardEvent shortcutFor looks at. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  repeat: boolean;
  /** The focused element the key goes to, if any. */
  target: { tagName?: string; isContentEditable?: boolean } | null;
}

const TYPED_INTO = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** shortcutFor tells which shortcut a key press is; null for none. */
export function shortcutFor(ev: KeyInput): Shortcut | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return null;
  if (ev.target && (ev.target.isContentEditable === true || TYPED_INTO.has(ev.target.tagName ?? ''))) return null;
  switch (ev.key) {
    case 'f':
    case 'F':
      return 'fullscreen';
    case 's':
    case 'S':
      return 'save';
    case 'Escape':
      return 'live';
    default:
      return null;
  }
}
