// Viewer-side statistics for the overlay. Latency compares the frame's capture
// time with this machine's clock, so it is exact on loopback and only as good
// as clock sync across machines; the median hides single slow decodes.

/** StatsOptions tunes FrameStats. */
export interface StatsOptions {
  /** Width of the fps window, ms. Default 1000. */
  windowMs?: number;
  /** How many recent latencies the median is taken over. Default 15. */
  latencySamples?: number;
}

/** FrameStats counts drawn frames: fps over a sliding window and median latency. */
export class FrameStats {
  private readonly windowMs: number;
  private readonly latencySamples: number;
  private drawnAt: number[] = [];
  private latencies: number[] = [];

  constructor(options: StatsOptions = {}) {
    this.windowMs = options.windowMs ?? 1000;
    this.latencySamples = options.latencySamples ?? 15;
  }

  /**
   * record notes one frame drawn at nowMs (Unix ms) whose capture time was
   * tsMicros (Unix µs).
   */
  record(tsMicros: number, nowMs: number): void {
    this.drawnAt.push(nowMs);
    this.prune(nowMs);
    this.latencies.push(latencyMs(tsMicros, nowMs));
    if (this.latencies.length > this.latencySamples) this.latencies.shift();
  }

  /** fps is the number of frames drawn in the window ending at nowMs, per second. */
  fps(nowMs: number): number {
    this.prune(nowMs);
    return (this.drawnAt.length * 1000) / this.windowMs;
  }

  /** latencyMs is the median of recent latencies, or null before any frame. */
  latencyMs(): number | null {
    if (this.latencies.length === 0) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** reset forgets everything, e.g. after a reconnect. */
  reset(): void {
    this.drawnAt = [];
    this.latencies = [];
  }

  private prune(nowMs: number): void {
    const oldest = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.drawnAt.length && this.drawnAt[drop]! <= oldest) drop++;
    if (drop > 0) this.drawnAt.splice(0, drop);
  }
}

/** latencyMs is capture-to-now in ms: Date.now()*1000 - ts, scaled to ms. */
export function latencyMs(tsMicros: number, nowMs: number): number {
  return (nowMs * 1000 - tsMicros) / 1000;
}
