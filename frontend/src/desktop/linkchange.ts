// A customer link's Change… form, inline in its row (links.ts) as Revoke's
// confirmation is: filled with what the link is as it opens, its expiry
// kept unless another is chosen. Save asks Go for only what the operator
// changed, and the link keeps its token: the customer keeps the link they
// have. Go's refusal is shown in the form, and nothing is changed.
import { backend, errorText } from './backend';
import { el, must, setProblem } from './dom';
import { KEEP, keepText, linkChange, linkForm, type CustomerLink, type LinkForm } from './linktext';

/** ChangeForm is a row's Change… form. */
export interface ChangeForm {
  form: HTMLFormElement;
  /** open fills the form with link as it is now, the cameras to pick from, and shows it with its name focused. */
  open(link: CustomerLink, cameras: readonly string[]): void;
  /** close hides the form, its problem forgotten; closed is told (it gives the focus back). */
  close(): void;
  /** name says which link the form changes, in its labels (as text). */
  name(name: string): void;
}

/** HELP is the form's help line while nothing is wrong. */
const HELP = 'The customer keeps the link they have';

/**
 * newChangeForm makes the Change… form of the row numbered id: current is
 * the row's link now, saved is told the link as Go changed it, closed that
 * the form was closed.
 */
export function newChangeForm(
  id: string,
  current: () => CustomerLink,
  saved: (link: CustomerLink) => void,
  closed: () => void,
): ChangeForm {
  const form = el('form', '', 'cl-change');
  form.id = `${id}-change`;
  form.noValidate = true;
  form.hidden = true;

  const nameLabel = el('label', 'Name');
  nameLabel.htmlFor = `${id}-c-name`;
  const name = el('input');
  name.id = `${id}-c-name`;
  name.type = 'text';
  name.spellcheck = false;
  name.autocomplete = 'off';
  name.setAttribute('aria-describedby', `${id}-c-help`);

  const cameras = el('fieldset', '', 'cl-cameras');
  const radio = (value: string, text: string): [HTMLLabelElement, HTMLInputElement] => {
    const label = el('label', '', 'check');
    const input = el('input');
    input.type = 'radio';
    input.name = `${id}-which`;
    input.value = value;
    label.append(input, ` ${text}`);
    return [label, input];
  };
  const [allLabel, all] = radio('all', 'All cameras');
  const [someLabel, some] = radio('some', 'These:');
  const picks = el('div', '', 'cl-picks');
  picks.setAttribute('role', 'group');
  picks.addEventListener('change', () => (some.checked = true));
  cameras.append(el('legend', 'Cameras'), allLabel, someLabel, picks);

  const expires = el('select');
  expires.id = `${id}-c-expires`;
  const keep = el('option');
  keep.value = KEEP;
  // The same choices as the New link form's, after keeping it as it is.
  const choices = [...must('cl-expires', HTMLSelectElement).options].map((o) => new Option(o.text, o.value));
  expires.append(keep, ...choices);
  const cap = el('input');
  cap.id = `${id}-c-cap`;
  cap.type = 'number';
  cap.min = '1';
  cap.max = '10000';
  cap.step = '1';
  cap.placeholder = 'No cap';
  const field = (label: string, input: HTMLElement) => {
    const f = el('div', '', 'field');
    const l = el('label', label);
    l.htmlFor = input.id;
    f.append(l, input);
    return f;
  };
  const row = el('div', '', 'row top');
  row.append(field('Expires', expires), field('Viewers at once', cap));

  const recLabel = el('label', '', 'check');
  const recordings = el('input');
  recordings.type = 'checkbox';
  recLabel.append(recordings, ' May watch the recordings');

  const help = el('p', HELP, 'help');
  help.id = `${id}-c-help`;
  help.dataset.help = HELP;
  const buttons = el('div', '', 'row');
  const save = el('button', 'Save');
  save.type = 'submit';
  const cancel = el('button', 'Cancel');
  cancel.type = 'button';
  buttons.append(save, cancel);
  form.append(nameLabel, name, cameras, row, recLabel, help, buttons);

  /** was is the link as the form was opened: what the operator changed is what differs from it. */
  let was: CustomerLink | undefined;
  /** busy: Go is asked, and another Save waits for its answer. */
  let busy = false;

  const read = (): LinkForm => ({
    name: name.value,
    all: all.checked,
    picked: [...picks.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value),
    expiresIn: expires.value,
    // A box that holds no number says so (badInput), rather than "no cap".
    cap: cap.validity.badInput ? 'x' : cap.value,
    recordings: recordings.checked,
  });

  const close = () => {
    if (form.hidden) return;
    form.hidden = true;
    setProblem(name, help, '');
    closed();
  };

  const submit = async () => {
    if (busy) return;
    const asked = linkChange(was ?? current(), read());
    if ('problem' in asked) {
      setProblem(name, help, asked.problem);
      return;
    }
    if (Object.keys(asked.change).length === 0) {
      close();
      return;
    }
    busy = true;
    try {
      const link = await backend().ChangeLink(current().name, asked.change);
      saved(link);
      close();
    } catch (err) {
      setProblem(name, help, errorText(err));
    } finally {
      busy = false;
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  // Enter saves from any field, heard here: WebKitGTK submits no form on a
  // synthetic Enter, and a select or a box does not submit at all.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) {
      e.preventDefault();
      void submit();
    }
  });
  cancel.addEventListener('click', close);
  name.addEventListener('input', () => setProblem(name, help, ''));

  return {
    form,
    open(link, names) {
      was = link;
      const f = linkForm(link);
      name.value = f.name;
      all.checked = f.all;
      some.checked = !f.all;
      // The cameras running, and those the link opens that do not run now.
      const offered = [...new Set([...names, ...link.streams])];
      picks.replaceChildren(
        ...offered.map((c) => {
          const label = el('label', '', 'check');
          const input = el('input');
          input.type = 'checkbox';
          input.value = c;
          input.checked = f.picked.includes(c);
          label.append(input, ` ${c}`);
          return label;
        }),
      );
      keep.text = keepText(link, Date.now());
      expires.value = KEEP;
      cap.value = f.cap;
      recordings.checked = f.recordings;
      setProblem(name, help, '');
      form.hidden = false;
      name.focus();
      name.select();
    },
    close,
    name(n) {
      const who = `${n}'s link`;
      form.setAttribute('aria-label', `Change ${who}`);
      picks.setAttribute('aria-label', `Cameras ${who} opens`);
      save.setAttribute('aria-label', `Save the change of ${who}`);
      cancel.setAttribute('aria-label', `Cancel the change of ${who}`);
    },
  };
}
