// The external producer panel of the camera panel: while the selected
// camera's source is "ingest", where a producer (framecast's Python
// package, or any program speaking the relay's producer protocol) connects:
// the producer URL of each address, the publish token and a Python
// snippet, each with Copy, the token hidden in all three until Show; and
// whether a producer is sending, from the stream's state the window
// already has.
import { backend, errorText, type AppStats, type IngestInfo } from './backend';
import { el, must } from './dom';
import { linkParts } from './format';
import { INGEST, hideToken, ingestView, snippetOf } from './ingesttext';
import { notify, resolve } from './notices';
import { fillLink, wireCopy } from './share';

const panel = () => must('ingest', HTMLElement);
const tokenBox = () => must('ingest-token', HTMLInputElement);
const reveal = () => must('ingest-token-show', HTMLButtonElement);

// Module state, owned by this file and changed only on the UI thread.
/** info is Go's last answer for the selected camera; null while its source is not ingest. */
let info: IngestInfo | null = null;
/** generation numbers IngestInfo calls: only the newest answer is shown. */
let generation = 0;

/**
 * showIngest shows the panel when source is the external producer, reading
 * its URLs and token from Go, and hides it for any other source.
 */
export async function showIngest(source: string): Promise<void> {
  const gen = ++generation;
  if (source !== INGEST) {
    info = null;
    panel().hidden = true;
    return;
  }
  try {
    const got = await backend().IngestInfo();
    resolve('ingest');
    if (gen !== generation) return;
    // Every change of a setting asks again: the same answer leaves the
    // panel be (a Copy button saying "Copied" goes on saying it).
    const same = info !== null && JSON.stringify(info) === JSON.stringify(got);
    info = got;
    if (!same) render();
    panel().hidden = false;
  } catch (err) {
    if (gen === generation) notify(`Reading where the producer connects failed: ${errorText(err)}`, 'error', 'ingest');
  }
}

/** refreshIngest reads the URLs again while the panel shows: a new port, HTTPS or camera name changes them. */
export function refreshIngest(): void {
  if (info !== null) void showIngest(INGEST);
}

/** showIngestState puts the stream's state into the panel's status line. */
export function showIngestState(st: AppStats): void {
  // Stats of a camera just left may still come: they say nothing of this one.
  if (st.source !== INGEST) return;
  const view = ingestView(st.state, st.error);
  const status = must('ingest-status', HTMLElement);
  status.dataset.tone = view.tone;
  setText(must('ingest-state', HTMLElement), view.label);
  setText(must('ingest-detail', HTMLElement), view.detail);
}

function setText(node: HTMLElement, text: string): void {
  // The status line is a live region: only a real change should be read out.
  if (node.textContent !== text) node.textContent = text;
}

/** shown says whether the person asked to see the token. */
const shown = () => tokenBox().type === 'text';

/**
 * render shows Go's last answer: the URLs and the snippet carry the token,
 * so it is hidden in them too unless the person asked to see it. Copy
 * takes Go's text whole, token and all, whatever is shown.
 */
function render(): void {
  if (info === null) return;
  const token = info.publishToken;
  const snippet = snippetOf(info.python);
  const urls = info.urls ?? []; // Go's nil slice is null
  const seen = (text: string) => (shown() ? text : hideToken(text, token));
  const list = must('ingest-urls', HTMLUListElement);
  list.replaceChildren();
  for (const url of urls) {
    const item = el('li', '', 'link');
    const text = el('span', '', 'url');
    fillLink(text, seen(url));
    const copy = el('button', 'Copy', 'copy');
    copy.type = 'button';
    // Named by its host, not the whole URL: a screen reader would read the token out.
    copy.setAttribute('aria-label', `Copy the producer URL of ${linkParts(url).host}`);
    wireCopy(copy, () => url);
    item.append(text, copy);
    list.append(item);
  }
  must('ingest-no-urls', HTMLElement).hidden = urls.length > 0;
  tokenBox().value = token;
  const code = must('ingest-snippet', HTMLElement);
  if (code.textContent !== seen(snippet)) code.textContent = seen(snippet);
}

/** setupIngest wires the panel's buttons; showIngest fills it. */
export function setupIngest(): void {
  reveal().addEventListener('click', () => {
    const on = !shown();
    tokenBox().type = on ? 'text' : 'password';
    reveal().textContent = on ? 'Hide' : 'Show';
    reveal().setAttribute('aria-label', on ? 'Hide publish token' : 'Show publish token');
    reveal().setAttribute('aria-pressed', String(on));
    render();
  });
  wireCopy(must('ingest-token-copy', HTMLButtonElement), () => info?.publishToken ?? '');
  wireCopy(must('ingest-snippet-copy', HTMLButtonElement), () => (info ? snippetOf(info.python) : ''));
}
