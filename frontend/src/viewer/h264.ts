// Decodes H.264 frames with WebCodecs (VideoDecoder) and draws them on a
// canvas, each with its own frame's decorations (boxes), and acks a frame
// once it is drawn, as FrameRenderer does for JPEG. Frames depend on the
// ones before them, so none is skipped here: the server sends a frame only
// when the one before was acked (or waits for a keyframe after a skip).
import type { Frame } from './frame';
import type { Decorate, DrawnFrame } from './renderer';

/** H264_CODEC is the codec string the server's hello names for H.264. */
export const H264_CODEC = 'avc1.42E01F';

/**
 * h264Supported says whether this browser decodes the server's H.264 with
 * WebCodecs: only in a secure context (https, or http://localhost), and
 * only where VideoDecoder takes the codec.
 */
export async function h264Supported(): Promise<boolean> {
  if (typeof VideoDecoder === 'undefined' || !globalThis.isSecureContext) return false;
  try {
    const support = await VideoDecoder.isConfigSupported({ codec: H264_CODEC, optimizeForLatency: true });
    return support.supported === true;
  } catch {
    return false;
  }
}

/** ERRORS_BEFORE_GIVING_UP decode errors within ERROR_WINDOW_MS make the viewer fall back to JPEG. */
const ERRORS_BEFORE_GIVING_UP = 3;
const ERROR_WINDOW_MS = 10_000;

interface Pending {
  frame: Frame;
  ack: () => void;
}

/**
 * H264Renderer draws H.264 frames on one canvas. A decoder error starts
 * over at the next keyframe, which it asks for (onNeedKey).
 */
export class H264Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private decoder: VideoDecoder | null = null;
  // Frames given to the decoder, by their seq (the chunk's timestamp).
  private readonly pending = new Map<number, Pending>();
  private waitingForKey = true;
  private closed = false;
  private errors: number[] = [];
  private shown: { picture: VideoFrame; drawn: DrawnFrame } | null = null;
  /** dropped counts frames that could not be decoded (before a keyframe, after an error). */
  dropped = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onDrawn: (drawn: DrawnFrame) => void,
    private readonly onError: (message: string) => void,
    private readonly decorate: Decorate,
    /** Called once when decoding keeps failing: the viewer should ask for JPEG. */
    private readonly onGiveUp: () => void,
    /** Called when the decoder needs a keyframe to go on: the viewer asks the server for one. */
    private readonly onNeedKey: () => void = () => {},
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2D context is not available');
    this.ctx = ctx;
    this.prepare();
  }

  /** push decodes a frame; ack is called once it is drawn (or could not be). */
  push(frame: Frame, ack: () => void): void {
    if (this.closed) return;
    if (frame.codec !== 'h264') {
      // A JPEG on an H.264 connection (the server changed its mind): nothing to decode here.
      ack();
      return;
    }
    if (this.waitingForKey && !frame.key) {
      this.dropped++;
      ack();
      return;
    }
    this.waitingForKey = false;
    this.pending.set(frame.header.seq, { frame, ack });
    try {
      this.ensureDecoder().decode(
        new EncodedVideoChunk({ type: frame.key ? 'key' : 'delta', timestamp: frame.header.seq, data: frame.jpeg }),
      );
    } catch (err) {
      this.failed(`frame ${frame.header.seq} could not be decoded: ${String(err)}`);
    }
  }

  /**
   * startOver forgets the frames of an earlier connection and waits for a
   * keyframe: on a new connection (a reconnect, the tab shown again) the
   * first frames may refer to pictures this decoder never had, and frames
   * still decoding would ack on a socket that is gone. The picture on
   * screen stays until the keyframe's is drawn.
   */
  startOver(): void {
    if (this.closed) return;
    this.pending.clear();
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    this.waitingForKey = true;
    this.prepare();
  }

  /** redraw paints the frame on the canvas again, with fresh decorations. */
  redraw(): void {
    if (this.closed || !this.shown) return;
    this.paint(this.shown.picture, this.shown.drawn);
  }

  /** close stops decoding and drawing. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  /**
   * prepare configures a decoder ahead of the next keyframe: configuring
   * takes a few to tens of milliseconds, better spent while the keyframe is
   * on its way. Where that fails (no WebCodecs here), push tries again and
   * counts the failure as a decoder error.
   */
  private prepare(): void {
    try {
      this.ensureDecoder();
    } catch {
      this.decoder = null;
    }
  }

  private ensureDecoder(): VideoDecoder {
    if (this.decoder && this.decoder.state !== 'closed') return this.decoder;
    const decoder = new VideoDecoder({
      output: (picture) => this.output(picture),
      error: (err) => this.failed(`the H.264 decoder failed: ${err.message}`),
    });
    decoder.configure({ codec: H264_CODEC, optimizeForLatency: true });
    this.decoder = decoder;
    return decoder;
  }

  private output(picture: VideoFrame): void {
    const job = this.pending.get(picture.timestamp);
    // Acks are cumulative: this frame's covers every earlier one still pending.
    for (const seq of this.pending.keys()) if (seq <= picture.timestamp) this.pending.delete(seq);
    if (this.closed || !job) {
      picture.close();
      return;
    }
    const width = picture.displayWidth;
    const height = picture.displayHeight;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const drawn = { frame: job.frame, width, height };
    this.shown?.picture.close();
    this.shown = { picture, drawn };
    this.paint(picture, drawn);
    job.ack();
    this.onDrawn(drawn);
  }

  private paint(picture: VideoFrame, drawn: DrawnFrame): void {
    this.ctx.drawImage(picture, 0, 0);
    this.decorate(this.ctx, drawn);
  }

  /** failed starts over at the next keyframe; after repeated failures it gives up. */
  private failed(message: string): void {
    if (this.closed) return;
    this.onError(message);
    // Ack what was pending: the server holds frames back until we do.
    for (const { ack } of this.pending.values()) ack();
    this.dropped += this.pending.size;
    this.pending.clear();
    this.reset();
    this.waitingForKey = true;
    const now = Date.now();
    this.errors = [...this.errors.filter((t) => now - t < ERROR_WINDOW_MS), now];
    if (this.errors.length >= ERRORS_BEFORE_GIVING_UP) {
      this.closed = true;
      this.onGiveUp();
      return;
    }
    this.onNeedKey();
  }

  private reset(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    this.shown?.picture.close();
    this.shown = null;
  }
}
