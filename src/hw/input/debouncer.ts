/** A debounced state change: `value` became stable, beginning at `atMs`. */
export interface DebouncedChange {
  value: boolean;
  /** When the raw signal last changed to `value` (the start of the stable period). */
  atMs: number;
}

/** Options of a {@link Debouncer}. */
export interface DebouncerOptions {
  /** How long the raw signal must hold a new value before it is reported; default 30 ms. */
  windowMs?: number;
  /** The state assumed at start (normally the first raw read). */
  initial: boolean;
}

/**
 * Pure stable-state debouncer: a new value is reported only once the raw signal
 * has held it for the whole window, so contact bounce and noise spikes shorter
 * than the window never reach the caller. Time is passed in; call {@link poll}
 * at {@link nextDeadline} (a timer adapter does this) to confirm the last edge.
 */
export class Debouncer {
  readonly windowMs: number;
  private stable: boolean;
  private raw: boolean;
  private rawSinceMs = Number.NEGATIVE_INFINITY;

  constructor(options: DebouncerOptions) {
    const windowMs = options.windowMs ?? 30;
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError(`debounce window must be >= 0 ms, got ${windowMs}`);
    this.windowMs = windowMs;
    this.stable = options.initial;
    this.raw = options.initial;
  }

  /** The last reported (debounced) value. */
  get value(): boolean {
    return this.stable;
  }

  /**
   * Feeds one raw sample or edge observed at `atMs` (non-decreasing). Returns the
   * change(s) this makes certain: possibly the confirmation of an earlier edge
   * whose window ran out before this sample, and, with a 0 ms window, this one.
   */
  sample(value: boolean, atMs: number): DebouncedChange[] {
    const out = this.poll(atMs);
    if (value !== this.raw) {
      this.raw = value;
      this.rawSinceMs = atMs;
      out.push(...this.poll(atMs));
    }
    return out;
  }

  /** Confirms the pending value if it has been stable for the window by `nowMs`. */
  poll(nowMs: number): DebouncedChange[] {
    if (this.raw === this.stable) return [];
    if (nowMs - this.rawSinceMs < this.windowMs) return [];
    this.stable = this.raw;
    return [{ value: this.stable, atMs: this.rawSinceMs }];
  }

  /** When {@link poll} can next report something, or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    return this.raw === this.stable ? undefined : this.rawSinceMs + this.windowMs;
  }
}
