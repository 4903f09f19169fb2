// @ts-check
// The fake Go side of the desktop UI tests: window.go and window.runtime as
// Wails would give them, recording every call. It keeps to the contract
// cmd/tsgen writes from the Go code: npm run build type-checks this file
// against generated.ts's Backend (tsconfig.e2e.json), so a missing, extra or
// changed method fails the build, and its data (the processors, resolution
// presets, first-start settings) is Go's, read from desktop-contract.json.
import fs from 'node:fs/promises';

/** @typedef {import('../src/desktop/backend').AppStats} AppStats */
/** @typedef {import('../src/desktop/backend').Backend} Backend */
/** @typedef {import('../src/desktop/backend').PushInfo} PushInfo */
/** @typedef {import('../src/desktop/backend').ProcessorInfo} ProcessorInfo */
/** @typedef {import('../src/desktop/backend').Share} Share */
/** @typedef {import('../src/desktop/backend').StreamSettings} StreamSettings */

/**
 * Contract is desktop-contract.json, written by cmd/tsgen from the Go side.
 * @typedef {object} Contract
 * @property {(keyof Backend)[]} methods the methods Go binds
 * @property {Record<string, string>} events the frontend's key → the event's name
 * @property {Record<string, [number, number]>} resolutions SetResolution's presets
 * @property {ProcessorInfo[]} processors what Processors returns
 * @property {StreamSettings} settings a first start's stream settings
 */

/** contract is what Go binds, sends and offers, as cmd/tsgen wrote it. */
export const contract = /** @type {Contract} */ (JSON.parse(await fs.readFile(new URL('./desktop-contract.json', import.meta.url), 'utf8')));

/**
 * fakeBindings runs in the page before its scripts: window.go and window.runtime as Wails would give them.
 * With gated, the calls that read Go's state answer only after window.__release(), as a slow start would.
 * @param {{ base: string, token: string, qrPNG: string, contract: Contract, gated?: boolean }} args
 */
