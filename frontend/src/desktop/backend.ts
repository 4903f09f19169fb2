// Typed access to the Go side of the desktop app. Wails binds app.App's
// exported methods as window.go.app.App.* (each returns a Promise that
// rejects with the Go error's message) and offers window.runtime.EventsOn.
// Video never comes this way: the preview uses the loopback WebSocket.

/** StreamSettings mirrors engine.Settings. */
export interface StreamSettings {
  source: string;
  quality: number;
  maxWidth: number;
  maxHeight: number;
  fps: number;
  enabled: boolean;
}

/** ViewerStats mirrors hub.Stats. */
export interface ViewerStats {
  id: number;
  kind: string;
  addr: string;
  fps: number;
  drops: number;
  latencyMs: number;
  bytes: number;
  since: string;
}

/** AppStats mirrors app.Stats, sent as the "stream:stats" event. */
export interface AppStats {
  source: string;
  state: string;
  enabled: boolean;
  captureFps: number;
  outputFps: number;
  width: number;
  height: number;
  quality: number;
  encodeMs: number;
  frameBytes: number;
  error: string;
  bandwidthBps: number;
  viewers: ViewerStats[];
  remote: number;
  /** Each processor's smoothed cost, in chain order. Older apps send none. */
  chain?: ProcCost[];
  /** Frames skipped because processing was slower than the source. */
  skipped?: number;
}

/** ProcCost is one chain item's smoothed time per frame. */
export interface ProcCost {
  name: string;
  ms: number;
}

/** ParamInfo mirrors vision.Param: one tunable number of a processor. */
export interface ParamInfo {
  name: string;
  title: string;
  min: number;
  max: number;
  step: number;
  default: number;
}

/** ProcessorInfo mirrors vision.Info: a processor the chain can hold. */
export interface ProcessorInfo {
  name: string;
  title: string;
  params: ParamInfo[];
}

/** ChainItem mirrors vision.Item: one processor in the chain, with its parameters. */
export interface ChainItem {
  name: string;
  params: Record<string, number>;
}

/** Share mirrors app.Share. */
export interface Share {
  port: number;
  token: string;
  previewBase: string;
  /** Viewer links are https (the preview stays on plain loopback). */
  tls: boolean;
  links: { url: string; qr: string }[];
}

/** PushSettings mirrors config.Push: where "Share over the internet" pushes. */
export interface PushSettings {
  enabled: boolean;
  /** The relay's address, e.g. wss://relay.example.com:8188. */
  relay: string;
  /** The stream's name on the relay. */
  stream: string;
  /** The relay's publish token. */
  publishToken: string;
}

/** PushState is the push connection's state, as push.Status names it. */
export type PushState = 'connecting' | 'connected' | 'retrying' | 'stopped';

/** PushInfo mirrors app.PushInfo, also sent as the "push:status" event while pushing. */
export interface PushInfo extends PushSettings {
  state: PushState;
  /** Why the last connection failed, while retrying. */
  error?: string;
  /** Frames sent to the relay so far. */
  sent: number;
  /** The public link on the relay; empty while not pushing. */
  viewerUrl: string;
  /** PNG data URL of viewerUrl's QR code. */
  qr?: string;
}

/** Camera mirrors app.Camera. */
export interface Camera {
  spec: string;
  name: string;
}

/** Backend is the bound Go API. */
export interface Backend {
  Settings(): Promise<StreamSettings>;
  State(): Promise<AppStats>;
  SetEnabled(on: boolean): Promise<StreamSettings>;
  SetSource(spec: string): Promise<StreamSettings>;
  PickFile(): Promise<StreamSettings>;
  SetQuality(q: number): Promise<StreamSettings>;
  SetResolution(preset: string): Promise<StreamSettings>;
  SetFPS(fps: number): Promise<StreamSettings>;
  Cameras(): Promise<Camera[]>;
  Share(): Promise<Share>;
  NewLink(): Promise<Share>;
  SetPort(port: number): Promise<Share>;
  SetTLS(on: boolean): Promise<Share>;
  CopyText(text: string): Promise<void>;
  Notices(): Promise<string[]>;
  Processors(): Promise<ProcessorInfo[]>;
  Chain(): Promise<ChainItem[]>;
  /** SetChain applies the whole chain at once and returns the chain in force. */
  SetChain(items: ChainItem[]): Promise<ChainItem[]>;
  Push(): Promise<PushInfo>;
  /** SetPush applies push settings; on refusal the push that was running keeps running. */
  SetPush(p: PushSettings): Promise<PushInfo>;
}

type EventsOn = (name: string, callback: (...data: unknown[]) => void) => () => void;

declare global {
  interface Window {
    go?: { app?: { App?: Backend } };
    runtime?: { EventsOn?: EventsOn };
  }
}

/** backend returns the bound API, or throws when not inside the app. */
export function backend(): Backend {
  const api = window.go?.app?.App;
  if (!api) throw new Error('Framecast desktop UI must run inside the Framecast app');
  return api;
}

/** onEvent subscribes to a Go event; it returns the unsubscribe function. */
export function onEvent<T>(name: string, callback: (data: T) => void): () => void {
  const on = window.runtime?.EventsOn;
  if (!on) throw new Error('Wails runtime missing');
  return on(name, (data) => callback(data as T));
}

/** errorText turns a rejected binding call into a sentence. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}
