// Finding the page's elements, loudly: a missing one is a bug in index.html.

/** must returns the element with id, checked to be of type. */
export function must<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html is missing #${id}`);
  return el;
}

/** el makes an element with text and classes. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (className) e.className = className;
  return e;
}

/**
 * setProblem shows in a field's help line why its value was refused, and
 * marks the field; with text '' it puts back the usual help (data-help). The
 * line is always there, so neither moves a control.
 */
export function setProblem(field: HTMLElement, help: HTMLElement, text: string): void {
  if (text) {
    field.setAttribute('aria-invalid', 'true');
    help.dataset.problem = '';
  } else {
    field.removeAttribute('aria-invalid');
    delete help.dataset.problem;
  }
  const shown = text || (help.dataset.help ?? '');
  if (help.textContent !== shown) help.textContent = shown;
}
