/** Reconnect delays: exponential backoff with full jitter. */

export interface BackoffOptions {
  /** First ceiling, ms (default 500). */
  initialMs?: number;
  /** Largest ceiling, ms (default 30 000). */
  maxMs?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = Math.max(opts.maxMs ?? 30_000, this.initialMs);
    this.random = opts.random ?? Math.random;
  }

  /** The next delay in ms: uniform in [0, min(max, initial·2^n)) for the n-th retry since the last reset. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** A slow retry (e.g. after an authentication failure): uniform in [max/2, max) ms. */
  slow(): number {
    this.attempt++;
    return Math.floor(this.maxMs / 2 + (this.random() * this.maxMs) / 2);
  }

  /** Starts over from the initial delay (after a successful connection). */
  reset(): void {
    this.attempt = 0;
  }
}
