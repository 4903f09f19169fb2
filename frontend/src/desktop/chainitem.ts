// One processor in the Processing panel's list: its title and cost, buttons
// to move and remove it, and a labelled control per parameter. It only builds
// elements; what a click does is the panel's business (processing.ts).
import type { ChainItem, ProcessorInfo } from './backend';
import { paramValue, titleOf, wideRange } from './chain';
import { el, onCommit } from './dom';

/** ItemActions are what the controls of one item ask the panel to do. */
export interface ItemActions {
  move(index: number, delta: number): void;
  remove(index: number): void;
  /**
   * setParam gets a parameter's new value. For a number box it gets the box
   * and its help line too, to say there why a value is refused.
   */
  setParam(index: number, name: string, value: number, box?: { input: HTMLInputElement; help: HTMLElement }): void;
}

/**
 * Each focusable control carries data-key (index:what), so the panel can give
 * focus back to the same control after it rebuilds the list.
 */
function button(text: string, label: string, key: string, onClick: () => void, disabled = false): HTMLButtonElement {
  const b = el('button', text, 'icon');
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.title = label;
  b.dataset.key = key;
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/** chainItem builds the list item for chain[index]. */
export function chainItem(infos: readonly ProcessorInfo[], chain: readonly ChainItem[], index: number, actions: ItemActions): HTMLLIElement {
  const item = chain[index]!;
  const title = titleOf(infos, item.name);
  const li = el('li', '', 'proc');
  li.dataset.name = item.name;

  const head = el('div', '', 'proc-head');
  const cost = el('span', '– ms', 'cost');
  cost.dataset.cost = String(index);
  cost.title = 'Time per frame';
  head.append(
    el('span', title, 'proc-title'),
    cost,
    button('↑', `Move ${title} up`, `${index}:up`, () => actions.move(index, -1), index === 0),
    button('↓', `Move ${title} down`, `${index}:down`, () => actions.move(index, 1), index === chain.length - 1),
    button('×', `Remove ${title}`, `${index}:remove`, () => actions.remove(index)),
  );
  li.append(head);

  for (const p of infos.find((i) => i.name === item.name)?.params ?? []) {
    const id = `param-${index}-${p.name}`;
    const value = paramValue(item, p);
    const label = el('label', p.title);
    label.htmlFor = id;
    const input = el('input');
    input.id = id;
    input.dataset.key = `${index}:${p.name}`;
    input.type = wideRange(p) ? 'number' : 'range';
    input.min = String(p.min);
    input.max = String(p.max);
    input.step = p.step > 0 ? String(p.step) : 'any';
    input.value = String(value);
    const row = el('div', '', 'param');
    if (input.type === 'range') {
      const out = el('output', String(value));
      out.htmlFor.add(id);
      label.append(' ', out);
      // The number follows the thumb at once; Go gets the value when it rests.
      input.addEventListener('input', () => (out.value = input.value));
    }
    row.append(label, input);
    if (input.type === 'range') {
      input.addEventListener('change', () => actions.setParam(index, p.name, Number(input.value)));
    } else {
      // A number box says its range below it, and there why a value is refused.
      const help = el('p', `${p.min}–${p.max}`, 'help');
      help.id = `${id}-help`;
      help.dataset.help = help.textContent ?? '';
      input.setAttribute('aria-describedby', help.id);
      // Applied on Enter and on leaving the box.
      onCommit(input, () =>
        // Letters in a number box read as "": NaN is refused, not taken as 0.
        actions.setParam(index, p.name, input.validity.badInput || input.value.trim() === '' ? NaN : Number(input.value), { input, help }),
      );
      row.append(help);
    }
    li.append(row);
  }
  return li;
}
