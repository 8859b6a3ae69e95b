import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMER_SETTINGS, resolveTimerSettings, transactionTimers } from '../../../src/sip/transactions/timer-settings.js';

describe('timer settings', () => {
  it('uses the RFC 3261 defaults', () => {
    expect(resolveTimerSettings()).toEqual({ t1: 500, t2: 4000, t4: 5000, timerD: 32_000, tryingDelay: 200 });
  });

  it('derives Table 4 for an unreliable transport', () => {
    expect(transactionTimers(DEFAULT_TIMER_SETTINGS, false)).toEqual({
      T1: 500, T2: 4000,
      A: 500, B: 32_000, D: 32_000, E: 500, F: 32_000, G: 500, H: 32_000,
      I: 5000, J: 32_000, K: 5000, L: 32_000, M: 32_000, trying: 200,
    });
  });

  it('zeroes retransmission and wait timers on a reliable transport, keeping B/F/H/L/M', () => {
    const t = transactionTimers(DEFAULT_TIMER_SETTINGS, true);
    expect([t.A, t.D, t.E, t.G, t.I, t.J, t.K]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect([t.B, t.F, t.H, t.L, t.M]).toEqual([32_000, 32_000, 32_000, 32_000, 32_000]);
  });

  it('derives from configured T1/T2/T4', () => {
    const t = transactionTimers(resolveTimerSettings({ t1: 100, t2: 1000, t4: 2000 }), false);
    expect([t.A, t.B, t.F, t.H, t.J, t.L, t.M, t.T2, t.I, t.K]).toEqual([100, 6400, 6400, 6400, 6400, 6400, 6400, 1000, 2000, 2000]);
  });

  it('rejects meaningless values', () => {
    expect(() => resolveTimerSettings({ t1: 0 })).toThrow(RangeError);
    expect(() => resolveTimerSettings({ t4: -1 })).toThrow(RangeError);
    expect(() => resolveTimerSettings({ t1: 500, t2: 100 })).toThrow(/t2/);
    expect(() => resolveTimerSettings({ t2: Number.NaN })).toThrow(RangeError);
  });
});
