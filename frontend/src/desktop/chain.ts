// Pure edits of the processing chain and the words shown for it. Each edit
// returns a new chain, never changing the one it was given, so the panel can
// send it to Go whole and still show the old one if Go refuses.
import type { ChainItem, ParamInfo, ProcCost, ProcessorInfo } from './backend';
import { numberProblem } from './format';

/** addItem appends a processor with every parameter at its default. */
export function addItem(chain: readonly ChainItem[], info: ProcessorInfo): ChainItem[] {
  const params: Record<string, number> = {};
  for (const p of info.params ?? []) params[p.name] = p.default;
  return [...chain, { name: info.name, params }];
}

/** moveItem moves the item at index by delta places; out of range it changes nothing. */
export function moveItem(chain: readonly ChainItem[], index: number, delta: number): ChainItem[] {
  const to = index + delta;
  const out = [...chain];
  if (index < 0 || index >= chain.length || to < 0 || to >= chain.length) return out;
  const [item] = out.splice(index, 1);
  out.splice(to, 0, item!);
  return out;
}

/** removeItem drops the item at index. */
export function removeItem(chain: readonly ChainItem[], index: number): ChainItem[] {
  return chain.filter((_, i) => i !== index);
}

/** setParam sets one parameter of the item at index. */
export function setParam(chain: readonly ChainItem[], index: number, name: string, value: number): ChainItem[] {
  return chain.map((item, i) => (i === index ? { ...item, params: { ...item.params, [name]: value } } : item));
}

/** paramValue is the item's value for p, or p's default when the item leaves it out. */
export function paramValue(item: ChainItem, p: ParamInfo): number {
  const v = item.params?.[p.name];
  return typeof v === 'number' && Number.isFinite(v) ? v : p.default;
}

/**
 * snapParam puts a typed value on p's grid: within min..max and a whole
 * number of steps from min (blur sizes 1, 3, 5… stay odd). Not a number
 * gives the default.
 */
export function snapParam(p: ParamInfo, value: number): number {
  if (!Number.isFinite(value)) return p.default;
  const clamped = Math.min(Math.max(value, p.min), p.max);
  if (!(p.step > 0)) return clamped;
  const steps = Math.round((clamped - p.min) / p.step);
  // Round away float dust (0.1 steps) to the step's own decimals.
  const decimals = (String(p.step).split('.')[1] ?? '').length;
  const snapped = Number((p.min + steps * p.step).toFixed(decimals));
  return snapped > p.max ? Number((snapped - p.step).toFixed(decimals)) : snapped;
}

/**
 * paramProblem says why value cannot be p's, or '' when Go will take it: a
 * number box refuses a value out of range rather than clamp it in silence
 * (−5 typed as a minimum area is not 1).
 */
export function paramProblem(p: ParamInfo, value: number): string {
  return numberProblem(Number.isFinite(value) ? String(value) : '', p.min, p.max);
}

/** titleOf names a chain item as the picker does; an unknown name shows as itself. */
export function titleOf(infos: readonly ProcessorInfo[], name: string): string {
  return infos.find((i) => i.name === name)?.title ?? name;
}

/**
 * costAt is the smoothed cost of the item at index, or null when the stats
 * describe another chain (e.g. just before Go has applied an edit).
 */
export function costAt(costs: readonly ProcCost[], chain: readonly ChainItem[], index: number): number | null {
  const c = costs[index];
  if (!c || costs.length !== chain.length || c.name !== chain[index]?.name || !Number.isFinite(c.ms)) return null;
  return c.ms;
}

/** costText shows a cost in ms, with a dash while unknown. */
export function costText(ms: number | null): string {
  if (ms === null) return '– ms';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/**
 * skippedText warns that frames are skipped, naming why as Go measured it
 * (AppStats.skipCause); "" while nothing was skipped.
 */
export function skippedText(skipped: number | undefined, cause = ''): string {
  if (!skipped || !(skipped > 0)) return '';
  return `Skipped ${skipped} ${skipped === 1 ? 'frame' : 'frames'}: ${skipReason(cause)}`;
}

/** skipReason says what a skip cause from Go means, and what helps. */
export function skipReason(cause: string): string {
  if (cause.startsWith('processor:')) {
    const name = cause.slice('processor:'.length);
    return name ? `processing (${name}) is slower than the source` : 'processing is slower than the source';
  }
  switch (cause) {
    case 'encoder':
      return 'JPEG encoding is slower than the source; a lower max size or fps helps';
    case 'renditions':
      return 'encoding the smaller copies viewers take (the preview among them) is slower than the source';
    case 'cpu':
      return 'the computer is too busy; the stream alone would keep up';
    default:
      return 'processing is slower than the source';
  }
}

/** wideRange tells when a slider would be too coarse to hit a value, so a number box serves better. */
export function wideRange(p: ParamInfo): boolean {
  return p.step > 0 ? (p.max - p.min) / p.step > 500 : true;
}
