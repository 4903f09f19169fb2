// The share panel: a link per LAN address with copy and QR, a new-link
// button, the port, and the remote viewers.
import { backend, errorText, type AppStats, type Share } from './backend';
import { el, must } from './dom';
import { notify } from './notices';

/** showShare draws the links and the port. */
export function showShare(sh: Share): void {
  const list = must('links', HTMLUListElement);
  list.replaceChildren();
  for (const link of sh.links) {
    const item = el('li', '', 'link');
    const qr = el('img', '', 'qr');
    qr.src = link.qr;
    qr.alt = `QR code for ${link.url}`;
    const url = el('input', '', 'url');
    url.readOnly = true;
    url.value = link.url;
    url.setAttribute('aria-label', 'Viewer link');
    const copy = el('button', 'Copy', 'copy');
    copy.type = 'button';
    copy.addEventListener('click', async () => {
      try {
        await backend().CopyText(link.url);
        copy.textContent = 'Copied';
        setTimeout(() => (copy.textContent = 'Copy'), 1500);
      } catch (err) {
        notify(`Copy failed: ${errorText(err)}`);
      }
    });
    item.append(qr, url, copy);
    list.append(item);
  }
  must('port', HTMLInputElement).value = String(sh.port);
  must('tls', HTMLInputElement).checked = sh.tls;
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
    const kind = v.kind === 'ws' ? '' : ` (${v.kind})`;
    row.append(
      el('td', v.addr + kind),
      el('td', v.fps.toFixed(1)),
      el('td', v.latencyMs > 0 ? `${Math.round(v.latencyMs)} ms` : '–'),
      el('td', String(v.drops)),
    );
    body.append(row);
  }
}

/** setupShare wires the panel; onChange gets the new links after a change. */
export async function setupShare(onChange: (sh: Share) => void): Promise<Share> {
  const api = backend();
  must('new-link', HTMLButtonElement).addEventListener('click', async () => {
    try {
      onChange(await api.NewLink());
      notify('New link made. Viewers on the old link were disconnected.', 'notice');
    } catch (err) {
      notify(`New link failed: ${errorText(err)}`);
    }
  });
  must('port-form', HTMLFormElement).addEventListener('submit', async (e) => {
    e.preventDefault();
    const port = Number(must('port', HTMLInputElement).value);
    try {
      onChange(await api.SetPort(port));
    } catch (err) {
      notify(errorText(err));
      showShare(await api.Share());
    }
  });
  const tls = must('tls', HTMLInputElement);
  tls.addEventListener('change', async () => {
    try {
      onChange(await api.SetTLS(tls.checked));
    } catch (err) {
      notify(`HTTPS: ${errorText(err)}`);
      showShare(await api.Share());
    }
  });
  const sh = await api.Share();
  showShare(sh);
  return sh;
}
