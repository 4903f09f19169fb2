// What the customer links' rows and audit say, kept apart from the DOM so
// it is easy to test: how long ago a link was used, when it expires, who
// watches, and each connection of its audit.
import type { AppCustomerLink, AppLinkChange, AppLinkSpec, LinksRecord } from './generated';

/** CustomerLink is app.CustomerLink: one customer's link in the Share panel. */
export type CustomerLink = AppCustomerLink;
/** LinkSpec is app.LinkSpec: what "New link for a customer" asks Go for. */
export type LinkSpec = AppLinkSpec;
/** LinkChange is app.LinkChange: what a row's Change… form asks Go to change, the rest left as it is. */
export type LinkChange = AppLinkChange;
/** AuditRecord is links.Record: one connection made with a link. */
export type AuditRecord = LinksRecord;

const MIN = 60;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** span says a number of seconds the way a person would: "45 s", "12 min", "3 h", "6 d". */
export function span(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < MIN) return `${Math.floor(s)} s`;
  if (s < HOUR) return `${Math.floor(s / MIN)} min`;
  if (s < DAY) return `${Math.floor(s / HOUR)} h`;
  return `${Math.floor(s / DAY)} d`;
}

/** duration says how long a connection lasted: "45 s", "12 min", "1 h 5 min". */
export function duration(seconds: number): string {
  if (seconds < HOUR) return span(seconds);
  const h = Math.floor(seconds / HOUR);
  const m = Math.floor((seconds % HOUR) / MIN);
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}

/** lastSeenText says when a viewer last watched with the link: "watching now", "3 min ago", "never". */
export function lastSeenText(l: Pick<CustomerLink, 'lastSeen' | 'viewers'>, now: number): string {
  if (l.viewers > 0) return 'watching now';
  if (!l.lastSeen) return 'never';
  const ago = (now - Date.parse(l.lastSeen)) / 1000;
  return ago < MIN ? 'just now' : `${span(ago)} ago`;
}

/** expiryText says when the link stops opening anything: "expires in 23 h", "expired", "never expires". */
export function expiryText(l: Pick<CustomerLink, 'expiresAt' | 'expired'>, now: number): string {
  if (l.expired) return 'expired';
  if (!l.expiresAt) return 'never expires';
  const left = (Date.parse(l.expiresAt) - now) / 1000;
  return left <= 0 ? 'expired' : `expires in ${span(Math.max(left, 1))}`;
}

/** viewersText says who watches with the link now: "● 2 watching", or "nobody watching". */
export function viewersText(l: Pick<CustomerLink, 'viewers' | 'maxViewers'>): string {
  const cap = l.maxViewers > 0 ? ` of ${l.maxViewers}` : '';
  return l.viewers > 0 ? `● ${l.viewers}${cap} watching` : `nobody watching${l.maxViewers > 0 ? ` (at most ${l.maxViewers})` : ''}`;
}

/** streamsText names what the link opens: "all cameras", or the cameras' names. */
export function streamsText(streams: readonly string[]): string {
  return streams.length === 0 ? 'all cameras' : streams.join(', ');
}

/** bytesText says an amount sent: "812 kB", "1.2 MB", "3.40 GB". */
export function bytesText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

/** endedText says how a connection of the audit ended, or that it is still open. */
export function endedText(r: Pick<AuditRecord, 'end' | 'reason'> & { kind?: string }): string {
  if (!r.end) return r.kind === 'clip' ? 'downloading' : 'watching';
  if (!r.reason) return 'left';
  return r.reason === 'revoked' ? 'cut: link revoked' : r.reason === 'expired' ? 'cut: link expired' : `cut: ${r.reason}`;
}

/** recordDuration is how long the connection has lasted, up to now while it is open. */
export function recordDuration(r: Pick<AuditRecord, 'start' | 'end'>, now: number): string {
  const end = r.end ? Date.parse(r.end) : now;
  return duration((end - Date.parse(r.start)) / 1000);
}

