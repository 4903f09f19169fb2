// One viewer's WebSocket to the server: frames in, acks out, events turned into
// a connection state, and reconnects with backoff. Drawing is not done here.
import { Backoff } from './backoff';
import { diagnose, type Diagnosis } from './diagnose';
import { parseEvent, type HelloEvent, type StreamState } from './events';
import { parseFrame, type Frame } from './frame';
import { AUTO } from './renditions';
import { endpoints, type Endpoints } from './urls';

/** ConnectionState is what the viewer should tell the person. */
export type ConnectionState = 'connecting' | StreamState | 'unauthorized' | 'replaced' | 'revoked' | 'expired' | 'waiting' | 'offline' | 'moved';

/** StateDetail carries extras for a state: when the next try is, and why. */
export interface StateDetail {
  /** Unix ms of the next connection attempt (offline, waiting and connecting-after-failure). */
  retryAt?: number;
  /** Reason the server gave (status or bye), if any. */
  reason?: string;
}

/** ConnectionOptions configure a Connection. */
export interface ConnectionOptions {
  baseUrl: string;
  token: string;
  /** The rendition to ask for: "auto" (the default) or a name from hello, e.g. "360p". */
  rendition?: string;
  /** The codec to ask for: "jpeg" (the default) or "h264". */
  codec?: string;
  /** Called with each hello, the first message of every connection. */
  onHello?: (hello: HelloEvent) => void;
  /**
   * Called when the server refused the pinned rendition (a link kept from
   * when the stream was larger, say): the connection asks for "auto" from then on.
   */
  onRenditionRefused?: (name: string) => void;
  /** Called for each valid frame; call ack() once the frame is drawn. */
  onFrame: (frame: Frame, ack: () => void) => void;
  onState: (state: ConnectionState, detail: StateDetail) => void;
  /** Bad messages and the like; the connection carries on. */
  onError?: (message: string) => void;
  backoff?: Backoff;
  /**
   * Pauses between looks while a relay has no stream at this link yet;
   * default 3 s doubling to 30 s. Each look costs one wrong token of the
   * address's 20 a minute, so they are further apart than reconnects.
   */
  waitBackoff?: Backoff;
  /** A socket still not open after this long is abandoned. Default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * Connection keeps one WebSocket open while started. Every callback from an
 * old socket is ignored by comparing its generation with the current one, so
 * stop() and reconnects never race with late events.
 */
export class Connection {
  private urls: Endpoints;
  private rendition: string;
  private codec: string;
  private readonly backoff: Backoff;
  private readonly waitBackoff: Backoff;
  private ws: WebSocket | null = null;
  private generation = 0;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private probe: AbortController | null = null;
  private reason: string | undefined;
  /** The server said the stream moved away from this address. */
  private moved = false;
  private state: ConnectionState | null = null;

  constructor(private readonly options: ConnectionOptions) {
    this.rendition = options.rendition ?? AUTO;
    this.codec = options.codec ?? 'jpeg';
    this.urls = endpoints(options.baseUrl, options.token, this.rendition, this.codec);
    this.backoff = options.backoff ?? new Backoff();
    this.waitBackoff = options.waitBackoff ?? new Backoff({ initialMs: 3000, maxMs: 30_000 });
  }

  /** start connects; it does nothing if already started. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.moved = false;
    this.backoff.reset();
    this.waitBackoff.reset();
    this.open();
  }

  /** stop closes the socket and cancels retries; start() may be called again. */
  stop(): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    this.probe?.abort();
    this.probe = null;
    this.ws?.close(1000, 'viewer closed');
    this.ws = null;
    this.state = null;
  }

  /**
   * setRendition asks for another rendition. The server takes the choice at
   * the upgrade only, so a running connection reconnects at once.
   */
  setRendition(name: string): void {
    if (name === this.rendition) return;
    this.rendition = name;
    this.reconnect();
  }

  /** setCodec asks for another codec ("jpeg" or "h264"); a running connection reconnects at once. */
  setCodec(codec: string): void {
    if (codec === this.codec) return;
    this.codec = codec;
    this.reconnect();
  }

