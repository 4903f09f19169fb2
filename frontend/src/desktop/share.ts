// The share panel: the selected camera's link per LAN address with copy and
// QR, the link to all cameras on one page while several run, "Replace my
// link" (the operator's own token; customer links are links.ts's), the
// port, and the selected camera's remote viewers.
import { backend, errorText, type AppStats, type Share } from './backend';
import { el, must, onCommit, setProblem } from './dom';
import { linkParts, numberProblem } from './format';
import { notify, resolve } from './notices';

/**
 * fillLink shows url in target: host and port whole, the token shortened in
 * the middle; the whole link on hover. Copy takes the whole link, not this.
 */
export function fillLink(target: HTMLElement, url: string): void {
  if (target.dataset.url === url) return;
  const { scheme, host, rest } = linkParts(url);
  // A narrow column wraps between the parts, never inside host:port if it fits a line.
  const wbr = () => document.createElement('wbr');
  target.replaceChildren(el('span', scheme, 'scheme'), wbr(), el('span', host, 'host'), wbr(), el('span', rest, 'token'));
  target.title = url;
  target.dataset.url = url;
}

/** wireCopy makes button put url() on the clipboard, saying "Copied" for a moment. */
export function wireCopy(button: HTMLButtonElement, url: () => string): void {
  button.addEventListener('click', async () => {
    const text = url();
    if (!text) return;
    try {
      await backend().CopyText(text);
      resolve('copy');
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy'), 1500);
    } catch (err) {
      notify(`Copy failed: ${errorText(err)}`, 'error', 'copy');
    }
  });
}

/** showShare draws the selected camera's links, those of all cameras, and the port, and enables the panel. */
export function showShare(sh: Share): void {
  fillLinks(must('links', HTMLUListElement), sh.links, 'the viewer link');
  const grid = sh.grid ?? [];
  fillLinks(must('grid-links', HTMLUListElement), grid, 'the link to all cameras');
  must('grid-share', HTMLElement).hidden = grid.length === 0;
  must('share-camera', HTMLElement).textContent = sh.camera;
  const port = must('port', HTMLInputElement);
  port.value = String(sh.port);
  setProblem(port, must('port-help', HTMLElement), '');
  must('tls', HTMLInputElement).checked = sh.tls;
  must('share-fields', HTMLFieldSetElement).disabled = false;
}

/** fillLinks draws links in list, each with its QR code and a Copy button. */
function fillLinks(list: HTMLUListElement, links: Share['links'], what: string): void {
  list.replaceChildren();
  for (const link of links) {
    const item = el('li', '', 'link');
    const qr = el('img', '', 'qr');
    qr.src = link.qr;
    qr.alt = `QR code for ${link.url}`;
    const url = el('span', '', 'url');
    fillLink(url, link.url);
    const copy = el('button', 'Copy', 'copy');
    copy.type = 'button';
    copy.setAttribute('aria-label', `Copy ${what} ${link.url}`);
    wireCopy(copy, () => link.url);
    item.append(qr, url, copy);
    list.append(item);
  }
}

/** showViewers fills the remote viewer table. */
export function showViewers(st: AppStats): void {
  const body = must('viewers', HTMLTableSectionElement);
  body.replaceChildren();
  if (st.viewers.length === 0) {
    const row = el('tr');
    const cell = el('td', 'Nobody is watching yet', 'empty');
    cell.colSpan = 4;
    row.append(cell);
    body.append(row);
    return;
  }
  for (const v of st.viewers) {
    const row = el('tr');
    const addr = el('td');
    // "host:port": a narrow column breaks before the port, not inside the host.
    const colon = v.addr.lastIndexOf(':');
    if (colon > 0) addr.append(el('span', v.addr.slice(0, colon)), document.createElement('wbr'), el('span', v.addr.slice(colon)));
    else addr.append(el('span', v.addr));
    if (v.kind !== 'ws') addr.append(' ', el('span', `(${v.kind})`, 'kind'));
    addr.title = v.addr;
    row.append(
      addr,
      el('td', v.fps.toFixed(1), 'num'),
      el('td', v.latencyMs > 0 ? `${Math.round(v.latencyMs)} ms` : '–', 'num'),
      el('td', String(v.drops), 'num'),
    );
    body.append(row);
  }
}

/**
 * movedText tells the operator how many remote viewers a port or HTTPS change
 * disconnected; '' for none. Their pages say the stream moved.
 */
export function movedText(moved: number | undefined): string {
  if (!moved || moved < 1) return '';
  const who = moved === 1 ? '1 remote viewer was' : `${moved} remote viewers were`;
  return `${who} disconnected: send them the new link.`;
}

/**
 * tellMoved shows movedText as a plain notice: the outcome of the operator's
 * own click, in its own place, so no warning about frames replaces it.
 */
function tellMoved(sh: Share): void {
  const text = movedText(sh.moved);
  if (text) notify(text, 'notice');
}

/** setupShare wires the panel; onChange gets the new links after a change. */
export async function setupShare(onChange: (sh: Share) => void): Promise<Share> {
  const api = backend();
  must('new-link', HTMLButtonElement).addEventListener('click', async () => {
    try {
      onChange(await api.NewLink());
      resolve('link');
      notify('Your link was replaced. Viewers on your old link were disconnected; customer links keep working.', 'notice');
    } catch (err) {
      notify(`Replace my link failed: ${errorText(err)}`, 'error', 'link');
    }
  });
  const portForm = must('port-form', HTMLFormElement);
  const box = must('port', HTMLInputElement);
  const help = must('port-help', HTMLElement);
  /** moving is the port on its way to Go, so Enter and leaving move it once. */
  let moving: number | null = null;
  portForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    // Refused beside the field, here as Go would: the port in force stays.
    const problem = box.validity.badInput ? 'Type a number from 1 to 65535' : numberProblem(box.value, 1, 65535, true);
    setProblem(box, help, problem);
    const port = Number(box.value);
    if (problem || port === moving) return;
    moving = port;
    try {
      const sh = await api.SetPort(port);
      onChange(sh);
      resolve('port');
      tellMoved(sh);
    } catch (err) {
      // Go's reason ("port 8188 is in use by another program") beside the
      // field, with the number that was refused left in it to fix.
      const sh = await api.Share();
      showShare(sh);
      box.value = String(port);
      setProblem(box, help, errorText(err));
    } finally {
      moving = null;
    }
  });
  box.addEventListener('input', () => setProblem(box, help, ''));
  onCommit(box, () => portForm.requestSubmit());
  const tls = must('tls', HTMLInputElement);
  tls.addEventListener('change', async () => {
    try {
      const sh = await api.SetTLS(tls.checked);
      onChange(sh);
      resolve('tls');
      tellMoved(sh);
    } catch (err) {
      notify(`HTTPS: ${errorText(err)}`, 'error', 'tls');
      showShare(await api.Share());
    }
  });
  const sh = await api.Share();
  showShare(sh);
  return sh;
}
