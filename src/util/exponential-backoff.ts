/**
 * Capped exponential backoff with jitter, as baresip and PJSIP retry registrations:
 * attempt n waits min(cap, base·2ⁿ) scaled by a random factor in [1 − jitter, 1].
 * Pure: the random source is injectable for tests.
 */
export class ExponentialBackoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly jitter = 0.5,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const raw = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
    if (this.attempt < 32) this.attempt++;
    return Math.round(raw * (1 - this.jitter * this.random()));
  }

  /** How many failures in a row so far. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
