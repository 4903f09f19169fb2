// The Processing panel: the chain of processors Go runs on every frame, in
// order, with their costs. Each edit sends the whole chain to Go at once; a
// refusal shows why and puts back the chain really in force.
import { backend, errorText, type AppStats, type ChainItem, type ProcCost, type ProcessorInfo } from './backend';
import { addItem, costAt, costText, moveItem, paramProblem, removeItem, setParam, skippedText, snapParam } from './chain';
import { chainItem } from './chainitem';
import { must, setProblem } from './dom';
import { notify, resolve } from './notices';

// Module state, owned by this file and changed only on the UI thread.
let infos: ProcessorInfo[] = [];
/** chain is what the list shows: Go's answer, or an edit on its way to Go. */
let chain: ChainItem[] = [];
let shown = '';
let costs: ProcCost[] = [];
/** generation numbers SetChain calls, so only the newest answer is shown. */
let generation = 0;
/** skipping follows the skipped-frames counter, for the warning while it climbs. */
let skipping: { base: number; last: number; quiet: number } | null = null;

/**
 * SKIP_QUIET_MS is how long the counter must stand still before the
 * skipped-frames warning goes: stats come a few times a second.
 */
const SKIP_QUIET_MS = 2000;

const list = () => must('chain', HTMLOListElement);

/** show draws the chain, keeping focus on the control that had it (or on one of focusKeys). */
function show(items: ChainItem[], focusKeys: string[] = []): void {
  chain = items;
  const key = JSON.stringify(items);
  // Go mostly answers with the chain just shown: rebuilding it would only
  // disturb a control in use.
  if (key === shown) return;
  shown = key;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
  const ol = list();
  const hadFocus = ol.contains(document.activeElement);
  ol.replaceChildren(...items.map((_, i) => chainItem(infos, items, i, { move, remove, setParam: changeParam })));
  must('chain-empty', HTMLElement).hidden = items.length > 0;
  showCosts();
  const wanted = focusKeys.length > 0 ? focusKeys : hadFocus && focused ? [focused] : [];
  for (const k of wanted) {
    const target = ol.querySelector<HTMLElement>(`[data-key="${CSS.escape(k)}"]`);
    if (target && !(target as HTMLButtonElement).disabled) {
      target.focus();
      return;
    }
  }
  if (focusKeys.length > 0) must('add-processor', HTMLSelectElement).focus();
}

function showCosts(): void {
  for (const span of list().querySelectorAll<HTMLElement>('[data-cost]')) {
    span.textContent = costText(costAt(costs, chain, Number(span.dataset.cost)));
  }
}

/** apply shows next at once and sends it to Go; Go's answer or refusal has the last word. */
async function apply(next: ChainItem[], focusKeys: string[] = []): Promise<void> {
  const gen = ++generation;
  show(next, focusKeys);
  const api = backend();
  try {
    const got = await api.SetChain(next);
    resolve('chain');
    if (gen === generation) show(got ?? []);
  } catch (err) {
    notify(errorText(err), 'error', 'chain');
    if (gen !== generation) return;
    try {
      show((await api.Chain()) ?? []);
    } catch (err2) {
      notify(`Reading the processing chain failed: ${errorText(err2)}`, 'error', 'chain');
    }
  }
}

function move(index: number, delta: number): void {
  const to = index + delta;
  // Focus follows the moved item; at an end its other arrow is the one left.
  void apply(moveItem(chain, index, delta), [`${to}:${delta < 0 ? 'up' : 'down'}`, `${to}:${delta < 0 ? 'down' : 'up'}`]);
}

function remove(index: number): void {
  void apply(removeItem(chain, index), [`${index}:remove`, `${index - 1}:remove`]);
}

function changeParam(index: number, name: string, value: number, box?: { input: HTMLInputElement; help: HTMLElement }): void {
  const p = infos.find((i) => i.name === chain[index]?.name)?.params?.find((q) => q.name === name);
  if (box) {
    // A number box takes what was typed, off the step grid too (800 means
    // 800), but never a value out of range: that is refused beside the box.
    const problem = p ? paramProblem(p, value) : '';
    setProblem(box.input, box.help, problem);
    if (problem) return;
    void apply(setParam(chain, index, name, value));
    return;
  }
  // Sliders stay on the step grid (blur sizes must be odd).
  const snapped = p ? snapParam(p, value) : value;
  // A value that snaps back to the one in force changes no chain, but the
  // slider must still show the snapped value.
  if (snapped !== value) shown = '';
  void apply(setParam(chain, index, name, snapped));
}

/**
 * showChainStats puts each processor's cost from a stats event, and warns
 * while frames are being skipped and Go names a cause: from when the
 * counter climbs until it has stood still for SKIP_QUIET_MS.
 */
export function showChainStats(st: AppStats): void {
  costs = Array.isArray(st.chain) ? st.chain : [];
  showCosts();
  const count = typeof st.skipped === 'number' && st.skipped >= 0 ? st.skipped : null;
  if (count === null || (skipping && count < skipping.last)) {
    // No counter (an older app) or a new one (a restart): nothing is known to be skipped.
    skipping = count === null ? null : { base: count, last: count, quiet: 0 };
    resolve('skipped');
    return;
  }
  if (!skipping) {
    // The first figure only sets where counting starts: those frames were skipped before.
    skipping = { base: count, last: count, quiet: 0 };
    return;
  }
  if (count === skipping.last) return;
  // Go names a cause only while skipping matters (a tenth of the frames
  // lately); a frame skipped now and then starts no warning.
  const cause = typeof st.skipCause === 'string' ? st.skipCause : '';
  if (cause === '') {
    if (skipping.quiet === 0) skipping.last = count;
    return;
  }
  if (skipping.quiet === 0) skipping.base = skipping.last;
  skipping.last = count;
  notify(skippedText(count - skipping.base, cause), 'warning', 'skipped');
  window.clearTimeout(skipping.quiet);
  skipping.quiet = window.setTimeout(() => {
    if (skipping) skipping.quiet = 0;
    resolve('skipped');
  }, SKIP_QUIET_MS);
}

/** reloadProcessing shows the chain in force of the camera selected now. */
export async function reloadProcessing(): Promise<void> {
  try {
    show((await backend().Chain()) ?? []);
  } catch (err) {
    notify(`Reading the processing chain failed: ${errorText(err)}`, 'error', 'chain');
  }
}

/** setupProcessing fills the panel from Go; it reports a failure itself and never throws. */
export async function setupProcessing(): Promise<void> {
  const form = must('add-form', HTMLFormElement);
  const select = must('add-processor', HTMLSelectElement);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const info = infos.find((i) => i.name === select.value);
    if (info) void apply(addItem(chain, info));
  });
  try {
    const api = backend();
    const [available, current] = await Promise.all([api.Processors(), api.Chain()]);
    infos = available ?? [];
    select.replaceChildren(...infos.map((i) => new Option(i.title, i.name)));
    select.disabled = infos.length === 0;
    form.querySelector('button')!.disabled = infos.length === 0;
    show(current ?? []);
  } catch (err) {
    form.querySelector('button')!.disabled = true;
    notify(`Processing controls are unavailable: ${errorText(err)}`, 'error', 'chain');
  }
}
