// Pure helpers of the "Share over the internet" section: what the form sends
// to SetPush, the hints for fields Go would refuse, and how a push state
// reads. Kept apart from the DOM so they are easy to test.
import type { PushInfo, PushSettings } from './backend';

/** PushForm is what the person typed, before trimming. */
export type PushForm = Omit<PushSettings, 'enabled'>;

/** PushField names a field of the form. */
export type PushField = keyof PushForm;

/** PushHints holds a sentence for each field Go would refuse. */
export type PushHints = Partial<Record<PushField, string>>;

/** pushPayload is the SetPush argument for form, with surrounding spaces (from pasting) dropped. */
export function pushPayload(form: PushForm, enabled: boolean): PushSettings {
  return {
    enabled,
    relay: form.relay.trim(),
    stream: form.stream.trim(),
    publishToken: form.publishToken.trim(),
  };
}

/** The stream names a relay accepts; the same rule as config.Push.Validate. */
const streamName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const relaySchemes = ['wss:', 'ws:', 'https:', 'http:'];

/** relayHint says what is wrong with a relay address, or '' when Go will take it. */
export function relayHint(relay: string): string {
  const text = relay.trim();
  if (text === '') return "Give the relay's address, e.g. wss://relay.example.com:8188.";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Not an address: write it as wss://relay.example.com:8188.';
  }
  // "relay.example.com:8188" parses with "relay.example.com:" as its scheme.
  if (!relaySchemes.includes(url.protocol)) return 'Start it with wss://, ws://, https:// or http://.';
  if (url.host === '') return "Give the relay's host name, e.g. wss://relay.example.com:8188.";
  return '';
}

/** streamHint says what is wrong with a stream name, or ''. */
export function streamHint(stream: string): string {
  const text = stream.trim();
  if (text === '') return 'Give the stream a name, e.g. line1.';
  if (!streamName.test(text)) return "Use 1–64 letters, digits, '_', '-' or '.', starting with a letter or digit.";
  return '';
}

/** pushHints checks the form as Go will before it pushes; an empty result means no hints. */
export function pushHints(form: PushForm): PushHints {
  const hints: PushHints = {};
  const relay = relayHint(form.relay);
  if (relay) hints.relay = relay;
  const stream = streamHint(form.stream);
  if (stream) hints.stream = stream;
  if (form.publishToken.trim() === '') hints.publishToken = "Give the publish token the relay's operator gave you.";
  return hints;
}

/** PushTone colours the connection indicator. */
export type PushTone = 'ok' | 'busy' | 'warn' | 'off';

/** PushView is how a push state reads in the indicator. */
export interface PushView {
  label: string;
  /** A sentence after the label: the error, while there is one. */
  detail: string;
  tone: PushTone;
}

/** pushView turns a push state into the indicator's label, detail and colour. */
export function pushView(info: Pick<PushInfo, 'state' | 'error'>): PushView {
  const error = info.error?.trim() ?? '';
  switch (info.state) {
    case 'connected':
      return { label: 'Connected', detail: '', tone: 'ok' };
    case 'connecting':
      return { label: 'Connecting…', detail: error, tone: 'busy' };
    case 'retrying':
      return { label: 'Retrying', detail: error || 'the relay did not answer', tone: 'warn' };
    case 'refused':
      // The relay said no for a reason that will not pass by itself (the
      // publish token, its certificate): the operator must act.
      return { label: 'Refused', detail: `${error || 'the relay refused the stream'}; asked again every 30 s`, tone: 'warn' };
    case 'stopped':
      return { label: 'Off', detail: error, tone: 'off' };
    default:
      // A newer Go side may name a state this UI does not know: show it as it is.
      return { label: String(info.state || 'Unknown'), detail: error, tone: 'off' };
  }
}

const count = new Intl.NumberFormat('en');

/** sentText counts the frames sent to the relay. */
export function sentText(sent: number): string {
  const n = Number.isFinite(sent) && sent > 0 ? Math.floor(sent) : 0;
  return `Sent ${count.format(n)} ${n === 1 ? 'frame' : 'frames'}`;
}
