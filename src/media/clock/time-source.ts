/** An opaque timer handle of a {@link TimeSource}. */
export type TimerHandle = unknown;

/**
 * A monotonic clock with one-shot timers, injectable so that media timing can be
 * tested without waiting. `now()` is in milliseconds and never goes backwards.
 */
export interface TimeSource {
  now(): number;
  /** Calls `fn` once after `delayMs`; the timer must not keep the process alive. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and unref'ed native timers. */
export const systemTimeSource: TimeSource = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
