// Parsing of one binary WebSocket frame message (docs/protocol.md, "frames"):
//   [N: uint32 big-endian][N bytes UTF-8 JSON header][JPEG bytes ...]
// It returns a result instead of throwing, because a bad message from the
// network must never stop the viewer: the caller logs it and waits for the next.
import { parseDetections, parseProc, type Detection, type ProcTime } from './detections';
import { AUTO, parseRenditionName } from './renditions';

/** FrameHeader is the JSON header of a frame. Unknown fields are kept, not used. */
export interface FrameHeader {
  /** Frame number; increases by at least 1 per frame. */
  seq: number;
  /** Capture time, Unix microseconds. */
  ts: number;
  /** Width of the JPEG in pixels. */
  w: number;
  /** Height of the JPEG in pixels. */
  h: number;
  /** true on the server's NO SIGNAL picture; absent on real frames. */
  placeholder?: unknown;
  /** The rendition this frame is ("360p"); absent from an older server and on the stream's own size. */
  rendition?: unknown;
  /** "h264" on an H.264 frame; absent on a JPEG. */
  codec?: unknown;
  /** true on an H.264 keyframe. */
  key?: unknown;
  [extra: string]: unknown;
}

/** Codec is what a frame's picture is in. */
export type Codec = 'jpeg' | 'h264';

/** Frame is one decoded-enough frame: its header and the raw picture bytes. */
export interface Frame {
  header: FrameHeader;
  /**
   * The picture: a JPEG, or one H.264 access unit (Annex B) when codec is
   * "h264". A view into the original message buffer; not copied.
   */
  jpeg: Uint8Array;
  /** What jpeg holds. */
  codec: Codec;
  /** Whether a decoder can start at this frame: every JPEG, an H.264 keyframe. */
  key: boolean;
  /** What the server's processing chain found, from the header; [] when none or malformed. */
  detections: Detection[];
  /** Each processor's time on this frame, in chain order; [] when none or malformed. */
  proc: ProcTime[];
  /**
   * Whether this is the server's NO SIGNAL picture, sent while the source is
   * retried: it says so in its pixels. Only a header `placeholder: true` makes it one.
   */
  placeholder: boolean;
  /** The rendition this frame is, from the header ("360p"); null when it says none: the stream's own size. */
  rendition: string | null;
}

/** FrameResult is either a frame or a sentence saying what was wrong. */
export type FrameResult = { ok: true; frame: Frame } | { ok: false; error: string };

const LENGTH_BYTES = 4;
const REQUIRED_INTEGERS = ['seq', 'ts', 'w', 'h'] as const;

// fatal: a header that is not valid UTF-8 is an error, not replacement chars.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** parseFrame splits a binary frame message into header and JPEG bytes. */
export function parseFrame(message: ArrayBuffer | Uint8Array): FrameResult {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (bytes.length < LENGTH_BYTES) {
    return fail(`frame too short: ${bytes.length} bytes, need at least ${LENGTH_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, false);
  const headerEnd = LENGTH_BYTES + headerLength;
  if (headerLength === 0) {
    return fail('frame header length is 0');
  }
  if (headerEnd > bytes.length) {
    return fail(`frame header length ${headerLength} is larger than the ${bytes.length - LENGTH_BYTES} bytes after it`);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes.subarray(LENGTH_BYTES, headerEnd)));
  } catch (err) {
    return fail(`frame header is not valid UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('frame header is not a JSON object');
  }
  const header = parsed as Record<string, unknown>;
  for (const key of REQUIRED_INTEGERS) {
    const value = header[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return fail(`frame header field "${key}" must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
  }

  const jpeg = bytes.subarray(headerEnd);
  if (jpeg.length === 0) {
    return fail('frame has no JPEG bytes after its header');
  }
  // The optional fields never fail a frame: a picture without boxes beats no picture.
  const frame: Frame = {
    header: header as FrameHeader,
    jpeg,
    detections: parseDetections(header.detections),
    proc: parseProc(header.proc),
    placeholder: header.placeholder === true,
    rendition: renditionOf(header.rendition),
    codec: header.codec === 'h264' ? 'h264' : 'jpeg',
    key: header.codec !== 'h264' || header.key === true,
  };
  return { ok: true, frame };
}

function renditionOf(value: unknown): string | null {
  const name = parseRenditionName(value);
  return name === AUTO ? null : name;
}

function fail(error: string): FrameResult {
  return { ok: false, error };
}
