import { describe, expect, it } from 'vitest';
import { shortcutFor, type KeyInput } from './shortcuts';

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  repeat: false,
  target: { tagName: 'BODY' },
  ...extra,
});

describe('shortcutFor', () => {
  const cases: Array<[string, KeyInput, string | null]> = [
    ['f is fullscreen', key('f'), 'fullscreen'],
    ['F with Caps Lock or Shift is fullscreen too', key('F'), 'fullscreen'],
    ['s saves the picture', key('s'), 'save'],
    ['works while a button of the controls has focus', key('s', { target: { tagName: 'BUTTON' } }), 'save'],
    ['leaves Ctrl+S to the browser', key('s', { ctrlKey: true }), null],
    ['leaves Cmd+F to the browser', key('f', { metaKey: true }), null],
    ['leaves Alt+F to the browser', key('f', { altKey: true }), null],
    ['does not repeat while the key is held', key('s', { repeat: true }), null],
    ['leaves letters to a focused menu, where they pick an item', key('s', { target: { tagName: 'SELECT' } }), null],
    ['leaves letters to a text field', key('f', { target: { tagName: 'INPUT' } }), null],
    ['leaves letters to editable text', key('f', { target: { tagName: 'DIV', isContentEditable: true } }), null],
    ['Esc goes back to the live picture', key('Escape'), 'live'],
    ['leaves Esc to a focused menu, which it closes', key('Escape', { target: { tagName: 'SELECT' } }), null],
    ['ignores other keys', key('x'), null],
    ['works with no focused element', key('f', { target: null }), 'fullscreen'],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => expect(shortcutFor(input)).toBe(want));
  }
});
