// A screen grabber for the desktop e2e: the X11 protocol's GetImage of the
// root window, spoken directly on the display's Unix socket. A grab takes a
// few milliseconds and no process; ImageMagick's `import` (plus PNG encoding
// and a `convert` to look at it) took about 0.3 s of a core per screenshot,
// which on a 2-core machine both slowed the app it timed and measured the
// first picture only to the nearest 0.3 s.
import net from 'node:net';
import { once } from 'node:events';

/** Screen is a connection to an X display that grabs what its root window shows. */
export class Screen {
  /** width and height are the root window's size in pixels. */
  width = 0;
  height = 0;
  #sock;
  #root = 0;
  #chunks = [];
  #have = 0;
  #waiting = null; // { need, resolve, reject }: the one read in flight

  constructor(sock) {
    this.#sock = sock;
    sock.on('data', (c) => {
      this.#chunks.push(c);
      this.#have += c.length;
      this.#deliver();
    });
    const fail = (err) => {
      const w = this.#waiting;
      this.#waiting = null;
      w?.reject(err ?? new Error('the X display closed the connection'));
    };
    sock.on('error', fail);
    sock.on('close', () => fail());
  }

  /**
   * open connects to display (":N", as in DISPLAY) through its local socket,
   * without authentication, as Xvfb started without -auth allows.
   */
  static async open(display) {
    const m = /^:(\d+)(\.\d+)?$/.exec(display);
    if (!m) throw new Error(`cannot grab display ${display}: only local displays (:N)`);
    const sock = net.createConnection(`/tmp/.X11-unix/X${m[1]}`);
    await once(sock, 'connect');
    const s = new Screen(sock);
    // Connection setup: little-endian, protocol 11.0, no authorization.
    const setup = Buffer.alloc(12);
    setup.write('l', 0, 'latin1');
    setup.writeUInt16LE(11, 2);
    sock.write(setup);
    const head = await s.#read(8);
    if (head[0] !== 1) throw new Error(`the X display refused the connection (status ${head[0]})`);
    const body = await s.#read(head.readUInt16LE(6) * 4);
    const vendorLen = body.readUInt16LE(16);
    const formats = body[21];
    const screen = 32 + Math.ceil(vendorLen / 4) * 4 + formats * 8;
    s.#root = body.readUInt32LE(screen);
    s.width = body.readUInt16LE(screen + 20);
    s.height = body.readUInt16LE(screen + 22);
    return s;
  }

  /**
   * grab returns the root window's pixels now: 4 bytes a pixel, blue, green,
   * red and one unused (a 24-bit display's ZPixmap on a little-endian server).
   */
  async grab() {
    const req = Buffer.alloc(20);
    req[0] = 73; // GetImage
    req[1] = 2; // ZPixmap
    req.writeUInt16LE(5, 2);
    req.writeUInt32LE(this.#root, 4);
    req.writeUInt16LE(this.width, 12);
    req.writeUInt16LE(this.height, 14);
    req.writeUInt32LE(0xffffffff, 16);
    this.#sock.write(req);
    let head = await this.#read(32);
    // Events come to every client unasked (MappingNotify, 34, when xdotool
    // types a character the keymap lacks): 32 bytes each, skipped.
    while (head[0] > 1) head = await this.#read(32);
    if (head[0] !== 1) throw new Error(`GetImage failed: X error ${head[1]}`);
    return this.#read(head.readUInt32LE(4) * 4);
  }

  close() {
    this.#sock.destroy();
  }

  #read(need) {
    if (this.#waiting) throw new Error('one X request at a time');
    return new Promise((resolve, reject) => {
      this.#waiting = { need, resolve, reject };
      this.#deliver();
    });
  }

  #deliver() {
    const w = this.#waiting;
    if (!w || this.#have < w.need) return;
    const all = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    this.#chunks = all.length > w.need ? [all.subarray(w.need)] : [];
    this.#have = all.length - w.need;
    this.#waiting = null;
    w.resolve(all.subarray(0, w.need));
  }
}

/**
 * look describes a grab from every 4th pixel of every 4th row (the grabbing
 * must cost the app it times little CPU): how many colours it has, counted
 * up to 64, and what share of it is each colour of rgbs ([r, g, b], within
 * ImageMagick's 6 % fuzz: a Euclidean distance of 6 % of the range times √3).
 */
export function look(pixels, width, height, rgbs) {
  const fuzz2 = (0.06 * 255) ** 2 * 3;
  const hits = rgbs.map(() => 0);
  const colours = new Set();
  let n = 0;
  for (let y = 0; y < height; y += 4) {
    for (let x = 0, i = y * width * 4; x < width; x += 4, i += 16) {
      const b = pixels[i];
      const g = pixels[i + 1];
      const r = pixels[i + 2];
      n++;
      if (colours.size < 64) colours.add((r << 16) | (g << 8) | b);
      for (let k = 0; k < rgbs.length; k++) {
        const [cr, cg, cb] = rgbs[k];
        if ((r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2 <= fuzz2) hits[k]++;
      }
    }
  }
  return { colours: colours.size, shares: hits.map((h) => h / n) };
}
