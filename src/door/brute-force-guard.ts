/** Limits for wrong door codes; times in milliseconds. */
export interface BruteForceGuardOptions {
  /** Wrong codes one call may enter before its digits are ignored. */
  wrongCodesPerCall: number;
  /** Wrong codes across all calls within `windowMs` that start a lockout. */
  globalLimit: number;
  windowMs: number;
  /** How long all code entry is refused after the global limit was reached. */
  lockoutMs: number;
  /** Calls remembered at once; the oldest is forgotten beyond this (calls that never ended). */
  maxTrackedCalls?: number;
}

/** Whether a call may try a code now. */
export type GuardDecision =
  | { allowed: true }
  | { allowed: false; reason: 'call-limit' }
  | { allowed: false; reason: 'lockout'; until: number };

/** What a wrong code caused. */
export interface FailureOutcome {
  /** This call has used up its attempts. */
  callBlocked: boolean;
  /** Set when this failure started a global lockout: the time it ends. */
  lockoutStarted?: number;
}

/**
 * Counts wrong door codes per call and across calls and decides when code entry
 * is refused. Pure: the caller passes the time. A lockout clears the global
 * window, so after it ends the full `globalLimit` applies afresh.
 */
export class BruteForceGuard {
  private readonly perCall = new Map<string, number>();
  private failures: number[] = [];
  private lockoutEnd: number | undefined;

  constructor(private options: BruteForceGuardOptions) {}

  /**
   * Takes new limits (a configuration reload) and keeps what was counted: an active
   * lockout runs to its end, a call that used up its attempts stays blocked, and
   * the wrong codes in the window still count. Otherwise a reload would hand an
   * attacker fresh attempts.
   */
  reconfigure(options: BruteForceGuardOptions): void {
    this.options = options;
  }

  /** Asks before comparing a code from `callId` (digits from a refused call are to be ignored). */
  check(callId: string, nowMs: number): GuardDecision {
    const until = this.lockedUntil(nowMs);
    if (until !== undefined) return { allowed: false, reason: 'lockout', until };
    if ((this.perCall.get(callId) ?? 0) >= this.options.wrongCodesPerCall) return { allowed: false, reason: 'call-limit' };
    return { allowed: true };
  }

  /** Records a wrong code entered on `callId`. */
  recordFailure(callId: string, nowMs: number): FailureOutcome {
    const count = (this.perCall.get(callId) ?? 0) + 1;
    this.perCall.delete(callId); // re-insert to keep the map in least-recently-used order
    this.perCall.set(callId, count);
    const max = this.options.maxTrackedCalls ?? 64;
    while (this.perCall.size > max) this.perCall.delete(this.perCall.keys().next().value as string);

    const outcome: FailureOutcome = { callBlocked: count >= this.options.wrongCodesPerCall };
    if (this.lockedUntil(nowMs) !== undefined) return outcome;
    this.failures = this.failures.filter((t) => nowMs - t < this.options.windowMs);
    this.failures.push(nowMs);
    if (this.failures.length >= this.options.globalLimit && this.options.lockoutMs > 0) {
      this.lockoutEnd = nowMs + this.options.lockoutMs;
      this.failures = [];
      outcome.lockoutStarted = this.lockoutEnd;
    }
    return outcome;
  }

  /** Forgets a call's count when it ends. */
  endCall(callId: string): void {
    this.perCall.delete(callId);
  }

  /** End of the current lockout, or undefined when code entry is open. */
  lockedUntil(nowMs: number): number | undefined {
    if (this.lockoutEnd !== undefined && nowMs >= this.lockoutEnd) this.lockoutEnd = undefined;
    return this.lockoutEnd;
  }

  /** Wrong codes counted in the current window (for status pages). */
  recentFailures(nowMs: number): number {
    return this.failures.filter((t) => nowMs - t < this.options.windowMs).length;
  }
}
