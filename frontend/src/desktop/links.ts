// "Customer links" in the share panel: a row per customer's link (its
// name, who watches now, when it was last used, when it expires, what it
// opens) with Copy, its QR code, its audit, Change (a form in the row,
// linkchange.ts) and Revoke (confirmed in the row), and a form for a new
// one. While the fold is open the list is asked
// for every two seconds, and the rows are updated in place, so a QR code,
// an audit or a confirmation open in one stays open. Names are the
// operator's typing, shown as text only.
import { Events, backend, errorText, onEvent, type Camera } from './backend';
import { el, must, setProblem } from './dom';
import { newChangeForm, type ChangeForm } from './linkchange';
import { auditLine } from './linkaudit';
import { expiryText, lastSeenText, linkSpec, streamsText, viewersText, type CustomerLink } from './linktext';
import { notify, resolve } from './notices';
import { fillLink, wireCopy } from './share';

/** POLL_MS is how often the list is asked for while the fold is open: viewers come and go. */
const POLL_MS = 2000;

/** Row is one link's row and the parts of it that change. */
interface Row {
  link: CustomerLink;
  li: HTMLLIElement;
  viewers: HTMLElement;
  lastSeen: HTMLElement;
  expiry: HTMLElement;
  streams: HTMLElement;
  qr: HTMLImageElement;
  qrButton: HTMLButtonElement;
  auditButton: HTMLButtonElement;
  changeButton: HTMLButtonElement;
  change: ChangeForm;
  revoke: HTMLButtonElement;
  confirm: HTMLElement;
  audit: HTMLElement;
  log: HTMLOListElement;
  more: HTMLButtonElement;
  /** next is the audit's cursor for Load more; 0: no more. */
  next: number;
  /** paged: more than the first page is shown, so a poll leaves the audit be. */
  paged: boolean;
  /** named shows name in the row and in its buttons' labels (after a rename too). */
  named: (name: string) => void;
}

// Module state, owned by this file and changed only on the UI thread.
const rows = new Map<string, Row>();
let timer: number | undefined;
/** ids numbers the rows' parts for aria-controls. */
let ids = 0;
/** cameras are the cameras running, by name, as the form's boxes list them. */
let cameras: string[] = [];
/**
 * changes counts the changes made here (a change, a revocation): a list
 * asked for before one is older than the rows, and is not shown.
 */
let changes = 0;

/** setupCustomerLinks wires the fold and the form; the list is asked for when the fold opens. */
export function setupCustomerLinks(): void {
  const fold = must('customers', HTMLDetailsElement);
  fold.addEventListener('toggle', () => {
    window.clearInterval(timer);
    timer = undefined;
    if (!fold.open) return;
    void refresh();
    void fillPicks();
    timer = window.setInterval(() => void refresh(), POLL_MS);
  });
  onEvent(Events.cameras, (cams) => showPicks(cams));
  const form = must('customer-form', HTMLFormElement);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void make();
  });
  const name = must('cl-name', HTMLInputElement);
  name.addEventListener('input', () => setProblem(name, must('cl-help', HTMLElement), ''));
  must('cl-picks', HTMLElement).addEventListener('change', () => (must('cl-some', HTMLInputElement).checked = true));
  const made = must('cl-made-copy', HTMLButtonElement);
  wireCopy(made, () => must('cl-made-url', HTMLElement).dataset.url ?? '');
}

/** refresh asks Go for the links and shows them. */
async function refresh(): Promise<void> {
  const before = changes;
  try {
    const list = await backend().CustomerLinks();
    if (before !== changes) return; // the refresh after the change shows it
    showLinks(list, Date.now());
    resolve('customer-links');
  } catch (err) {
    notify(`Customer links: ${errorText(err)}`, 'error', 'customer-links');
  }
}

/** fillPicks lists the cameras a new link may open. */
async function fillPicks(): Promise<void> {
  try {
    showPicks(await backend().Cameras());
  } catch (err) {
    notify(`Cameras: ${errorText(err)}`, 'error', 'customer-links');
  }
}

/** showPicks puts a box per camera in the form, keeping those ticked. */
function showPicks(cams: Camera[]): void {
  cameras = cams.map((c) => c.name);
  const box = must('cl-picks', HTMLElement);
  const ticked = new Set([...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value));
  box.replaceChildren(
    ...cams.map((c) => {
      const label = el('label', '', 'check');
      const input = el('input');
      input.type = 'checkbox';
      input.value = c.name;
      input.checked = ticked.has(c.name);
      label.append(input, ` ${c.name}`);
      return label;
    }),
  );
}

