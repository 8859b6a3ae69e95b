import { describe, expect, it } from 'vitest';
import { MediaClock, type MediaClockTick } from '../../../src/media/clock/media-clock.js';
import { systemTimeSource } from '../../../src/media/clock/time-source.js';
import { FakeTimeSource } from './fake-time-source.js';

function record(time: FakeTimeSource, options: { maxCatchUpTicks?: number; periodMs?: number; finalApproachMs?: number } = {}) {
  const ticks: Array<MediaClockTick & { at: number }> = [];
  const clock = new MediaClock((tick) => ticks.push({ ...tick, at: time.now() }), { timeSource: time, ...options });
  return { clock, ticks };
}

describe('MediaClock', () => {
  it('does not drift over 3000 periods although every wake-up is up to 3 ms late', () => {
    const time = new FakeTimeSource(5000);
    let seed = 7;
    time.wakeLatency = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 3;
    const { clock, ticks } = record(time);
    clock.start();
    time.advanceTo(5000 + 2999 * 20 + 3.5);
    expect(ticks).toHaveLength(3000);
    for (const [i, tick] of ticks.entries()) {
      expect(tick.index).toBe(i);
      expect(tick.skipped).toBe(0);
      // Each period goes out within the wake latency of its absolute deadline, never accumulating.
      expect(tick.at - (5000 + i * 20)).toBeGreaterThanOrEqual(0);
      expect(tick.at - (5000 + i * 20)).toBeLessThan(3.01);
    }
    clock.close();
  });

  it('catches up a short stall by delivering the missed periods back to back', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time);
    clock.start();
    time.advanceTo(40);
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 2]);
    time.stall(75); // now 115: periods 3 (60), 4 (80), 5 (100) are overdue
    expect(ticks.slice(3).map((t) => [t.index, t.skipped, t.at])).toEqual([
      [3, 0, 115],
      [4, 0, 115],
      [5, 0, 115],
    ]);
    expect(ticks[3]!.lateMs).toBe(55);
    time.advanceTo(120);
    expect(ticks.at(-1)).toMatchObject({ index: 6, at: 120, lateMs: 0 });
    expect(clock.skipped).toBe(0);
  });

  it('skips the oldest periods of a long stall, reporting them so the RTP timestamp still advances', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time, { maxCatchUpTicks: 3 });
    clock.start();
    time.advanceTo(0);
    time.stall(1010); // periods 1..50 are overdue
    const burst = ticks.slice(1);
    expect(burst.map((t) => [t.index, t.skipped])).toEqual([
      [48, 47],
      [49, 0],
      [50, 0],
    ]);
    expect(clock.skipped).toBe(47);
    expect(clock.ticks).toBe(51);
    time.advanceTo(1020);
    expect(ticks.at(-1)).toMatchObject({ index: 51, at: 1020 });
  });

  it('keeps running when the handler throws, reporting the error', () => {
    const time = new FakeTimeSource(0);
    const errors: unknown[] = [];
    let n = 0;
    const clock = new MediaClock(
      () => {
        n++;
        if (n === 2) throw new Error('boom');
      },
      { timeSource: time, onError: (e) => errors.push(e) },
    );
    clock.start();
    time.advanceTo(100);
    expect(n).toBe(6);
    expect(errors).toHaveLength(1);
  });

  it('close() stops it, clears its timer, is idempotent, and a handler may close it mid-burst', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time);
    clock.start();
    time.advanceTo(30);
    clock.close();
    clock.close();
    expect(time.pending).toBe(0);
    time.advanceTo(200);
    expect(ticks).toHaveLength(2);
    clock.start();
    expect(clock.running).toBe(false);

    const time2 = new FakeTimeSource(0);
    let count = 0;
    const selfClosing: MediaClock = new MediaClock(() => {
      if (++count === 3) selfClosing.close();
    }, { timeSource: time2 });
    selfClosing.start();
    time2.stall(200);
    expect(count).toBe(3);
    expect(time2.pending).toBe(0);
  });

  it('honours another period (30 ms ptime)', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time, { periodMs: 30 });
    clock.start();
    time.advanceTo(300);
    expect(ticks.map((t) => t.at)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300]);
    clock.close();
  });

  it('with a final approach, wakes that much early on its timer and sleeps exactly to each deadline', () => {
    const time = new FakeTimeSource(5000);
    let seed = 11;
    // libuv fires up to ~2 ms early or 1 ms late.
    time.wakeLatency = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 3 - 2;
    const { clock, ticks } = record(time, { finalApproachMs: 2 });
    clock.start();
    time.advanceTo(5000 + 999 * 20 + 3.5);
    expect(ticks).toHaveLength(1000);
    // Armed 2 ms early, woken 4 to 1 ms before each deadline: every period after the
    // first (due at start) was slept to and goes out exactly on its deadline.
    expect(ticks.map((t, i) => t.at - (5000 + i * 20))).toEqual(new Array(1000).fill(0));
    expect(time.sleeps).toEqual(ticks.slice(1).map((_, i) => 5000 + (i + 1) * 20));
    clock.close();
  });

  it('with a final approach, re-arms instead of sleeping when a wake-up comes far too early', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time, { finalApproachMs: 2 });
    clock.start(); // period 0 at once
    time.wakeLatency = () => -10; // the next wake-up comes 12 ms before period 1's deadline
    time.advanceTo(8);
    expect(time.sleeps).toEqual([]);
    time.wakeLatency = () => 0;
    time.advanceTo(20);
    expect(ticks.map((t) => [t.index, t.at])).toEqual([
      [0, 0],
      [1, 20],
    ]);
    expect(time.sleeps).toEqual([20]);
    clock.close();
  });

  it('with a final approach, a wake-up after the deadline delivers at once without sleeping', () => {
    const time = new FakeTimeSource(0);
    const { clock, ticks } = record(time, { finalApproachMs: 2 });
    time.wakeLatency = () => 3; // armed for 18, woken at 21
    clock.start();
    time.advanceTo(21);
    expect(ticks.map((t) => [t.index, t.at, t.lateMs])).toEqual([
      [0, 0, 0],
      [1, 21, 1],
    ]);
    expect(time.sleeps).toEqual([]);
    clock.close();
  });

  it('without sleepUntil in the time source, a final approach is ignored (timers only)', () => {
    const time = new FakeTimeSource(0);
    const plain = { now: () => time.now(), setTimeout: time.setTimeout.bind(time), clearTimeout: time.clearTimeout.bind(time) };
    const at: number[] = [];
    const clock = new MediaClock(() => at.push(time.now()), { timeSource: plain, finalApproachMs: 2 });
    clock.start();
    time.advanceTo(60);
    expect(at).toEqual([0, 20, 40, 60]);
    expect(time.sleeps).toEqual([]);
    clock.close();
  });

  it('the system time source sleeps to a deadline with sub-millisecond precision', () => {
    const errors: number[] = [];
    for (let i = 0; i < 20; i++) {
      const deadline = performance.now() + 1.3;
      systemTimeSource.sleepUntil!(deadline);
      errors.push(performance.now() - deadline);
    }
    errors.sort((a, b) => a - b);
    // Never early; the median within a fraction of a millisecond even on a busy machine.
    expect(errors[0]).toBeGreaterThanOrEqual(0);
    expect(errors[10]).toBeLessThan(0.9);
  });

  it('the system time source unrefs its timers and runs on the monotonic clock', async () => {
    const handle = systemTimeSource.setTimeout(() => {}, 10_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    systemTimeSource.clearTimeout(handle);
    const ticks: number[] = [];
    const clock = new MediaClock(() => ticks.push(performance.now()), { periodMs: 10 });
    clock.start();
    await new Promise((r) => setTimeout(r, 105));
    clock.close();
    expect(ticks.length).toBeGreaterThanOrEqual(9);
    expect(ticks.length).toBeLessThanOrEqual(12);
  });
});