export function fakeBindings({ base, token, qrPNG, contract, gated = false }) {
  /** @type {Promise<void>} */
  const opened = gated ? new Promise((resolve) => (window.__release = resolve)) : Promise.resolve();
  /**
   * read makes a getter that answers once the gate is open.
   * @template T
   * @param {() => T} get
   * @returns {() => Promise<T>}
   */
  const read = (get) => async () => {
    await opened;
    return get();
  };
  /** @type {StreamSettings} */
  const settings = { ...contract.settings };
  /** @type {Share} */
  const share = { port: Number(new URL(base).port), token, previewBase: base, tls: false, links: [{ url: `${base}/?token=${token}`, qr: 'data:,' }] };
  /** @type {unknown[][]} */
  const calls = [];
  /** @type {Record<string, ((data: unknown) => void)[]>} */
  const handlers = {};
  /**
   * copy returns a deep copy, as a value that went through JSON.
   * @template T
   * @param {T} v
   * @returns {T}
   */
  const copy = (v) => JSON.parse(JSON.stringify(v));
  // chain is the chain "in force"; window.__refuseChain makes SetChain fail with that message.
  /** @type {import('../src/desktop/backend').ChainItem[]} */
  let chain = [];
  // push is the push "in force"; window.__refusePush makes SetPush fail with that message.
  /** @type {PushInfo} */
  let push = { enabled: false, relay: '', stream: '', publishToken: '', state: 'stopped', sent: 0, viewers: 0, viewerUrl: '' };
  /**
   * The link viewers open on the relay, as push.Config.ViewerURL makes it.
   * @param {string} relay
   * @param {string} stream
   */
  const publicLink = (relay, stream) => {
    const u = new URL(relay);
    return `${/^(wss|https):$/.test(u.protocol) ? 'https' : 'http'}://${u.host}/s/${stream}/?token=${token}`;
  };
  /**
   * ok makes a settings setter: it records the call, applies change (which
   * may throw Go's refusal) and resolves to the settings in force.
   * @template T
   * @param {string} name
   * @param {(arg: T) => void} change
   * @returns {(arg: T) => Promise<StreamSettings>}
   */
  const ok = (name, change) => async (arg) => {
    calls.push([name, arg]);
    change(arg);
    return { ...settings };
  };
  /** @type {AppStats} */
  const state = {
    source: settings.source, state: 'live', enabled: settings.enabled, captureFps: 0, outputFps: 0, width: 0, height: 0,
    quality: settings.quality, maxWidth: settings.maxWidth, maxHeight: settings.maxHeight, fpsCap: settings.fps,
    encodeMs: 0, frameBytes: 0, error: '', process: [], chain: [], bandwidthBps: 0, viewers: [], remote: 0,
    jpegBitrate: 0, h264Bitrate: 0,
  };
  window.__calls = calls;
  window.__emit = (name, data) => (handlers[name] || []).forEach((cb) => cb(data));
  window.runtime = { EventsOn: (name, cb) => ((handlers[name] ||= []).push(cb), () => {}) };
  window.go = {
    app: {
      App: {
        Settings: read(() => ({ ...settings })),
        State: read(() => copy(state)),
        SetEnabled: ok('SetEnabled', (on) => (settings.enabled = on)),
        // Go's engine.Settings.Validate refuses these out of range.
        SetQuality: ok('SetQuality', (q) => {
          if (!(q >= 1 && q <= 100)) throw `quality ${q}: use 1–100`;
          settings.quality = q;
        }),
        SetResolution: ok('SetResolution', (preset) => {
          // As app.SetResolution does, from Go's own presets.
          const size = contract.resolutions[preset];
          if (!size) throw `resolution "${preset}": choose ${Object.keys(contract.resolutions).join(', ')}`;
          [settings.maxWidth, settings.maxHeight] = size;
        }),
        SetFPS: ok('SetFPS', (f) => {
          if (!(f >= 1 && f <= 120)) throw `fps ${f}: use 1–120`;
          settings.fps = f;
        }),
        // Go's engine.Settings.Validate refuses these.
        SetCodec: ok('SetCodec', (c) => {
          if (c !== 'auto' && c !== 'jpeg') throw `codec "${c}": must be auto or jpeg`;
          settings.codec = c;
        }),
        SetBitrate: ok('SetBitrate', (b) => {
          if (b !== 0 && !(b >= 50_000 && b <= 100_000_000)) throw `bitrate ${b} bit/s: must be 0 (auto) or from 50 kbit/s to 100 Mbit/s`;
          settings.bitrate = b;
        }),
        // As source.ParseSpec refuses; window.__refuseSource is a source that will not open.
        SetSource: ok('SetSource', (s) => {
          const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1];
          if (scheme && !['rtsp', 'rtsps', 'http', 'https'].includes(scheme)) {
            throw `source "${s}": unsupported scheme "${scheme}" (use rtsp, http or https)`;
          }
          if (window.__refuseSource) throw window.__refuseSource;
          settings.source = s;
        }),
        PickFile: async () => {
          calls.push(['PickFile']);
          throw 'open video file "/tmp/broken.mp4": not a video OpenCV can read';
        },
        Cameras: read(() => []),
        Share: read(() => share),
        NewLink: async () => (calls.push(['NewLink']), share),
        SetTLS: async (on) => {
          calls.push(['SetTLS', on]);
          share.tls = on;
          share.links = share.links.map((l) => ({ ...l, url: l.url.replace(/^https?:/, on ? 'https:' : 'http:') }));
          // window.__movedBy: remote viewers the change disconnected, as Go counts them.
          return { ...share, moved: window.__movedBy ?? 0 };
        },
        SetPort: async (p) => {
          calls.push(['SetPort', p]);
          throw `port ${p} needs administrator rights (ports below 1024 do): choose one from 1024 up`;
        },
        CopyText: async (t) => void calls.push(['CopyText', t]),
        Notices: read(() => ['settings file is not valid JSON; using defaults']),
        Processors: read(() => copy(contract.processors)),
        Chain: read(() => copy(chain)),
        SetChain: async (items) => {
          calls.push(['SetChain', copy(items)]);
          if (window.__refuseChain) throw window.__refuseChain;
          chain = copy(items);
          return copy(chain);
        },
        Push: read(() => copy(push)),
        SetPush: async (p) => {
          calls.push(['SetPush', copy(p)]);
          if (window.__refusePush) throw window.__refusePush;
          // As Go does: a push starts by connecting, with its public link and QR made at once.
          push = p.enabled
            ? { ...copy(p), state: 'connecting', sent: 0, viewers: 0, viewerUrl: publicLink(p.relay, p.stream), qr: qrPNG }
            : { ...copy(p), state: 'stopped', sent: 0, viewers: 0, viewerUrl: '' };
          return copy(push);
        },
      },
    },
  };
}
