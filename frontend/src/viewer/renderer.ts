// Decodes JPEG frames off the main thread (createImageBitmap) and draws them
// on a canvas. At most one decode runs at a time and at most one frame waits;
// a newer frame replaces the waiting one, so a slow machine shows fewer but
// fresh frames instead of falling behind.
import type { Frame } from './frame';

/** DrawnFrame describes a frame that is now on the canvas. */
export interface DrawnFrame {
  frame: Frame;
  width: number;
  height: number;
}

/**
 * Decorate paints over a frame just drawn (its detections, say). It runs in
 * the same synchronous step as the frame's drawImage, so what it paints can
 * never end up over another frame's picture.
 */
export type Decorate = (ctx: CanvasRenderingContext2D, drawn: DrawnFrame) => void;

interface Job {
  frame: Frame;
  ack: () => void;
}

/** FrameRenderer draws frames on one canvas, newest wins. */
export class FrameRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private busy = false;
  private waiting: Job | null = null;
  private closed = false;
  // The picture on the canvas, kept so redraw() can paint it again with new
  // decorations. Only one is held: it is closed when the next one is drawn.
  private shown: { bitmap: ImageBitmap; drawn: DrawnFrame } | null = null;
  /** dropped counts frames replaced before they could be drawn. */
  dropped = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onDrawn: (drawn: DrawnFrame) => void,
    private readonly onError: (message: string) => void = () => {},
    private readonly decorate: Decorate = () => {},
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2D context is not available');
    this.ctx = ctx;
  }

  /** push queues a frame; ack is called once it is drawn (or found undecodable). */
  push(frame: Frame, ack: () => void): void {
    if (this.closed) return;
    if (this.busy) {
      if (this.waiting) this.dropped++;
      // The replaced frame needs no ack of its own: acks are cumulative.
      this.waiting = { frame, ack };
      return;
    }
    void this.draw({ frame, ack });
  }

  /** redraw paints the frame on the canvas again, with fresh decorations (e.g. boxes switched off). */
  redraw(): void {
    if (this.closed || !this.shown) return;
    this.paint(this.shown.bitmap, this.shown.drawn);
  }

  /** close stops drawing; frames still decoding are thrown away. */
  close(): void {
    this.closed = true;
    this.waiting = null;
    this.shown?.bitmap.close();
    this.shown = null;
  }

  private paint(bitmap: ImageBitmap, drawn: DrawnFrame): void {
    this.ctx.drawImage(bitmap, 0, 0);
    this.decorate(this.ctx, drawn);
  }

  private async draw(job: Job): Promise<void> {
    this.busy = true;
    try {
      // Copy into a Blob: the JPEG is a view into the socket's message buffer.
      const blob = new Blob([job.frame.jpeg.slice()], { type: 'image/jpeg' });
      const bitmap = await createImageBitmap(blob);
      if (this.closed) {
        bitmap.close();
        return;
      }
      if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
        this.canvas.width = bitmap.width;
        this.canvas.height = bitmap.height;
      }
      const drawn = { frame: job.frame, width: bitmap.width, height: bitmap.height };
      // ImageBitmaps hold decoded pixels outside the JS heap: free the old one now.
      this.shown?.bitmap.close();
      this.shown = { bitmap, drawn };
      this.paint(bitmap, drawn);
      job.ack();
      this.onDrawn(drawn);
    } catch (err) {
      this.onError(`frame ${job.frame.header.seq} could not be decoded: ${String(err)}`);
      // Ack anyway: the server holds back frames until we ack, and a broken
      // JPEG must not stall the stream.
      if (!this.closed) job.ack();
    } finally {
      this.busy = false;
      const next = this.waiting;
      this.waiting = null;
      if (next && !this.closed) void this.draw(next);
    }
  }
}
