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
  /**
   * Blocks the calling thread until `now()` reaches `deadlineMs`, with sub-millisecond
   * precision and without using the CPU. For the last millisecond or two before a media
   * deadline only: the event loop does nothing else meanwhile. Optional: a time source
   * without it leaves the clock to its timers alone.
   */
  sleepUntil?(deadlineMs: number): void;
}

/** The word Atomics.wait sleeps on: nobody ever notifies it, so every wait runs to its timeout. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * The real clock: `performance.now()` and unref'ed native timers. libuv keeps timers in
 * whole milliseconds of a loop time that is itself truncated to the millisecond, so a
 * timer fires anywhere from about 2 ms early to 1 ms late. `sleepUntil` closes that gap:
 * Atomics.wait is a futex wait with a nanosecond timeout (allowed on Node's main thread).
 */
export const systemTimeSource: TimeSource = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  sleepUntil: (deadlineMs) => {
    // A wait may end early (rare); loop until the deadline has really passed.
    for (let remaining = deadlineMs - performance.now(); remaining > 0; remaining = deadlineMs - performance.now()) {
      Atomics.wait(sleepCell, 0, 0, remaining);
    }
  },
};
