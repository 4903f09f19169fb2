// One tile of the grid: a stream's name, its live picture with boxes, its
// state and fps, all inside a link to its full viewer. The picture is the
// shared viewer module's, on the stream's own endpoints (s/<name>/ws); the
// tile pauses it while out of view and pins it to the rendition that fits.
import { createViewer, type CodecChoice, type RenditionState, type Viewer, type ViewerState } from '../viewer';
import { badge } from './badge';
import { tileRendition } from './fit';
import { viewerLink, type StreamLink } from './listing';

/** Tile is one stream's tile; the page owns its place in the grid. */
export interface Tile {
  /** The tile's list item; gets the viewer's data-* (data-state, data-frames, data-rendition, …). */
  readonly element: HTMLLIElement;
  /** url is the stream's viewer page the tile shows. */
  url: string;
  /** close stops the tile's stream for good: the stream left the list. */
  close(): void;
  /** setInView starts the stream (true) or pauses it, keeping the last picture. */
  setInView(on: boolean): void;
  /** fit asks for the rendition that fits the tile's size now. */
  fit(): void;
}

/** TileOptions are what every tile of a page shares. */
export interface TileOptions {
  token: string;
  /** What the tiles ask for; the link to the full viewer keeps a choice other than auto (?codec=). */
  codec: CodecChoice;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

/** createTile builds the tile of stream, paused until setInView(true). */
export function createTile(stream: StreamLink, options: TileOptions): Tile {
  const item = el('li', 'tile');
  const link = el('a', 'tile-link');
  const href = new URL(viewerLink(stream, options.token));
  if (options.codec !== 'auto') href.searchParams.set('codec', options.codec);
  link.href = href.toString();
  const stage = el('div', 'tile-stage');
  const canvas = el('canvas', 'tile-screen');
  const message = el('p', 'message tile-message');
  message.hidden = true;
  const stats = el('p', 'stats tile-stats');
  stats.textContent = '– fps · – ms';
  const bar = el('div', 'tile-bar');
  const name = el('span', 'tile-name');
  // Names come from the server's list: text only, never markup.
  name.textContent = stream.name;
  name.title = stream.name;
  const pill = el('span', 'tile-badge');
  const counts = el('span', 'tile-counts');
  stage.append(canvas, message, stats);
  bar.append(name, pill, counts);
  link.append(stage, bar);
  item.append(link);
  item.dataset.stream = stream.name;

  let viewer: Viewer | null = null;
  let state: ViewerState = 'connecting';
  let sentence = '';
  const label = (): void => {
    const b = badge(state, (viewer?.frames ?? 0) > 0);
    pill.textContent = b.text;
    pill.dataset.tone = b.tone;
    // Paused is the tile out of view (or the page hidden): nothing to tell.
    const now = state === 'live' || state === 'paused' ? state : sentence || b.text.toLowerCase();
    // One name for the whole link: what it opens, and what the tile shows now.
    link.setAttribute('aria-label', `${stream.name}: ${now}. Open the full viewer.`);
  };

  let renditions: RenditionState | null = null;
  // What was last asked for, of which ladder: a name the server refused
  // (it then gives auto) is not asked for again until the ladder changes.
  let asked = '';
  const fit = (): void => {
    if (renditions === null || viewer === null) return;
    const box = stage.getBoundingClientRect();
    const want = tileRendition(renditions.available, box.width, box.height, window.devicePixelRatio);
    if (want === null || want === renditions.selected) return;
    const ask = JSON.stringify([want, renditions.available]);
    if (ask === asked) return;
    asked = ask;
    viewer.setRendition(want);
  };

  viewer = createViewer({
    root: item,
    canvas,
    overlay: stats,
    message,
    baseUrl: stream.url,
    token: options.token,
    codec: options.codec,
    paused: true,
    onStatus: (s) => {
      state = s.state;
      sentence = s.message;
      label();
    },
    onDetections: ({ text }) => {
      counts.textContent = text;
    },
    // Each hello lists the renditions: the tile takes the one that fits it.
    onRenditions: (st) => {
      renditions = st;
      fit();
    },
  });
  label();

  return {
    element: item,
    url: stream.url,
    setInView(on) {
      viewer?.setPaused(!on);
    },
    close() {
      viewer?.close();
      viewer = null;
    },
    fit,
  };
}
