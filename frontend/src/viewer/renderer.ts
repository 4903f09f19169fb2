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
  /** dropped counts frames replaced before they could be drawn. */
  dropped = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onDrawn: (drawn: DrawnFrame) => void,
    private readonly onError: (message: string) => void = () => {},
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

  /** close stops drawing; frames still decoding are thrown away. */
  close(): void {
    this.closed = true;
    this.waiting = null;
  }

  private async draw(job: Job): Promise<void> {
    this.busy = true;
    try {
      // Copy into a Blob: the JPEG is a view into the socket's message buffer.
      const blob = new Blob([job.frame.jpeg.slice()], { type: 'image/jpeg' });
      const bitmap = await createImageBitmap(blob);
      try {
        if (this.closed) return;
        if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
          this.canvas.width = bitmap.width;
          this.canvas.height = bitmap.height;
        }
        this.ctx.drawImage(bitmap, 0, 0);
        job.ack();
        this.onDrawn({ frame: job.frame, width: bitmap.width, height: bitmap.height });
      } finally {
        // ImageBitmaps hold decoded pixels outside the JS heap; free them now.
        bitmap.close();
      }
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
