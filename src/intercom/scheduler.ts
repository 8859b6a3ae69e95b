/** Cancels a scheduled callback; calling it again does nothing. */
export type CancelTimer = () => void;

/**
 * The clock and one-shot timers the intercom policy runs on. Policy classes take
 * one so that tests drive time with fake timers or a hand-written fake.
 */
export interface Scheduler {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `fn` once after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, fn: () => void): CancelTimer;
}

/** Timers on `setTimeout`, unref()ed so a pending ring timeout never keeps the process alive. */
export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  schedule(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};
