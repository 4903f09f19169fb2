// Entry of grid.html, the page the Go server serves at /?token=T when T
// opens several streams: it lists them (api/streams), lays out a tile each
// (layout.ts) and keeps only the tiles in view streaming. ?codec= on the
// page address is passed on to every tile, as the viewer page does.
import '../viewer-page.css';
import './grid.css';
import type { CodecChoice } from '../viewer';
import { gridShape } from './layout';
import { readListing, type StreamLink } from './listing';
import { createTile, type Tile } from './tile';

/** GAP_PX and BAR_PX are the grid's gaps and a tile's bar height; grid.css takes them from here. */
const GAP_PX = 12;
const BAR_PX = 36;
/** MIN_TILE_PX is the narrowest tile worth drawing: below it the page scrolls. */
const MIN_TILE_PX = 280;
/** ASPECT is the tiles' shape: most cameras' 16:9. Other shapes are letterboxed. */
const ASPECT = 16 / 9;

function must<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`grid.html is missing #${id}`);
  return el;
}

const root = must('grid', HTMLElement);
const list = must('tiles', HTMLUListElement);
const message = must('grid-message', HTMLElement);
const count = must('count', HTMLElement);
const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const codecParam = params.get('codec');
const codec: CodecChoice = codecParam === 'h264' || codecParam === 'jpeg' ? codecParam : 'auto';

/** layOut sizes count tiles for the window as it is now. */
function layOut(count: number): void {
  const shape = gridShape(count, {
    width: list.clientWidth,
    height: window.innerHeight - list.getBoundingClientRect().top - window.scrollY,
    gap: GAP_PX,
    bar: BAR_PX,
    aspect: ASPECT,
    minTileWidth: MIN_TILE_PX,
  });
  list.style.setProperty('--cols', String(shape.cols));
  list.style.setProperty('--tile-w', `${shape.tileWidth}px`);
  root.dataset.cols = String(shape.cols);
  root.dataset.rows = String(shape.rows);
}

/** RELIST_MS is how often the list is read again: streams added or removed on the server appear and go without a reload. */
const RELIST_MS = 5000;

/** tiles are the tiles shown, by stream name, in the list's order. */
let tiles = new Map<string, Tile>();

// Only the tiles in view stream: one scrolled away closes its socket and
// keeps its last picture until it comes back.
const seen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    for (const t of tiles.values()) if (t.element === e.target) t.setInView(e.isIntersecting);
  }
});

/** show makes the tiles those of streams: a stream still listed keeps its tile (and its socket), a new one gets one, a gone one's closes. */
function show(streams: StreamLink[]): void {
  const next = new Map<string, Tile>();
  for (const s of streams) {
    const kept = tiles.get(s.name);
    const tile = kept !== undefined && kept.url === s.url ? kept : createTile(s, { token, codec });
    next.set(s.name, tile);
  }
  for (const [name, t] of tiles) {
    if (next.get(name) !== t) {
      seen.unobserve(t.element);
      t.close();
    }
  }
  for (const [name, t] of next) if (tiles.get(name) !== t) seen.observe(t.element);
  tiles = next;
  list.replaceChildren(...[...tiles.values()].map((t) => t.element));
  list.style.setProperty('--gap', `${GAP_PX}px`);
  list.style.setProperty('--bar', `${BAR_PX}px`);
  const streamsText = `${tiles.size} ${tiles.size === 1 ? 'stream' : 'streams'}`;
  count.textContent = streamsText;
  document.title = `Framecast · ${streamsText}`;
  layOut(tiles.size);
  for (const t of tiles.values()) t.fit();
  root.dataset.state = 'tiles';
}

// A resize lays the tiles out again at once, and once it settles each asks
// for the rendition that fits its new size (a new socket).
let settle: number | undefined;
window.addEventListener('resize', () => {
  layOut(tiles.size);
  window.clearTimeout(settle);
  settle = window.setTimeout(() => {
    for (const t of tiles.values()) t.fit();
  }, 300);
});

/** relist reads the list again now and then, while the page is visible; a failure keeps the tiles as they are (each tells its own state). */
function relist(): void {
  window.setTimeout(async () => {
    if (document.visibilityState === 'visible') {
      const listing = await readListing(location.href, token).catch(() => null);
      if (listing?.ok) show(listing.streams);
    }
    relist();
  }, RELIST_MS);
}

async function main(): Promise<void> {
  const listing = await readListing(location.href, token);
  if (!listing.ok) {
    root.dataset.state = listing.status;
    message.textContent = listing.message;
    message.hidden = false;
    return;
  }
  message.hidden = true;
  message.textContent = '';
  show(listing.streams);
  relist();
}

void main();
