// @ts-check
// The fake Go side of the desktop UI tests: window.go and window.runtime as
// Wails would give them, recording every call. It keeps to the contract
// cmd/tsgen writes from the Go code: npm run build type-checks this file
// against generated.ts's Backend (tsconfig.e2e.json), so a missing, extra or
// changed method fails the build, and its data (the processors, resolution
// presets, first-start settings) is Go's, read from desktop-contract.json.
import fs from 'node:fs/promises';

/** @typedef {import('../src/desktop/backend').AppStats} AppStats */
/** @typedef {import('../src/desktop/backend').Camera} Camera */
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
  /**
   * Cam is one camera "running": its settings, chain and push in force, and the publish token an external producer sends.
   * @typedef {{ name: string, settings: StreamSettings, chain: import('../src/desktop/backend').ChainItem[], push: PushInfo, record: boolean, recordError: string, publishToken: string }} Cam
   */
  /** @returns {PushInfo} */
  const pushOff = () => ({ enabled: false, relay: '', stream: '', publishToken: '', state: 'stopped', sent: 0, viewers: 0, viewerUrl: '' });
  /** @param {string} name @returns {Cam} */
  const newCam = (name) => ({ name, settings: { ...contract.settings }, chain: [], push: pushOff(), record: false, recordError: '', publishToken: '' });
  // cams are the cameras in order, as Go's site keeps them; selected names the one the controls act on.
  /** @type {Cam[]} */
  const cams = [newCam('camera')];
  let selected = 'camera';
  /** @returns {Cam} */
  const cur = () => cams.find((c) => c.name === selected) ?? cams[0];
  // As protocol.ValidStreamName.
  /** @param {string} n */
  const validName = (n) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(n) && !n.endsWith('.') && !n.includes('..');
  /** @type {Share} */
  const share = { camera: 'camera', port: Number(new URL(base).port), token, previewBase: `${base}/`, tls: false, links: [], grid: [] };
  /**
   * shareNow is Share as Go makes it: the selected camera's links (the first of one camera at /), and the grid's while several run.
   * @returns {Share}
   */
  const shareNow = () => {
    const scheme = share.tls ? 'https:' : 'http:';
    const root = base.replace(/^https?:/, scheme);
    const only = cams.length === 1;
    share.camera = cur().name;
    share.links = [{ url: only ? `${root}/?token=${token}` : `${root}/s/${cur().name}/?token=${token}`, qr: 'data:,' }];
    share.grid = only ? [] : [{ url: `${root}/?token=${token}`, qr: 'data:,' }];
    return { ...share };
  };
  /**
   * cameraList is Cameras' answer.
   * @returns {Camera[]}
   */
  const cameraList = () =>
    cams.map((c) => ({
      name: c.name, source: c.settings.source, state: 'live', fps: 25, viewers: 0, selected: c === cur(), previewBase: `${base}/`, token,
      record: c.record, ...(c.recordError ? { recordError: c.recordError } : {}),
    }));
  /** listChanged sends what Go's listChanged sends (the names are held to Go's by the type check). */
  const listChanged = () => {
    window.__emit('cameras:list', cameraList());
    window.__emit('server:changed', shareNow());
  };
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
  // window.__refuseChain makes SetChain fail with that message, window.__refusePush SetPush.
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
    return { ...cur().settings };
  };
  const settings0 = contract.settings;
  /** @type {AppStats} */
  const state = {
    source: settings0.source, state: 'live', enabled: settings0.enabled, captureFps: 0, outputFps: 0, width: 0, height: 0,
    quality: settings0.quality, maxWidth: settings0.maxWidth, maxHeight: settings0.maxHeight, fpsCap: settings0.fps,
    encodeMs: 0, frameBytes: 0, error: '', process: [], chain: [], bandwidthBps: 0, viewers: [], remote: 0,
    jpegBitrate: 0, h264Bitrate: 0,
  };
  /**
   * Customer links, as Go's Book keeps them: two to begin with, Acme QA
   * watched by two now and with 60 ended connections in its audit.
   * @typedef {import('../src/desktop/linktext').CustomerLink} CustomerLink
   * @typedef {import('../src/desktop/linktext').AuditRecord} AuditRecord
   */
  const started = Date.now();
  const iso = (/** @type {number} */ t) => new Date(t).toISOString();
  /** @param {string} name @param {string[]} streams @returns {CustomerLink} */
  const newCustomer = (name, streams) => {
    const t = token22();
    const root = base.replace(/^https?:/, share.tls ? 'https:' : 'http:');
    const url = streams.length === 1 ? `${root}/s/${streams[0]}/?token=${t}` : `${root}/?token=${t}`;
    return { name, streams, url, urls: [url], qr: qrPNG, viewers: 0, watchSeconds: 0, expired: false, maxViewers: 0, recordings: false, created: iso(Date.now()) };
  };
  const token22 = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  /** @type {CustomerLink[]} */
  const customers = [
    { ...newCustomer('Acme QA', []), viewers: 2, watchSeconds: 7200, lastSeen: iso(started), expiresAt: iso(started + 23.5 * 3600_000), maxViewers: 3 },
    { ...newCustomer('Globex line 2', ['camera']), recordings: true },
  ];
  /** @type {Record<string, AuditRecord[]>} the ended connections of each link, newest first */
  const audits = {
    'Acme QA': Array.from({ length: 60 }, (_, i) => ({
      seq: 60 - i, link: 'Acme QA', stream: 'camera', addr: `203.0.113.${i + 1}:5${String(i).padStart(4, '0')}`, kind: 'ws', codec: 'h264', rendition: '720p',
      start: iso(started - (i + 1) * 3600_000), end: iso(started - (i + 1) * 3600_000 + 600_000), bytes: 52_000_000, ...(i === 0 ? { reason: 'expired' } : {}),
    })),
  };
  /** @type {Record<string, AuditRecord[]>} the connections open now */
  const open = {
    'Acme QA': [
      { link: 'Acme QA', stream: 'camera', addr: '198.51.100.4:40001', kind: 'ws', codec: 'h264', rendition: '720p', start: iso(started - 125_000), bytes: 3_400_000 },
      { link: 'Acme QA', stream: 'camera', addr: '198.51.100.9:40002', kind: 'mjpeg', codec: 'jpeg', start: iso(started - 30_000), bytes: 900_000 },
    ],
  };
  // A test's: the link called name expired a minute ago, as the Book would say.
  window.__expireLink = (/** @type {string} */ name) => {
    const l = customers.find((x) => x.name === name);
    if (l) Object.assign(l, { expired: true, expiresAt: iso(Date.now() - 60_000) });
  };
  window.__calls = calls;
  window.__emit = (name, data) => (handlers[name] || []).forEach((cb) => cb(data));
  window.runtime = { EventsOn: (name, cb) => ((handlers[name] ||= []).push(cb), () => {}) };
  window.go = {
    app: {
      App: {
        Settings: read(() => ({ ...cur().settings })),
        State: read(() => copy(state)),
        SetEnabled: ok('SetEnabled', (on) => (cur().settings.enabled = on)),
        // Go's engine.Settings.Validate refuses these out of range.
        SetQuality: ok('SetQuality', (q) => {
          if (!(q >= 1 && q <= 100)) throw `quality ${q}: use 1–100`;
          cur().settings.quality = q;
        }),
        SetResolution: ok('SetResolution', (preset) => {
          // As app.SetResolution does, from Go's own presets.
          const size = contract.resolutions[preset];
          if (!size) throw `resolution "${preset}": choose ${Object.keys(contract.resolutions).join(', ')}`;
          [cur().settings.maxWidth, cur().settings.maxHeight] = size;
        }),
        SetFPS: ok('SetFPS', (f) => {
          if (!(f >= 1 && f <= 120)) throw `fps ${f}: use 1–120`;
          cur().settings.fps = f;
        }),
        // Go's engine.Settings.Validate refuses these.
        SetCodec: ok('SetCodec', (c) => {
          if (c !== 'auto' && c !== 'jpeg') throw `codec "${c}": must be auto or jpeg`;
          cur().settings.codec = c;
        }),
        SetBitrate: ok('SetBitrate', (b) => {
          if (b !== 0 && !(b >= 50_000 && b <= 100_000_000)) throw `bitrate ${b} bit/s: must be 0 (auto) or from 50 kbit/s to 100 Mbit/s`;
          cur().settings.bitrate = b;
        }),
        // As source.ParseSpec refuses; window.__refuseSource is a source that will not open.
        SetSource: ok('SetSource', (s) => {
          const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1];
          if (scheme && !['rtsp', 'rtsps', 'http', 'https'].includes(scheme)) {
            throw `source "${s}": unsupported scheme "${scheme}" (use rtsp, http or https)`;
          }
          if (window.__refuseSource) throw window.__refuseSource;
          cur().settings.source = s;
          // As the desktop does: an external producer's camera gets a publish token of its own, made once and kept.
          if (s === 'ingest' && cur().publishToken === '') cur().publishToken = token22();
        }),
        PickFile: async () => {
          calls.push(['PickFile']);
          throw 'open video file "/tmp/broken.mp4": not a video OpenCV can read';
        },
        Devices: read(() => []),
        Share: read(shareNow),
        NewLink: async () => (calls.push(['NewLink']), shareNow()),
        Cameras: read(cameraList),
        SelectCamera: async (name) => {
          calls.push(['SelectCamera', name]);
          if (!cams.some((c) => c.name === name)) throw `camera "${name}": there is none of that name`;
          selected = name;
          listChanged();
          return shareNow();
        },
        AddCamera: async (name, source) => {
          calls.push(['AddCamera', name, source]);
          if (!validName(name)) throw `stream name "${name}": stream names are 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit, with no '.' at the end or two in a row`;
          if (cams.some((c) => c.name === name)) throw `stream "${name}": a stream of that name exists`;
          cams.push(newCam(name));
          selected = name;
          listChanged();
          return shareNow();
        },
        RenameCamera: async (from, to) => {
          calls.push(['RenameCamera', from, to]);
          const c = cams.find((x) => x.name === from);
          if (!c) throw `stream "${from}": no such stream`;
          if (!validName(to)) throw `stream name "${to}": stream names are 1-64 letters, digits, '_', '-' or '.'`;
          if (to !== from && cams.some((x) => x.name === to)) throw `stream "${to}": a stream of that name exists`;
          if (selected === from) selected = to;
          c.name = to;
          listChanged();
          return cameraList();
        },
        RemoveCamera: async (name) => {
          calls.push(['RemoveCamera', name]);
          const i = cams.findIndex((c) => c.name === name);
          if (i < 0) throw `stream "${name}": no such stream`;
          if (cams.length < 2) throw 'the last camera cannot be removed: add another first';
          cams.splice(i, 1);
          listChanged();
          return cameraList();
        },
        MoveCamera: async (name, index) => {
          calls.push(['MoveCamera', name, index]);
          const i = cams.findIndex((c) => c.name === name);
          if (i < 0) throw `camera "${name}": there is none of that name`;
          if (index < 0 || index >= cams.length) throw `position ${index}: from 0 to ${cams.length - 1}`;
          const [c] = cams.splice(i, 1);
          cams.splice(index, 0, c);
          listChanged();
          return cameraList();
        },
        // As Go's: the selected camera is recorded from now (window.__recordError: it cannot be, e.g. a full disk).
        // window.__recordSwitched (a test's) hears it first, as the camera's server would.
        SetRecord: async (on) => {
          calls.push(['SetRecord', on]);
          cur().record = on;
          cur().recordError = on ? (window.__recordError ?? '') : '';
          await window.__recordSwitched?.(cur().name, on);
          listChanged();
          return cameraList();
        },
        // As Go's ExportClip: start in RFC 3339, from a moment to an hour; the file is in the exports folder.
        ExportClip: async (start, seconds) => {
          calls.push(['ExportClip', start, seconds]);
          const t = Date.parse(start);
          if (!/^\d{4}-\d\d-\d\dT/.test(start) || Number.isNaN(t)) throw `start "${start}": not a time in RFC 3339`;
          if (!(seconds > 0 && seconds <= 3600)) throw `${seconds} seconds: a clip is from a moment to an hour long`;
          if (!cur().record) throw 'nothing was recorded then';
          return `/home/operator/Videos/Framecast/exports/${cur().name}-${new Date(t).toISOString().replace(/[-:]|\.\d+/g, '')}.mp4`;
        },
        SetTLS: async (on) => {
          calls.push(['SetTLS', on]);
          share.tls = on;
          // window.__movedBy: remote viewers the change disconnected, as Go counts them.
          return { ...shareNow(), moved: window.__movedBy ?? 0 };
        },
        SetPort: async (p) => {
          calls.push(['SetPort', p]);
          throw `port ${p} needs administrator rights (ports below 1024 do): choose one from 1024 up`;
        },
        CopyText: async (t) => void calls.push(['CopyText', t]),
        CustomerLinks: async () => {
          calls.push(['CustomerLinks']);
          return copy(customers);
        },
        // As app.NewCustomerLink and the Book check a spec.
        NewCustomerLink: async (spec) => {
          calls.push(['NewCustomerLink', copy(spec)]);
          if (spec.name === '') throw "a link needs a name (such as the customer's)";
          if (customers.some((l) => l.name === spec.name)) throw `a link named “${spec.name}” exists already: give this one another name`;
          if (!['', '1h', '24h', '7d', '30d'].includes(spec.expiresIn)) throw `expiry "${spec.expiresIn}": choose never, 1h, 24h, 7d or 30d`;
          for (const c of spec.cameras) if (!cams.some((x) => x.name === c)) throw `camera "${c}": there is none of that name`;
          const hours = { '': 0, '1h': 1, '24h': 24, '7d': 168, '30d': 720 }[spec.expiresIn] ?? 0;
          const link = { ...newCustomer(spec.name, spec.cameras), maxViewers: spec.maxViewers, recordings: spec.recordings,
            ...(hours ? { expiresAt: iso(Date.now() + hours * 3600_000) } : {}) };
          customers.push(link);
          return copy(link);
        },
        // As app.ChangeLink and the Book's Update check a change: all of it or nothing; the token stays.
        ChangeLink: async (name, change) => {
          calls.push(['ChangeLink', name, copy(change)]);
          const l = customers.find((x) => x.name === name);
          if (!l) throw `there is no link named "${name}": it may have been revoked`;
          if (Object.values(change).every((v) => v === undefined || v === null)) throw 'nothing to change: change its name, cameras, expiry, viewer cap or recordings';
          if (change.expiresIn != null && !['', '1h', '24h', '7d', '30d'].includes(change.expiresIn)) throw `expiry "${change.expiresIn}": choose never, 1h, 24h, 7d or 30d`;
          if (change.maxViewers != null && !(change.maxViewers >= 0 && change.maxViewers <= 10000)) throw `a cap of ${change.maxViewers} viewers: leave it empty for no cap, or give 1 to 10000`;
          for (const c of change.cameras ?? []) if (!cams.some((x) => x.name === c)) throw `camera "${c}": there is none of that name`;
          if (change.name === '') throw "a link needs a name (such as the customer's)";
          if (change.name != null && change.name !== name && customers.some((x) => x.name === change.name)) {
            throw `a link named “${change.name}” exists already: give this one another name`;
          }
          if (change.name != null) l.name = change.name;
          if (change.cameras != null) {
            // The same token, at the page of what it opens now.
            const t = new URL(l.url).searchParams.get('token');
            l.streams = [...change.cameras];
            l.url = newCustomer(l.name, l.streams).url.replace(/token=.*$/, `token=${t}`);
            l.urls = [l.url];
          }
          if (change.expiresIn != null) {
            const hours = { '': 0, '1h': 1, '24h': 24, '7d': 168, '30d': 720 }[change.expiresIn] ?? 0;
            delete l.expiresAt;
            if (hours) l.expiresAt = iso(Date.now() + hours * 3600_000);
            l.expired = false;
          }
          if (change.maxViewers != null) l.maxViewers = change.maxViewers;
          if (change.recordings != null) l.recordings = change.recordings;
          return copy(l);
        },
        RevokeLink: async (name) => {
          calls.push(['RevokeLink', name]);
          const i = customers.findIndex((l) => l.name === name);
          if (i < 0) throw `there is no link named "${name}": it may have been revoked already`;
          customers.splice(i, 1);
        },
        // As app.LinkAudit: 50 a page, newest first; the open connections on the first page.
        LinkAudit: async (link, before) => {
          calls.push(['LinkAudit', link, before]);
          const older = (audits[link] ?? []).filter((r) => before === 0 || (r.seq ?? 0) < before);
          const records = older.slice(0, 50);
          const next = older.length > 50 ? (records[records.length - 1].seq ?? 0) : 0;
          return copy({ ...(before === 0 ? { open: open[link] ?? [] } : {}), records, ...(next ? { next } : {}) });
        },
        Notices: read(() => ['settings file is not valid JSON; using defaults']),
        Processors: read(() => copy(contract.processors)),
        Chain: read(() => copy(cur().chain)),
        SetChain: async (items) => {
          calls.push(['SetChain', copy(items)]);
          if (window.__refuseChain) throw window.__refuseChain;
          cur().chain = copy(items);
          return copy(cur().chain);
        },
        // As app.IngestInfo: a producer URL for each address (the page's, and a LAN one) with the token, as station.Ingest
        // makes them (wss:// with HTTPS), the token and the Publisher line; empty for other sources. A camera whose
        // source is ingest has a publish token, made once and kept (SetSource).
        IngestInfo: read(() => {
          calls.push(['IngestInfo']);
          const c = cur();
          if (c.settings.source !== 'ingest') return { urls: [], publishToken: '', python: '', connected: false };
          if (!c.publishToken) c.publishToken = token22();
          const scheme = share.tls ? 'wss:' : 'ws:';
          const port = new URL(base).port;
          const bases = [`${scheme}//${new URL(base).hostname}:${port}/ingest/${c.name}`, `${scheme}//192.168.1.20:${port}/ingest/${c.name}`];
          return {
            urls: bases.map((u) => `${u}?token=${c.publishToken}`),
            publishToken: c.publishToken,
            python: `framecast.Publisher("${bases[0]}", publish_token="${c.publishToken}")`,
            connected: false,
          };
        }),
        Push: read(() => copy(cur().push)),
        SetPush: async (p) => {
          calls.push(['SetPush', copy(p)]);
          if (window.__refusePush) throw window.__refusePush;
          // As Go does: a push starts by connecting, with its public link and QR made at once.
          cur().push = p.enabled
            ? { ...copy(p), state: 'connecting', sent: 0, viewers: 0, viewerUrl: publicLink(p.relay, p.stream), qr: qrPNG }
            : { ...copy(p), state: 'stopped', sent: 0, viewers: 0, viewerUrl: '' };
          return copy(cur().push);
        },
      },
    },
  };
}
