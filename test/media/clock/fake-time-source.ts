import type { TimeSource, TimerHandle } from '../../../src/media/clock/time-source.js';

interface FakeTimer {
  id: number;
  dueMs: number;
  fn: () => void;
}

/**
 * A manual monotonic clock. Timers fire in due order when time is advanced;
 * `wakeLatency` adds an extra delay to every timer as a busy event loop would.
 */
export class FakeTimeSource implements TimeSource {
  private nowMs: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];
  wakeLatency: () => number = () => 0;
  /** Deadlines slept to with sleepUntil, in order. */
  readonly sleeps: number[] = [];

  constructor(startMs = 1000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, dueMs: this.nowMs + Math.max(0, delayMs) + this.wakeLatency(), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Sleeping blocks: time jumps to the deadline without firing any timer on the way. */
  sleepUntil(deadlineMs: number): void {
    this.sleeps.push(deadlineMs);
    this.nowMs = Math.max(this.nowMs, deadlineMs);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  advanceTo(targetMs: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.dueMs - b.dueMs || a.id - b.id);
      const next = this.timers[0];
      if (next === undefined || next.dueMs > targetMs) break;
      this.timers.shift();
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.fn();
    }
    this.nowMs = Math.max(this.nowMs, targetMs);
  }

  /** Jumps time forward without firing anything (the process was stopped), then fires what is due. */
  stall(ms: number): void {
    this.nowMs += ms;
    this.advance(0);
  }
}