/** make asks Go for a new link from the form, and shows it ready to copy. */
async function make(): Promise<void> {
  const name = must('cl-name', HTMLInputElement);
  const help = must('cl-help', HTMLElement);
  const cap = must('cl-cap', HTMLInputElement);
  const asked = linkSpec({
    name: name.value,
    all: must('cl-all', HTMLInputElement).checked,
    picked: [...must('cl-picks', HTMLElement).querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value),
    expiresIn: must('cl-expires', HTMLSelectElement).value,
    // A box that holds no number says so (badInput), rather than "no cap".
    cap: cap.validity.badInput ? 'x' : cap.value,
    recordings: must('cl-recordings', HTMLInputElement).checked,
  });
  if ('problem' in asked) {
    setProblem(name, help, asked.problem);
    return;
  }
  try {
    const link = await backend().NewCustomerLink(asked.spec);
    setProblem(name, help, '');
    name.value = '';
    cap.value = '';
    showMade(link);
    await refresh();
  } catch (err) {
    setProblem(name, help, errorText(err));
  }
}

/** showMade shows the new link under the form: its address, QR code and Copy, which gets the focus. */
function showMade(link: CustomerLink): void {
  const made = must('cl-made', HTMLElement);
  fillLink(must('cl-made-url', HTMLElement), link.url);
  const qr = must('cl-made-qr', HTMLImageElement);
  qr.src = link.qr;
  qr.alt = `QR code of ${link.name}'s link`;
  const copy = must('cl-made-copy', HTMLButtonElement);
  copy.setAttribute('aria-label', `Copy ${link.name}'s new link`);
  made.hidden = false;
  copy.focus();
}

/** showLinks brings the rows in line with list, in its order, updating those already shown. */
export function showLinks(list: CustomerLink[], now: number): void {
  const ul = must('customer-links', HTMLUListElement);
  const names = new Set(list.map((l) => l.name));
  for (const [name, row] of rows) {
    if (!names.has(name)) {
      row.li.remove();
      rows.delete(name);
    }
  }
  list.forEach((link, i) => {
    let row = rows.get(link.name);
    if (!row) {
      row = newRow(link);
      rows.set(link.name, row);
    }
    fillRow(row, link, now);
    // Moved only when out of place: moving a row would take the focus from it.
    if (ul.children[i] !== row.li) ul.insertBefore(row.li, ul.children[i] ?? null);
  });
  must('customer-empty', HTMLElement).hidden = list.length > 0;
}

/** button makes a button with text and, for screen readers, a label that says which link it acts on. */
function button(text: string, label: string, className = ''): HTMLButtonElement {
  const b = el('button', text, className);
  b.type = 'button';
  b.setAttribute('aria-label', label);
  return b;
}

