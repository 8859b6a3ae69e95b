import { describe, expect, it } from 'vitest';
import { BruteForceGuard } from '../../src/door/brute-force-guard.js';

const make = (over: Partial<ConstructorParameters<typeof BruteForceGuard>[0]> = {}): BruteForceGuard =>
  new BruteForceGuard({ wrongCodesPerCall: 3, globalLimit: 10, windowMs: 600_000, lockoutMs: 300_000, ...over });

describe('BruteForceGuard', () => {
  it('blocks a call after its wrong-code limit, and only that call', () => {
    const g = make();
    expect(g.recordFailure('a', 0)).toEqual({ callBlocked: false });
    expect(g.recordFailure('a', 1)).toEqual({ callBlocked: false });
    expect(g.check('a', 2)).toEqual({ allowed: true });
    expect(g.recordFailure('a', 3)).toEqual({ callBlocked: true });
    expect(g.check('a', 4)).toEqual({ allowed: false, reason: 'call-limit' });
    expect(g.check('b', 4)).toEqual({ allowed: true });
    g.endCall('a');
    expect(g.check('a', 5)).toEqual({ allowed: true });
  });

  it('locks all code entry out when the global limit is reached within the window', () => {
    const g = make({ wrongCodesPerCall: 100 });
    for (let i = 0; i < 9; i++) expect(g.recordFailure(`call${i}`, i * 1000).lockoutStarted).toBeUndefined();
    expect(g.recentFailures(9000)).toBe(9);
    const outcome = g.recordFailure('call9', 60_000);
    expect(outcome.lockoutStarted).toBe(360_000);
    expect(g.check('new-call', 60_001)).toEqual({ allowed: false, reason: 'lockout', until: 360_000 });
    expect(g.lockedUntil(359_999)).toBe(360_000);
  });

  it('ends the lockout at its end time and starts a fresh window', () => {
    const g = make({ globalLimit: 3, lockoutMs: 1000 });
    g.recordFailure('a', 0);
    g.recordFailure('b', 1);
    expect(g.recordFailure('c', 2).lockoutStarted).toBe(1002);
    expect(g.check('d', 1001).allowed).toBe(false);
    expect(g.check('d', 1002)).toEqual({ allowed: true });
    expect(g.lockedUntil(1002)).toBeUndefined();
    expect(g.recentFailures(1002)).toBe(0);
    expect(g.recordFailure('d', 1003).lockoutStarted).toBeUndefined();
  });

  it('forgets failures older than the window', () => {
    const g = make({ globalLimit: 3, windowMs: 10_000, wrongCodesPerCall: 10 });
    g.recordFailure('a', 0);
    g.recordFailure('a', 5000);
    // The first failure is out of the window by now: only two remain, no lockout.
    expect(g.recordFailure('a', 10_000).lockoutStarted).toBeUndefined();
    expect(g.recentFailures(10_000)).toBe(2);
    expect(g.recordFailure('a', 10_001).lockoutStarted).toBe(10_001 + 300_000);
  });

  it('does not extend a lockout with failures during it', () => {
    const g = make({ globalLimit: 1, lockoutMs: 1000, wrongCodesPerCall: 10 });
    expect(g.recordFailure('a', 0).lockoutStarted).toBe(1000);
    expect(g.recordFailure('a', 500).lockoutStarted).toBeUndefined();
    expect(g.lockedUntil(999)).toBe(1000);
    expect(g.lockedUntil(1000)).toBeUndefined();
  });

  it('bounds the number of calls it remembers', () => {
    const g = make({ wrongCodesPerCall: 1, globalLimit: 1000, maxTrackedCalls: 2 });
    g.recordFailure('a', 0);
    g.recordFailure('b', 1);
    g.recordFailure('c', 2);
    expect(g.check('a', 3)).toEqual({ allowed: true }); // forgotten, the oldest
    expect(g.check('c', 3)).toEqual({ allowed: false, reason: 'call-limit' });
  });

  it('reconfigure() takes new limits but keeps an active lockout, blocked calls and the window', () => {
    const g = make({ wrongCodesPerCall: 1, globalLimit: 2, lockoutMs: 1000 });
    g.recordFailure('a', 0);
    expect(g.recordFailure('b', 1).lockoutStarted).toBe(1001);
    g.reconfigure({ wrongCodesPerCall: 5, globalLimit: 2, windowMs: 600_000, lockoutMs: 10 });
    expect(g.check('c', 500)).toEqual({ allowed: false, reason: 'lockout', until: 1001 });
    expect(g.check('a', 1001)).toEqual({ allowed: true }); // the new per-call limit (5) applies to the old count (1)

    const h = make({ wrongCodesPerCall: 10, globalLimit: 3 });
    h.recordFailure('a', 0);
    h.recordFailure('b', 1);
    h.reconfigure({ wrongCodesPerCall: 10, globalLimit: 3, windowMs: 600_000, lockoutMs: 1000 });
    expect(h.recordFailure('c', 2).lockoutStarted).toBe(1002);
  });
});
