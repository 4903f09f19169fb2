// "Share over the internet" in the share panel: where to push (relay,
// stream name, publish token), on/off, the connection's state, the public
// link with copy and QR, and the frames sent. Changes go to Go through
// SetPush; a refusal shows Go's reason and the state really in force, and
// keeps what the person typed so they can fix it. Switching on with fields
// Go would refuse sends nothing: the switch stays on and the hints say what
// to fill in, until the fields are right or the switch is turned off.
import { Events, backend, errorText, onEvent, type PushInfo } from './backend';
import { must, onCommit } from './dom';
import { notify, resolve } from './notices';
import { pushHints, pushPayload, pushView, sentText, type PushField, type PushForm, type PushHints } from './pushform';
import { fillLink, wireCopy } from './share';

const fields: Record<PushField, string> = { relay: 'push-relay', stream: 'push-stream', publishToken: 'push-token' };
const input = (f: PushField) => must(fields[f], HTMLInputElement);
const toggle = () => must('push-enabled', HTMLInputElement);

// Module state, owned by this file and changed only on the UI thread.
/** inForce is Go's last word on the push. */
let inForce: PushInfo | null = null;
/** generation numbers SetPush calls: only the newest answer is shown, and status events wait for it. */
let generation = 0;
let pending = false;

function readForm(): PushForm {
  return { relay: input('relay').value, stream: input('stream').value, publishToken: input('publishToken').value };
}

function fillForm(info: PushInfo): void {
  for (const f of Object.keys(fields) as PushField[]) {
    // The field being typed in keeps what is typed: an answer to leaving
    // the one before must not take it away.
    if (input(f) !== document.activeElement) input(f).value = info[f];
  }
}

/** showHints marks the fields in hints, clears the others, and returns the first one marked. */
function showHints(hints: PushHints): HTMLInputElement | null {
  let first: HTMLInputElement | null = null;
  for (const f of Object.keys(fields) as PushField[]) {
    const hint = must(`${fields[f]}-hint`, HTMLElement);
    const text = hints[f] ?? '';
    hint.textContent = text;
    hint.hidden = text === '';
    if (text) {
      input(f).setAttribute('aria-invalid', 'true');
      first ??= input(f);
    } else {
      input(f).removeAttribute('aria-invalid');
    }
  }
  return first;
}

function setText(node: HTMLElement, text: string): void {
  // The indicator is a live region: only a real change should be read out.
  if (node.textContent !== text) node.textContent = text;
}

/** show puts a push state into the section; the fields are left to fillForm. */
function show(info: PushInfo): void {
  inForce = info;
  // While hints stand, the switch shows the person's attempt, not Go's state.
  const attempt = (Object.keys(fields) as PushField[]).some((f) => input(f).hasAttribute('aria-invalid'));
  if (!attempt) toggle().checked = info.enabled;
  const view = pushView(info);
  const status = must('push-status', HTMLElement);
  status.dataset.tone = view.tone;
  setText(must('push-state', HTMLElement), view.label);
  setText(must('push-error', HTMLElement), view.detail);

  const url = info.viewerUrl ?? '';
  must('push-link', HTMLElement).hidden = url === '';
  fillLink(must('push-url', HTMLElement), url);
  const qr = must('push-qr', HTMLImageElement);
  const src = url && info.qr ? info.qr : '';
  if (qr.getAttribute('src') !== src) {
    if (src) qr.src = src;
    else qr.removeAttribute('src');
  }
  qr.hidden = src === '';
  qr.alt = url ? `QR code for ${url}` : '';

  const sent = must('push-sent', HTMLElement);
  sent.hidden = info.state === 'stopped' && !(info.sent > 0);
  setText(sent, sentText(info.sent));
}

/**
 * apply sends the form to Go with the push on or off. focus takes the person
 * to the first field to fix; not when they are just leaving a field.
 */
async function apply(enabled: boolean, focus = true): Promise<void> {
  const form = readForm();
  if (enabled) {
    const bad = showHints(pushHints(form));
    if (bad) {
      // Nothing was sent; the switch stays as asked, and the status line
      // says what is in force.
      if (focus) bad.focus();
      return;
    }
  }
  showHints({});
  const gen = ++generation;
  pending = true;
  const api = backend();
  try {
    const info = await api.SetPush(pushPayload(form, enabled));
    resolve('push');
    if (gen !== generation) return;
    fillForm(info);
    show(info);
  } catch (err) {
    notify(errorText(err), 'error', 'push');
    if (gen !== generation) return;
    await showInForce();
  } finally {
    if (gen === generation) pending = false;
  }
}

async function showInForce(): Promise<void> {
  try {
    show(await backend().Push());
  } catch (err) {
    notify(`Reading the push state failed: ${errorText(err)}`, 'error', 'push');
  }
}

/** refreshPush shows the push state in force, e.g. after New link changed the public link. */
export async function refreshPush(): Promise<void> {
  // A change on its way to Go brings its own answer.
  if (!pending) await showInForce();
}

/**
 * reloadPush shows the push of the camera selected now, its form filled
 * anew: each camera pushes under its own name.
 */
export async function reloadPush(): Promise<void> {
  try {
    const info = await backend().Push();
    showHints({});
    for (const f of Object.keys(fields) as PushField[]) input(f).value = info[f];
    show(info);
    must('push', HTMLDetailsElement).open = info.enabled;
  } catch (err) {
    notify(`Reading the push state failed: ${errorText(err)}`, 'error', 'push');
  }
}

/** setupPush wires the section and shows the push in force; it reports a failure itself and never throws. */
export async function setupPush(): Promise<void> {
  const form = must('push-form', HTMLFormElement);
  toggle().addEventListener('change', () => {
    // Off while Go has the push off already: there is nothing to stop, only
    // the hints of the attempt to switch on to take away.
    if (!toggle().checked && !inForce?.enabled) showHints({});
    else void apply(toggle().checked);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void apply(toggle().checked);
  });
  // A shown hint follows the typing, so it goes away once the field is right.
  for (const f of Object.keys(fields) as PushField[]) {
    // Enter applies the form, as its Apply button does; leaving a changed
    // field applies it too.
    onCommit(input(f), (how) => {
      if (how === 'enter') form.requestSubmit();
      else void apply(toggle().checked, false);
    });
    input(f).addEventListener('input', () => {
      if (input(f).hasAttribute('aria-invalid')) {
        const hints = pushHints(readForm());
        const shown = (Object.keys(fields) as PushField[]).filter((g) => input(g).hasAttribute('aria-invalid'));
        showHints(Object.fromEntries(shown.map((g) => [g, hints[g]])));
      }
    });
  }
  const reveal = must('push-token-show', HTMLButtonElement);
  reveal.addEventListener('click', () => {
    const on = input('publishToken').type === 'password';
    input('publishToken').type = on ? 'text' : 'password';
    reveal.textContent = on ? 'Hide' : 'Show';
    reveal.setAttribute('aria-label', on ? 'Hide publish token' : 'Show publish token');
  });
  wireCopy(must('push-copy', HTMLButtonElement), () => inForce?.viewerUrl ?? '');
  onEvent(Events.pushStatus, (info) => {
    // Go's answer to a change on its way has the last word, not a status sent before it.
    if (!pending) show(info);
  });
  try {
    const info = await backend().Push();
    fillForm(info);
    show(info);
    must('push-fields', HTMLFieldSetElement).disabled = false;
    if (info.enabled) must('push', HTMLDetailsElement).open = true;
  } catch (err) {
    notify(`Share over the internet is unavailable: ${errorText(err)}`, 'error', 'push');
  }
}