/** startText is when a connection started, as the audit shows it: the time today ("14:05:09"), the day and time before ("Dec 4 01:29"). */
export function startText(start: string, now: number): string {
  const t = new Date(start);
  if (new Date(now).toDateString() === t.toDateString()) {
    return t.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  return `${t.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${t.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
}

const UNIT_SECONDS: Record<string, number> = { h: HOUR, m: MIN, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };

/**
 * clipText says which recording a clip download took, from the record's
 * clip ("2026-12-06T10:00:00.000Z/30s", a Go duration): "clip of 10:00:00, 30 s"
 * (the day too when not today), "clip of 10:00:00, 1 min 30 s".
 */
export function clipText(clip: string, now: number): string {
  const slash = clip.lastIndexOf('/');
  const start = clip.slice(0, slash);
  const d = clip.slice(slash + 1);
  let seconds = 0;
  let rest = d;
  for (const m of d.matchAll(/([0-9.]+)(h|ms|m|s|us|µs|ns)/g)) {
    seconds += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? NaN);
    rest = rest.replace(m[0], '');
  }
  if (slash < 0 || Number.isNaN(Date.parse(start)) || d === '' || rest !== '' || !Number.isFinite(seconds)) return `clip ${clip}`;
  const whole = Math.round(seconds);
  const length = whole >= MIN && whole < HOUR && whole % MIN !== 0 ? `${Math.floor(whole / MIN)} min ${whole % MIN} s` : duration(whole);
  return `clip of ${startText(start, now)}, ${length}`;
}

/** LinkForm is what the "New link for a customer" form holds, or a row's Change… form. */
export interface LinkForm {
  name: string;
  /** all: every camera; otherwise picked are the cameras ticked. */
  all: boolean;
  picked: string[];
  /** expiresIn is one of the expiry choices; in the Change… form also KEEP. */
  expiresIn: string;
  /** cap is the viewer cap box as typed: empty for no cap. */
  cap: string;
  recordings: boolean;
}

/**
 * linkSpec turns the form into what Go is asked for, or says what to fix
 * first; Go checks the rest and says why it refuses.
 */
export function linkSpec(f: LinkForm): { spec: LinkSpec } | { problem: string } {
  const checked = checkForm(f);
  if ('problem' in checked) return checked;
  const { name, maxViewers } = checked;
  return { spec: { name, cameras: f.all ? [] : [...f.picked], expiresIn: f.expiresIn, maxViewers, recordings: f.recordings } };
}

/** checkForm says what to fix first in a link's form, or gives its name trimmed and its cap (0: none). */
function checkForm(f: LinkForm): { name: string; maxViewers: number } | { problem: string } {
  const name = f.name.trim();
  if (name === '') return { problem: "Give the link a name, such as the customer's" };
  if (!f.all && f.picked.length === 0) return { problem: 'Pick at least one camera, or choose all cameras' };
  let maxViewers = 0;
  if (f.cap.trim() !== '') {
    maxViewers = Number(f.cap);
    if (!Number.isInteger(maxViewers) || maxViewers < 1) return { problem: 'A viewer cap is a whole number from 1 up; leave it empty for no cap' };
  }
  return { name, maxViewers };
}

/** KEEP is the Change… form's expiry choice that leaves the expiry as it is. */
export const KEEP = 'keep';

/** keepText is the Change… form's first expiry choice: "Keep: expires in 23 h", "Keep: expired". */
export function keepText(l: Pick<CustomerLink, 'expiresAt' | 'expired'>, now: number): string {
  return `Keep: ${expiryText(l, now)}`;
}

/** linkForm is the Change… form filled with what link is now, its expiry kept. */
export function linkForm(l: CustomerLink): LinkForm {
  return {
    name: l.name,
    all: l.streams.length === 0,
    picked: [...l.streams],
    expiresIn: KEEP,
    cap: l.maxViewers > 0 ? String(l.maxViewers) : '',
    recordings: l.recordings,
  };
}

/**
 * linkChange is what of the Change… form differs from link, the only
 * parts Go is asked to change (none: nothing to ask), or what to fix
 * first; Go checks the rest and says why it refuses.
 */
export function linkChange(l: CustomerLink, f: LinkForm): { change: LinkChange } | { problem: string } {
  const checked = checkForm(f);
  if ('problem' in checked) return checked;
  const change: LinkChange = {};
  if (checked.name !== l.name) change.name = checked.name;
  const cameras = f.all ? [] : [...new Set(f.picked)];
  if (cameras.length !== l.streams.length || cameras.some((c) => !l.streams.includes(c))) change.cameras = cameras;
  if (f.expiresIn !== KEEP) change.expiresIn = f.expiresIn;
  if (checked.maxViewers !== l.maxViewers) change.maxViewers = checked.maxViewers;
  if (f.recordings !== l.recordings) change.recordings = f.recordings;
  return { change };
}
