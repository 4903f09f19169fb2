// createViewer wires the parts into one live view: a Connection feeds a
// FrameRenderer, FrameStats measure what was drawn, and the overlay, status
// message and data-* attributes show it. The page and the desktop UI share it.
import { drawDetections } from './boxes';
import { Connection, type ConnectionState, type StateDetail } from './connection';
import { countByLabel, countsText, type Detection, type LabelCount } from './detections';
import { CODEC_FALLBACK_NOTICE, messageOverPicture, statsLine, statusMessage, type ViewerState } from './format';
import { H264Renderer, h264Supported } from './h264';
import { FrameRenderer, type Decorate, type DrawnFrame } from './renderer';
import { AUTO, frameRendition, type Rendition, type RenditionState } from './renditions';
import { FrameStats } from './stats';

/** ViewerStatus is reported to onStatus whenever the state or its message changes. */
export interface ViewerStatus {
  state: ViewerState;
  /** Human sentence for the state; "" while live. */
  message: string;
  /** Reason given by the server, if any. */
  reason?: string;
}

/** ViewerOptions configure createViewer. */
export interface ViewerOptions {
  /** Canvas the frames are drawn on. Its pixel size follows the frames. */
  canvas: HTMLCanvasElement;
  /**
   * Element that gets data-state, data-frames, data-last-seq, data-dropped,
   * data-latency-ms, and for the last drawn frame data-detections (boxes drawn
   * on it: 0 while boxes are hidden), data-boxes (its detections as JSON) and
   * data-placeholder ("true" while it is the server's NO SIGNAL picture)
   * and data-rendition (the rendition it is, when the server names them).
   * Default: canvas.
   */
  root?: HTMLElement;
  /**
   * Element for what the viewer chose by itself and the person should
   * know: that H.264 kept failing to decode and the picture is JPEG
   * instead. Hidden while there is nothing to say; the root gets
   * data-codec-fallback="true" while it says so.
   */
  notice?: HTMLElement;
  /** Called when H.264 kept failing to decode and the viewer asked for JPEG instead. */
  onCodecFallback?: () => void;
  /** Element for the stats line ("30.0 fps · 12 ms · 1280×720"). */
  overlay?: HTMLElement;
  /**
   * How the stats line names the drawn frames' size; default "1280×720". The
   * desktop's preview says it is a smaller copy of the stream.
   */
  describeSize?: (width: number, height: number) => string;
  /**
   * Element for status sentences, over the picture; make it an aria-live
   * region. It is hidden while the NO SIGNAL picture is on screen, which
   * says so itself; onStatus still gets the sentence.
   */
  message?: HTMLElement;
  /** Server base URL: http(s): or ws(s):, e.g. location.href or "ws://127.0.0.1:8080". */
  baseUrl: string;
  /** Stream access token. */
  token: string;
  onStatus?: (status: ViewerStatus) => void;
  /** Close the socket while the document is hidden. Default true. */
  pauseWhenHidden?: boolean;
  /** Start paused, with no socket, until setPaused(false). Default false. */
  paused?: boolean;
  /** Draw each frame's detections over it. Default true; see Viewer.setShowDetections. */
  showDetections?: boolean;
  /** Called when the per-label counts of the drawn frame change, e.g. to show "2 face · 1 motion". */
  onDetections?: (summary: DetectionSummary) => void;
  /** The rendition to ask for: "auto" (the default) or a name hello lists, e.g. "360p". */
  rendition?: string;
  /**
   * Called when what the viewer knows of renditions changes: on each hello,
   * on setRendition, and when the drawn frame is of another rendition.
   */
  onRenditions?: (renditions: RenditionState) => void;
  /**
   * The codec to ask for: "jpeg" (the default), "h264", or "auto": H.264
   * where this browser decodes it with WebCodecs (a secure context), JPEG
   * otherwise. H.264 that keeps failing to decode falls back to JPEG. The
   * root gets data-codec, what the frames drawn are in.
   */
  codec?: CodecChoice;
}

/** CodecChoice is what a viewer may ask for. */
export type CodecChoice = 'auto' | 'h264' | 'jpeg';

/** DetectionSummary is what the last drawn frame's detections add up to. */
export interface DetectionSummary {
  /** Boxes per label, most first; [] when the frame has none. */
  counts: LabelCount[];
  /** The counts as a line, "2 face · 1 motion"; "" when none. */
  text: string;
}

