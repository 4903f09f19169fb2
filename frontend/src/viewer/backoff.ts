// Reconnect delays. Doubling keeps a dead server from being hammered; jitter
// keeps many viewers that lost the same server from coming back in lockstep.

/** BackoffOptions tunes Backoff; every field has a default. */
export interface BackoffOptions {
  /** First delay, ms. Default 500. */
  initialMs?: number;
  /** Largest delay before jitter, ms. Default 10 000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Spread as a fraction of the delay: 0.2 gives ±20 %. Default 0.2. */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable so tests are exact. */
  random?: () => number;
}

/** Backoff hands out growing reconnect delays until reset() after a good connection. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 10_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new RangeError('Backoff needs initialMs > 0, maxMs >= initialMs and factor >= 1');
    }
  }

  /** attempt is how many delays were handed out since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** next returns the delay to wait before the next try, in whole ms. */
  next(): number {
    const base = Math.min(this.initialMs * this.factor ** this.attempts, this.maxMs);
    this.attempts++;
    const spread = 1 + this.jitter * (2 * this.random() - 1);
    return Math.round(base * spread);
  }

  /** reset starts over at initialMs; call it once a connection has proved good. */
  reset(): void {
    this.attempts = 0;
  }
}
