/** A monotonic millisecond clock; tests inject a fake one. */
export type NowFn = () => number;

/** The default monotonic clock. */
export const monotonicNow: NowFn = () => performance.now();

/**
 * One owned, unref()ed timer that fires at an absolute time on a given clock.
 * Rescheduling replaces the previous deadline; `close()` cancels it for good.
 */
export class DeadlineTimer {
  private handle: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly now: NowFn,
    private readonly onFire: () => void,
  ) {}

  /** Fires `onFire` at `atMs` (immediately on the next turn if already past); undefined cancels. */
  schedule(atMs: number | undefined): void {
    this.cancel();
    if (atMs === undefined || this.closed) return;
    const delay = Math.max(0, Math.ceil(atMs - this.now()));
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.onFire();
    }, delay);
    this.handle.unref();
  }

  cancel(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  close(): void {
    this.closed = true;
    this.cancel();
  }
}
