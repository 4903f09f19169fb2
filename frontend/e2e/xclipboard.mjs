// The X clipboard for the desktop e2e: what the app's Copy buttons put there
// (app.CopyText through Wails), read as any X program pastes it, with the
// X11 protocol's ConvertSelection spoken directly on the display's Unix
// socket, as xscreen.mjs grabs the screen: no xclip on the machine.
import net from 'node:net';
import { once } from 'node:events';

const SelectionNotify = 31;

/**
 * readClipboard returns the text on display's CLIPBOARD (":N") as UTF-8,
 * or '' when nobody owns it or its owner will not give text. It gives up
 * after ms.
 */
export async function readClipboard(display, ms = 3000) {
  const m = /^:(\d+)(\.\d+)?$/.exec(display);
  if (!m) throw new Error(`cannot read the clipboard of display ${display}: only local displays (:N)`);
  const sock = net.createConnection(`/tmp/.X11-unix/X${m[1]}`);
  await once(sock, 'connect');
  const x = new Conn(sock);
  const timer = setTimeout(() => sock.destroy(new Error(`no answer from the clipboard's owner within ${ms} ms`)), ms);
  try {
    // Connection setup: little-endian, protocol 11.0, no authorization.
    const setup = Buffer.alloc(12);
    setup.write('l', 0, 'latin1');
    setup.writeUInt16LE(11, 2);
    sock.write(setup);
    const head = await x.read(8);
    if (head[0] !== 1) throw new Error(`the X display refused the connection (status ${head[0]})`);
    const body = await x.read(head.readUInt16LE(6) * 4);
    const idBase = body.readUInt32LE(4);
    const vendorLen = body.readUInt16LE(16);
    const formats = body[21];
    const root = body.readUInt32LE(32 + Math.ceil(vendorLen / 4) * 4 + formats * 8);

    const [clipboard, utf8, prop] = [await x.atom('CLIPBOARD'), await x.atom('UTF8_STRING'), await x.atom('FRAMECAST_E2E_PASTE')];
    // A window of our own for the owner to answer to: 1×1, input only, never mapped.
    const win = idBase | 1;
    const create = Buffer.alloc(32);
    create[0] = 1; // CreateWindow, depth 0 (InputOnly)
    create.writeUInt16LE(8, 2);
    create.writeUInt32LE(win, 4);
    create.writeUInt32LE(root, 8);
    create.writeUInt16LE(1, 16);
    create.writeUInt16LE(1, 18);
    create.writeUInt16LE(2, 22); // InputOnly
    sock.write(create);
    const convert = Buffer.alloc(24);
    convert[0] = 24; // ConvertSelection
    convert.writeUInt16LE(6, 2);
    convert.writeUInt32LE(win, 4);
    convert.writeUInt32LE(clipboard, 8);
    convert.writeUInt32LE(utf8, 12);
    convert.writeUInt32LE(prop, 16);
    sock.write(convert);
    // The owner answers with SelectionNotify (sent, so its top bit set);
    // property None when there is no owner or no text.
    let ev = await x.next();
    while ((ev[0] & 0x7f) !== SelectionNotify) ev = await x.next();
    if (ev.readUInt32LE(20) === 0) return '';
    const get = Buffer.alloc(24);
    get[0] = 20; // GetProperty
    get.writeUInt16LE(6, 2);
    get.writeUInt32LE(win, 4);
    get.writeUInt32LE(prop, 8);
    get.writeUInt32LE(1 << 20, 20); // up to 4 MiB, in 4-byte units
    sock.write(get);
    const reply = await x.reply();
    if (reply[1] !== 8) return '';
    return reply.subarray(32, 32 + reply.readUInt32LE(16)).toString('utf8');
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}

/** Conn reads an X connection's messages: replies, errors and events. */
class Conn {
  #chunks = [];
  #have = 0;
  #waiting = null; // { need, resolve, reject }: the one read in flight

  constructor(sock) {
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
    this.sock = sock;
  }

  /** atom interns name and returns its atom. */
  async atom(name) {
    const n = Buffer.byteLength(name, 'latin1');
    const req = Buffer.alloc(8 + Math.ceil(n / 4) * 4);
    req[0] = 16; // InternAtom, only-if-exists false
    req.writeUInt16LE(req.length / 4, 2);
    req.writeUInt16LE(n, 4);
    req.write(name, 8, 'latin1');
    this.sock.write(req);
    return (await this.reply()).readUInt32LE(8);
  }

  /** reply reads the next reply whole, skipping events; an error throws. */
  async reply() {
    for (;;) {
      const msg = await this.next();
      if (msg[0] === 1) return msg;
    }
  }

  /** next reads the next message: a reply whole, an event; an error throws. */
  async next() {
    const head = await this.read(32);
    if (head[0] === 0) throw new Error(`X error ${head[1]} on request ${head[10]}`);
    if (head[0] !== 1) return head;
    const more = head.readUInt32LE(4) * 4;
    return more === 0 ? head : Buffer.concat([head, await this.read(more)]);
  }

  read(need) {
    if (this.#waiting) throw new Error('one X read at a time');
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