/** Viewer is a running view; close() stops it for good. */
export interface Viewer {
  readonly state: ViewerState;
  /** Whether detections are drawn over the frames. */
  readonly showDetections: boolean;
  /** setShowDetections shows or hides the boxes, at once on the frame already shown. */
  setShowDetections(on: boolean): void;
  /** The stream's name from hello; "" until one came. */
  readonly stream: string;
  /** How many frames have been drawn. */
  readonly frames: number;
  /** setRendition asks for a rendition ("auto" or a name from hello); it reconnects when the choice changes. */
  setRendition(name: string): void;
  /** setCodec asks for "auto" (H.264 where this browser decodes it), "h264" or "jpeg"; it reconnects when that changes what is asked. */
  setCodec(choice: CodecChoice): void;
  /**
   * setPaused closes the socket (true) and keeps the last picture, as a
   * hidden page does, until setPaused(false): the grid pauses a tile
   * scrolled out of view. A hidden page stays paused either way.
   */
  setPaused(paused: boolean): void;
  close(): void;
}

const OVERLAY_REFRESH_MS = 250;

/** createViewer starts showing the stream at once (unless the page is hidden). */
export function createViewer(options: ViewerOptions): Viewer {
  const root = options.root ?? options.canvas;
  const stats = new FrameStats();
  const pauseWhenHidden = options.pauseWhenHidden ?? true;
  let state: ViewerState = 'connecting';
  let detail: StateDetail = {};
  let shownMessage: string | null = null;
  // What the message element shows: shownMessage, or nothing over a NO SIGNAL picture.
  let shownOver: string | null = null;
  let placeholderOnScreen = false;
  let frames = 0;
  let size = { w: 0, h: 0 };
  let showDetections = options.showDetections ?? true;
  let summaryText: string | null = null;
  let stream = '';
  let available: Rendition[] = [];
  let selected = options.rendition ?? AUTO;
  let current: string | null = null;
  const renditionsChanged = (): void => {
    if (current !== null) setData('rendition', current);
    else delete root.dataset.rendition;
    options.onRenditions?.({ available, selected, current });
  };

  const onDrawn = ({ frame, width, height }: DrawnFrame): void => {
    const now = Date.now();
    stats.record(frame.header.ts, now);
    frames++;
    size = { w: width, h: height };
    root.dataset.frames = String(frames);
    root.dataset.lastSeq = String(frame.header.seq);
    root.dataset.dropped = String(renderer.dropped);
    const rendition = frameRendition(frame.rendition, available);
    if (rendition !== current) {
      current = rendition;
      renditionsChanged();
    }
    if (frame.placeholder !== placeholderOnScreen) {
      placeholderOnScreen = frame.placeholder;
      root.dataset.placeholder = String(placeholderOnScreen);
      refresh();
    }
  };
  const logError = (message: string): void => console.warn(`framecast viewer: ${message}`);

  // decorate runs in the same step as the frame's drawImage: boxes are only
  // ever drawn over the picture they were found in.
  const decorate: Decorate = (ctx, { frame, width, height }) => {
    const shown: Detection[] = showDetections ? frame.detections : [];
    drawDetections(ctx, shown, { frameW: frame.header.w, frameH: frame.header.h, canvasW: width, canvasH: height });
    setData('detections', String(shown.length));
    setData('boxes', JSON.stringify(frame.detections));
    const counts = countByLabel(frame.detections);
    const text = countsText(counts);
    if (text !== summaryText) {
      summaryText = text;
      options.onDetections?.({ counts, text });
    }
  };
  // setData skips unchanged values: most frames carry the same boxes as the last.
  const setData = (key: string, value: string): void => {
    if (root.dataset[key] !== value) root.dataset[key] = value;
  };
  // The picture is drawn by the renderer of the codec the server's hello
  // names: JPEG (createImageBitmap) or H.264 (WebCodecs).
  let renderer: FrameRenderer | H264Renderer = new FrameRenderer(options.canvas, onDrawn, logError, decorate);
  const useCodec = (codec: string): void => {
    const h264 = codec.startsWith('avc1');
    if (h264 === (renderer instanceof H264Renderer)) {
      // A new connection: H.264 starts over at its first keyframe.
      if (renderer instanceof H264Renderer) renderer.startOver();
      return;
    }
    renderer.close();
    renderer = h264
      ? new H264Renderer(options.canvas, onDrawn, logError, decorate, fallBack, () => connection.requestKey())
      : new FrameRenderer(options.canvas, onDrawn, logError, decorate);
    setData('codec', h264 ? 'h264' : 'jpeg');
  };
  // fallBack gives up on H.264 for this viewer, and says so until the
  // person chooses a codec again.
  const fallBack = (): void => {
    logError('H.264 keeps failing to decode here: asking for JPEG');
    connection.setCodec('jpeg');
    showNotice(CODEC_FALLBACK_NOTICE);
    options.onCodecFallback?.();
  };
  const showNotice = (text: string): void => {
    if (text === '') delete root.dataset.codecFallback;
    else root.dataset.codecFallback = 'true';
    if (!options.notice) return;
    options.notice.textContent = text;
    options.notice.hidden = text === '';
  };

  const setState = (next: ViewerState, nextDetail: StateDetail): void => {
    state = next;
    detail = nextDetail;
    // Without a connection the last figures are history, not a measurement.
    if (next !== 'live' && next !== 'no-signal' && next !== 'off') stats.reset();
    root.dataset.state = next;
    refresh();
  };

  // refresh redraws the overlay and, only when they changed, the status
  // message and what of it shows over the picture, so an aria-live region is
  // not re-announced four times a second.
  const refresh = (): void => {
    const now = Date.now();
    const latency = stats.latencyMs();
    if (latency !== null) root.dataset.latencyMs = latency.toFixed(1);
    if (options.overlay) options.overlay.textContent = statsLine(stats.fps(now), latency, size.w, size.h, options.describeSize);
    const message = statusMessage(state, detail.retryAt, now);
    const over = messageOverPicture(message, state, placeholderOnScreen);
    if (options.message && over !== shownOver) {
      options.message.textContent = over;
      options.message.hidden = over === '';
    }
    shownOver = over;
    if (message === shownMessage) return;
    shownMessage = message;
    options.onStatus?.({ state, message, reason: detail.reason });
  };

  const connection = new Connection({
    baseUrl: options.baseUrl,
    token: options.token,
    rendition: selected,
    codec: options.codec === 'h264' ? 'h264' : 'jpeg',
    onHello: (hello) => {
      useCodec(hello.codec);
      stream = typeof hello.stream === 'string' ? hello.stream : '';
      available = hello.renditions;
      // The server says what it gives this viewer; a name it does not know may have become auto.
      if (hello.rendition !== undefined) selected = hello.rendition;
      renditionsChanged();
    },
    onRenditionRefused: (name) => {
      logError(`the server does not offer rendition ${name}: asking for auto`);
      selected = AUTO;
      renditionsChanged();
    },
    onFrame: (frame, ack) => renderer.push(frame, ack),
    onState: (next: ConnectionState, nextDetail) => setState(next, nextDetail),
    onError: logError,
  });

  // The socket is open unless the viewer is paused, or the page is hidden.
  let paused = options.paused ?? false;
  const runOrPause = (): void => {
    if (paused || (pauseWhenHidden && document.hidden)) {
      connection.stop();
      setState('paused', {});
    } else {
      connection.start();
    }
  };

  root.dataset.frames = '0';
  root.dataset.state = state;
  root.dataset.detections = '0';
  root.dataset.placeholder = 'false';
  root.dataset.showDetections = String(showDetections);
  root.dataset.codec = 'jpeg';
  const timer = setInterval(refresh, OVERLAY_REFRESH_MS);
  let closed = false;
  let started = false;
  const begin = (): void => {
    if (closed) return;
    started = true;
    if (pauseWhenHidden) document.addEventListener('visibilitychange', runOrPause);
    runOrPause();
  };
  // askFor makes the connection ask for choice; "auto" asks the browser
  // first whether it decodes H.264, which takes a moment.
  const askFor = async (choice: CodecChoice): Promise<void> => {
    const codec = choice === 'auto' ? ((await h264Supported()) ? 'h264' : 'jpeg') : choice;
    if (!closed) connection.setCodec(codec);
  };
  if (options.codec === 'auto') {
    // The first connection waits for the browser's answer.
    void askFor('auto').then(begin);
  } else {
    begin();
  }

  return {
    get state() {
      return state;
    },
    get showDetections() {
      return showDetections;
    },
    setShowDetections(on: boolean) {
      if (on === showDetections) return;
      showDetections = on;
      root.dataset.showDetections = String(on);
      renderer.redraw();
    },
    get stream() {
      return stream;
    },
    get frames() {
      return frames;
    },
    setCodec(choice: CodecChoice) {
      showNotice('');
      void askFor(choice);
    },
    setPaused(on: boolean) {
      if (on === paused) return;
      paused = on;
      // Before the first connection (codec "auto" asks the browser first), begin applies it.
      if (!closed && started) runOrPause();
    },
    setRendition(name: string) {
      if (name === selected) return;
      selected = name;
      connection.setRendition(name);
      renditionsChanged();
    },
    close() {
      closed = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', runOrPause);
      connection.stop();
      renderer.close();
    },
  };
}