  /** requestKey asks the server for an H.264 keyframe: the decoder cannot go on without one. */
  requestKey(): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'key' }));
  }

  private reconnect(): void {
    this.urls = endpoints(this.options.baseUrl, this.options.token, this.rendition, this.codec);
    if (!this.running) return;
    this.stop();
    this.start();
  }

  private setState(state: ConnectionState, detail: StateDetail): void {
    this.state = state;
    this.options.onState(state, detail);
  }

  private open(): void {
    const gen = ++this.generation;
    this.reason = undefined;
    // While offline or waiting, keep saying so (with its countdown) during
    // each retry instead of flickering to "Connecting…" and back.
    if (this.state !== 'offline' && this.state !== 'waiting') this.setState('connecting', {});
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.urls.ws);
    } catch (err) {
      this.options.onError?.(`cannot open WebSocket: ${String(err)}`);
      void this.afterClose(gen, false);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let greeted = false;
    // A socket stuck in CONNECTING (e.g. a black-holed address) never closes by itself.
    const connectTimer = setTimeout(() => ws.close(), this.options.connectTimeoutMs ?? 10_000);
    this.connectTimer = connectTimer;
    ws.onopen = () => clearTimeout(connectTimer);
    ws.onmessage = (ev: MessageEvent) => {
      if (gen !== this.generation) return;
      if (!greeted) {
        // The server talked to us, so this connection is good: start backoff over.
        greeted = true;
        this.backoff.reset();
        this.waitBackoff.reset();
      }
      if (typeof ev.data === 'string') this.handleText(ev.data);
      else if (ev.data instanceof ArrayBuffer) this.handleBinary(ws, gen, ev.data);
    };
    ws.onclose = () => {
      clearTimeout(connectTimer);
      if (gen !== this.generation) return;
      this.ws = null;
      void this.afterClose(gen, greeted);
    };
  }

  private handleText(text: string): void {
    const ev = parseEvent(text);
    if (ev === null) {
      this.options.onError?.(`ignored text message: ${text.slice(0, 80)}`);
    } else if (ev.type === 'bye') {
      this.reason = ev.reason;
      this.moved = ev.moved === true;
    } else {
      if (ev.type === 'hello') this.options.onHello?.(ev);
      if (ev.state !== null) this.setState(ev.state, { reason: ev.type === 'status' ? ev.reason : undefined });
    }
  }

  private handleBinary(ws: WebSocket, gen: number, data: ArrayBuffer): void {
    const result = parseFrame(data);
    if (!result.ok) {
      this.options.onError?.(result.error);
      return;
    }
    // A frame is proof of life when no known state was announced (yet).
    if (this.state === 'connecting' || this.state === 'offline') this.setState('live', {});
    const { seq } = result.frame.header;
    // The ack is bound to the socket the frame came on: a frame drawn after a
    // reconnect must not ack a sequence number on the new connection.
    const ack = (): void => {
      if (gen === this.generation && ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'ack', seq }));
      }
    };
    this.options.onFrame(result.frame, ack);
  }

  private async afterClose(gen: number, greeted: boolean): Promise<void> {
    if (this.moved) {
      // The old address will not serve this stream again: say so once
      // instead of retrying a port that is gone or speaks another scheme.
      this.running = false;
      this.setState('moved', { reason: this.reason });
      return;
    }
    this.probe = new AbortController();
    const diagnosis: Diagnosis = await diagnose(this.urls, { signal: this.probe.signal });
    if (gen !== this.generation || !this.running) return;
    this.settle(gen, diagnosis, greeted);
  }

  /** settle acts on why the connection ended (or why it cannot open yet). */
  private settle(gen: number, diagnosis: Diagnosis, greeted: boolean): void {
    if (diagnosis === 'unauthorized' || diagnosis === 'replaced' || diagnosis === 'revoked' || diagnosis === 'expired') {
      // Retrying cannot fix a wrong, replaced, revoked or expired token; a
      // new link can.
      this.running = false;
      this.setState(diagnosis, { reason: this.reason });
      return;
    }
    if (diagnosis === 'waiting') {
      // A relay with no stream at this link yet: look again, further
      // apart each time, and connect once the state answers.
      const delay = this.waitBackoff.next();
      this.setState('waiting', { retryAt: Date.now() + delay, reason: this.reason });
      this.retryTimer = setTimeout(() => {
        if (gen === this.generation && this.running) void this.lookAgain(gen);
      }, delay);
      return;
    }
    if (diagnosis === 'retry' && !greeted && this.rendition !== AUTO) {
      // Up, and the token is good, yet the upgrade was refused without a
      // word: the server answers 400 to a rendition it does not offer.
      // Asking for that again cannot help; taking what it gives can.
      const refused = this.rendition;
      this.rendition = AUTO;
      this.urls = endpoints(this.options.baseUrl, this.options.token, AUTO, this.codec);
      this.options.onRenditionRefused?.(refused);
    }
    const delay = this.backoff.next();
    const retryAt = Date.now() + delay;
    this.setState(diagnosis === 'offline' ? 'offline' : 'connecting', { retryAt, reason: this.reason });
    this.retryTimer = setTimeout(() => {
      if (gen === this.generation && this.running) this.open();
    }, delay);
  }

  /**
   * lookAgain asks the state before opening a socket while waiting: a
   * refused upgrade would cost a second wrong token for each look.
   */
  private async lookAgain(gen: number): Promise<void> {
    this.probe = new AbortController();
    const diagnosis = await diagnose(this.urls, { signal: this.probe.signal });
    if (gen !== this.generation || !this.running) return;
    if (diagnosis === 'retry') this.open();
    else this.settle(gen, diagnosis, false);
  }
}
