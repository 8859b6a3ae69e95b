/** What a button did. Times are on the caller's clock. */
export type ButtonEvent =
  | { type: 'press'; atMs: number }
  /** Still held `longPressMs` after the press (fires once per press). */
  | { type: 'long-press'; atMs: number; heldMs: number }
  | { type: 'release'; atMs: number; heldMs: number; long: boolean };

/** Options of a {@link PressDetector}. */
export interface PressDetectorOptions {
  /** Hold time that makes a press long; default 1500 ms. */
  longPressMs?: number;
  /**
   * Whether the button is already held at start. Such a press is not reported,
   * nor its release: a button stuck at boot must not place a call.
   */
  initiallyPressed?: boolean;
  /**
   * How late a release can arrive after it happened (the debounce window). A
   * long press is reported only once a release before `longPressMs` would have
   * been seen, so a 1.49 s press is never called long by a 1.5 s threshold.
   */
  settleMs?: number;
}

/** Default hold time for a long press. */
export const DEFAULT_LONG_PRESS_MS = 1500;

/**
 * Pure press/release/long-press detection over debounced logical values. Feed
 * changes with {@link process}; call {@link poll} at {@link nextDeadline} so a
 * long press is reported while the button is still held.
 */
export class PressDetector {
  readonly longPressMs: number;
  readonly settleMs: number;
  private pressedAt: number | undefined;
  private longReported = false;
  private ignoreUntilRelease: boolean;

  constructor(options: PressDetectorOptions = {}) {
    const longPressMs = options.longPressMs ?? DEFAULT_LONG_PRESS_MS;
    if (!Number.isFinite(longPressMs) || longPressMs <= 0) throw new RangeError(`longPressMs must be > 0, got ${longPressMs}`);
    this.longPressMs = longPressMs;
    this.settleMs = Math.max(0, options.settleMs ?? 0);
    this.ignoreUntilRelease = options.initiallyPressed ?? false;
  }

  /** Whether a reported press is in progress. */
  get pressed(): boolean {
    return this.pressedAt !== undefined;
  }

  /** Feeds a debounced change (`value` true = pressed) at `atMs`. */
  process(change: { value: boolean; atMs: number }): ButtonEvent[] {
    const { value, atMs } = change;
    if (this.ignoreUntilRelease) {
      if (!value) this.ignoreUntilRelease = false;
      return [];
    }
    if (value) {
      if (this.pressedAt !== undefined) return [];
      this.pressedAt = atMs;
      this.longReported = false;
      return [{ type: 'press', atMs }];
    }
    if (this.pressedAt === undefined) return [];
    const heldMs = atMs - this.pressedAt;
    const long = heldMs >= this.longPressMs || this.longReported;
    const out: ButtonEvent[] = [];
    // Held past the threshold but not reported yet (no poll, or still settling): it comes first.
    if (long && !this.longReported) out.push(this.longPressEvent(this.pressedAt));
    out.push({ type: 'release', atMs, heldMs, long });
    this.pressedAt = undefined;
    return out;
  }

  /** Reports the long press once the button has been held long enough by `nowMs`. */
  poll(nowMs: number): ButtonEvent[] {
    if (this.pressedAt === undefined || this.longReported) return [];
    if (nowMs - this.pressedAt < this.longPressMs + this.settleMs) return [];
    this.longReported = true;
    return [this.longPressEvent(this.pressedAt)];
  }

  private longPressEvent(pressedAt: number): ButtonEvent {
    return { type: 'long-press', atMs: pressedAt + this.longPressMs, heldMs: this.longPressMs };
  }

  /** When {@link poll} can next report something, or undefined. */
  nextDeadline(): number | undefined {
    if (this.pressedAt === undefined || this.longReported) return undefined;
    return this.pressedAt + this.longPressMs + this.settleMs;
  }
}
