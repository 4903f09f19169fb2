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

/**
 * onCommit calls commit when a person is done with a field: on Enter, and on
 * leaving it (or stepping it) with a changed value. Enter is heard here, not
 * left to the engine: WebKitGTK sends no change event on Enter in a number
 * box with a datalist (the fps box), nor submits a form on a synthetic one.
 * A value is committed once: Enter, then leaving the field, commits it once.
 * commit is told which it was.
 */
export function onCommit(input: HTMLInputElement, commit: (how: 'enter' | 'change') => void): void {
  /** The value last committed, or found on entering the field. */
  let committed: string | null = null;
  input.addEventListener('focus', () => (committed = input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing) return;
    // A form would submit by itself too: once is enough.
    e.preventDefault();
    committed = input.value;
    commit('enter');
  });
  input.addEventListener('change', () => {
    if (input.value === committed) return;
    committed = input.value;
    commit('change');
  });
}