/** newRow makes the row of link. */
function newRow(link: CustomerLink): Row {
  const id = `cl-${++ids}`;
  const li = el('li', '', 'customer');
  const head = el('div', '', 'cl-head');
  const name = el('span', '', 'cl-name');
  const viewers = el('span', '', 'cl-viewers');
  head.append(name, viewers);
  const meta = el('p', '', 'cl-meta');
  const lastSeen = el('span');
  const expiry = el('span', '', 'cl-expiry');
  const streams = el('span');
  meta.append(lastSeen, ' · ', expiry, ' · ', streams);

  const actions = el('div', '', 'row cl-actions');
  const copy = button('Copy', '', 'copy');
  const qrButton = button('QR', '');
  const auditButton = button('Audit', '');
  const changeButton = button('Change…', '');
  const revoke = button('Revoke…', '', 'danger');
  for (const [b, part] of [[qrButton, 'qr'], [auditButton, 'audit'], [changeButton, 'change']] as const) {
    b.setAttribute('aria-expanded', 'false');
    b.setAttribute('aria-controls', `${id}-${part}`);
  }
  actions.append(copy, qrButton, auditButton, changeButton, revoke);

  const confirm = el('div', '', 'cl-confirm');
  confirm.hidden = true;
  confirm.setAttribute('role', 'group');
  const question = el('span');
  const yes = button('Revoke', '', 'danger');
  const no = button('Keep', '');
  confirm.append(question, yes, no);

  const qr = el('img', '', 'qr cl-qr');
  qr.id = `${id}-qr`;
  qr.hidden = true;

  const audit = el('div', '', 'cl-audit');
  audit.id = `${id}-audit`;
  audit.hidden = true;
  // A list, not a table: six columns do not fit the side column.
  const log = el('ol', '', 'cl-log');
  const more = button('Load more', '');
  more.hidden = true;
  audit.append(log, more);

  const change = newChangeForm(
    id,
    () => row.link,
    (changed) => {
      changes++;
      if (changed.name !== row.link.name && rows.get(row.link.name) === row) {
        rows.delete(row.link.name);
        rows.set(changed.name, row);
      }
      fillRow(row, changed, Date.now());
      void refresh();
    },
    () => {
      changeButton.setAttribute('aria-expanded', 'false');
      changeButton.focus();
    },
  );

  li.append(head, meta, actions, confirm, change.form, qr, audit);
  // Every text that names the link, set again on a rename; as text only.
  const named = (n: string) => {
    const who = `${n}'s link`;
    name.textContent = n;
    copy.setAttribute('aria-label', `Copy ${who}`);
    qrButton.setAttribute('aria-label', `QR code of ${who}`);
    auditButton.setAttribute('aria-label', `Audit of ${who}: its connections`);
    changeButton.setAttribute('aria-label', `Change ${who}`);
    revoke.setAttribute('aria-label', `Revoke ${who}`);
    confirm.setAttribute('aria-label', `Revoke ${who}?`);
    question.textContent = `Revoke “${n}”? Its viewers are disconnected at once, and the link stops working.`;
    yes.setAttribute('aria-label', `Yes, revoke ${who}`);
    no.setAttribute('aria-label', `No, keep ${who}`);
    qr.alt = `QR code of ${who}`;
    log.setAttribute('aria-label', `Connections made with ${who}, newest first`);
    more.setAttribute('aria-label', `Load older connections of ${who}`);
    change.name(n);
  };
  named(link.name);
  const row: Row = {
    link, li, viewers, lastSeen, expiry, streams, qr, qrButton, auditButton, changeButton, change, revoke, confirm, audit, log, more,
    next: 0, paged: false, named,
  };

  wireCopy(copy, () => row.link.url);
  qrButton.addEventListener('click', () => {
    qr.hidden = !qr.hidden;
    qrButton.setAttribute('aria-expanded', String(!qr.hidden));
  });
  auditButton.addEventListener('click', () => {
    audit.hidden = !audit.hidden;
    auditButton.setAttribute('aria-expanded', String(!audit.hidden));
    if (!audit.hidden) void loadAudit(row, 0);
  });
  more.addEventListener('click', () => void loadAudit(row, row.next));
  changeButton.addEventListener('click', () => {
    if (!change.form.hidden) {
      change.close();
      return;
    }
    confirm.hidden = true;
    changeButton.setAttribute('aria-expanded', 'true');
    change.open(row.link, cameras);
  });
  revoke.addEventListener('click', () => {
    change.close();
    confirm.hidden = false;
    yes.focus();
  });
  const cancel = () => {
    confirm.hidden = true;
    revoke.focus();
  };
  no.addEventListener('click', cancel);
  confirm.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await backend().RevokeLink(row.link.name);
      changes++;
      resolve('customer-links');
      notify(`“${row.link.name}” was revoked: its viewers were disconnected.`, 'notice');
    } catch (err) {
      notify(`Revoke failed: ${errorText(err)}`, 'error', 'customer-links');
    } finally {
      yes.disabled = false;
    }
    await refresh();
  });
  return row;
}

/** setText changes node's text only when it differs, so nothing is read out again for nothing. */
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** fillRow shows link's state now in its row. */
function fillRow(row: Row, link: CustomerLink, now: number): void {
  if (link.name !== row.link.name) row.named(link.name);
  row.link = link;
  setText(row.viewers, viewersText(link));
  row.viewers.dataset.live = String(link.viewers > 0);
  setText(row.lastSeen, `last seen ${lastSeenText(link, now)}`);
  const expiry = expiryText(link, now);
  setText(row.expiry, expiry);
  row.li.dataset.expired = String(expiry === 'expired');
  setText(row.streams, streamsText(link.streams));
  row.li.title = link.url;
  if (row.qr.getAttribute('src') !== link.qr) row.qr.src = link.qr;
  if (!row.audit.hidden && !row.paged) void loadAudit(row, 0);
}

/** loadAudit shows the audit's first page (before 0: the connections open now, then the newest ended), or the page older than before under those shown. */
async function loadAudit(row: Row, before: number): Promise<void> {
  const name = row.link.name;
  try {
    const page = await backend().LinkAudit(name, before);
    if (rows.get(name) !== row) return; // revoked meanwhile
    const now = Date.now();
    const records = [...(page.open ?? []), ...page.records];
    const lines = records.map((r) => auditLine(r, now));
    if (before === 0) {
      if (lines.length === 0) lines.push(el('li', 'No connections yet', 'empty'));
      row.log.replaceChildren(...lines);
    } else {
      row.log.append(...lines);
    }
    row.paged = before !== 0;
    row.next = page.next ?? 0;
    row.more.hidden = row.next === 0;
  } catch (err) {
    notify(`Audit of “${name}”: ${errorText(err)}`, 'error', 'customer-links');
  }
}
