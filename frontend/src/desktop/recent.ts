// The recent files and URLs the source picker offers again: a few, the most
// recent first, kept in the webview's localStorage. Only sources a person
// opened by hand are kept; the test pattern, cameras and the external
// producer are always offered.

import { INGEST } from './ingesttext';

/** RECENT_MAX is how many recent sources are kept. */
export const RECENT_MAX = 5;

const KEY = 'framecast.recentSources';

/** isRecentKind tells whether spec is a file or URL, the sources worth remembering. */
export function isRecentKind(spec: string): boolean {
  const s = spec.trim();
  return s !== '' && s !== 'test' && s !== INGEST && !s.startsWith('camera:');
}

/** addRecent puts spec first, without a repeat, keeping at most max. */
export function addRecent(list: readonly string[], spec: string, max = RECENT_MAX): string[] {
  if (!isRecentKind(spec)) return list.slice(0, max);
  return [spec, ...list.filter((s) => s !== spec)].slice(0, max);
}

/** parseRecent reads a stored list; anything unreadable is an empty one. */
export function parseRecent(stored: string | null, max = RECENT_MAX): string[] {
  try {
    const v: unknown = JSON.parse(stored ?? '[]');
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && isRecentKind(s)).slice(0, max) : [];
  } catch {
    return [];
  }
}

/** loadRecent returns the stored list; a webview without storage has none. */
export function loadRecent(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string[] {
  try {
    return parseRecent(storage?.getItem(KEY) ?? null);
  } catch {
    return [];
  }
}

/** remember adds spec to the stored list and returns the new list. */
export function remember(spec: string, storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = globalThis.localStorage): string[] {
  const list = addRecent(loadRecent(storage), spec);
  try {
    storage?.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or refused: the list still serves this session.
  }
  return list;
}
