// A customer link's audit in the share panel, a line a connection
// (links.ts shows them under the link's row). Text only: addresses and
// relays' names are the server's, shown as text.
import { el } from './dom';
import { bytesText, clipText, endedText, recordDuration, startText, type AuditRecord } from './linktext';

/**
 * auditLine is one connection of the audit: when it started, how long it
 * lasted and how it ended; then from where, how much was sent, and in what.
 */
export function auditLine(r: AuditRecord, now: number): HTMLLIElement {
  const li = el('li', '', 'cl-conn');
  if (!r.end) li.dataset.open = '';
  const when = el('span', `${startText(r.start, now)} · ${recordDuration(r, now)}`, 'cl-when');
  const ended = el('span', endedText(r), 'cl-ended');
  const addr = el('span', r.addr, 'cl-addr');
  addr.title = `${r.addr} watching ${r.stream}${r.via ? ` via ${r.via}` : ''}`;
  const kind = r.kind === 'clip' && r.clip ? clipText(r.clip, now) : r.kind && r.kind !== 'ws' ? r.kind : '';
  const how = [bytesText(r.bytes), [r.codec, r.rendition].filter(Boolean).join(' '), kind, r.via ? `via ${r.via}` : '']
    .filter(Boolean)
    .join(' · ');
  li.append(when, ended, addr, el('span', how, 'cl-how'));
  return li;
}
