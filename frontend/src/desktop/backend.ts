// Typed access to the Go side of the desktop app. Wails binds app.App's
// exported methods as window.go.app.App.* (each returns a Promise that
// rejects with the Go error's message) and offers window.runtime.EventsOn.
// Video never comes this way: the preview uses the loopback WebSocket.

import type {
  AppCamera,
  AppPushInfo,
  AppShare,
  AppStats,
  Backend,
  ConfigPush,
  EngineSettings,
  EventName,
  AppIngestInfo,
  EventPayloads,
  HubStats,
  ProtocolChainItem,
  ProtocolProcTime,
  SourceCamera,
  VisionInfo,
  VisionParam,
} from './generated';

// The types come from Go (generated.ts, written by `make generate`); these
// are the names the UI knows them by.
export type { AppStats, Backend, EventName, EventPayloads };
export { Events, resolutions, type Resolution } from './generated';
/** StreamSettings are engine.Settings. */
export type StreamSettings = EngineSettings;
/** ViewerStats are hub.Stats: one remote viewer. */
export type ViewerStats = HubStats;
/** ProcCost is one chain item's smoothed time per frame (protocol.ProcTime). */
export type ProcCost = ProtocolProcTime;
/** ParamInfo is vision.Param: one tunable number of a processor. */
export type ParamInfo = VisionParam;
/** ProcessorInfo is vision.Info: a processor the chain can hold. */
export type ProcessorInfo = VisionInfo;
/** ChainItem is vision.Item: one processor in the chain, with its parameters. */
export type ChainItem = ProtocolChainItem;
/** Share is app.Share: the viewer links and the preview's address. */
export type Share = AppShare;
/** PushSettings are config.Push: where "Share over the internet" pushes. */
export type PushSettings = ConfigPush;
/** PushInfo is app.PushInfo, also sent as the "push:status" event while pushing. */
export type PushInfo = AppPushInfo;
/** Device is a camera of this machine, as the source picker offers it. */
export type Device = SourceCamera;
/** Camera is app.Camera: one running camera of the window's list. */
export type Camera = AppCamera;
/** IngestInfo is app.IngestInfo: where an external producer sends the selected camera's frames. */
export type IngestInfo = AppIngestInfo;
/** Bound is what window.go.app.App holds. */
export type Bound = Backend;

type EventsOn = (name: string, callback: (...data: unknown[]) => void) => () => void;

declare global {
  interface Window {
    go?: { app?: { App?: Bound } };
    runtime?: { EventsOn?: EventsOn };
  }
}

/** backend returns the bound API, or throws when not inside the app. */
export function backend(): Bound {
  const api = window.go?.app?.App;
  if (!api) throw new Error('Framecast desktop UI must run inside the Framecast app');
  return api;
}

/**
 * onEvent subscribes to a Go event (one of Events), its callback typed by the
 * event's payload; it returns the unsubscribe function.
 */
export function onEvent<N extends EventName>(name: N, callback: (data: EventPayloads[N]) => void): () => void {
  const on = window.runtime?.EventsOn;
  if (!on) throw new Error('Wails runtime missing');
  return on(name, (data) => callback(data as EventPayloads[N]));
}

/** errorText turns a rejected binding call into a sentence. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}
