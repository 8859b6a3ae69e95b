import { TargetBlacklist, targetKey } from './server-locator-blacklist.js';
import type { SendTarget } from './transport-types.js';

/** Why a target is given up (RFC 3263 §4.3: transport error, transaction timeout, 503). */
export type TargetFailure = 'transport-error' | 'timeout' | 'service-unavailable';

/** Options of FailoverTargets. */
export interface FailoverTargetsOptions {
  /** Shared record of failed targets; a private one when absent. */
  blacklist?: TargetBlacklist;
  /** Block duration per failure kind in ms; the blacklist's default when absent. */
  blockMs?: Partial<Record<TargetFailure, number>>;
}

/**
 * Walks the ordered result of ServerLocator.locate() for one request (RFC 3263 §4.3): `next()` gives the
 * target to try, `fail()` records why it failed and gives the following one. Targets the blacklist blocks
 * are tried only after all unblocked ones, soonest-unblocked first, so a request is never refused outright
 * because every server failed recently.
 */
export class FailoverTargets {
  private readonly pending: SendTarget[];
  private readonly blacklist: TargetBlacklist;
  private readonly blockMs: Partial<Record<TargetFailure, number>>;
  private currentTarget: SendTarget | undefined;

  constructor(targets: readonly SendTarget[], options: FailoverTargetsOptions = {}) {
    this.pending = [...targets];
    this.blacklist = options.blacklist ?? new TargetBlacklist();
    this.blockMs = options.blockMs ?? {};
  }

  /** The target handed out last (undefined before the first next() and after exhaustion). */
  get current(): SendTarget | undefined {
    return this.currentTarget;
  }

  /** How many targets have not been handed out yet. */
  get remaining(): number {
    return this.pending.length;
  }

  /** The next target to try, or undefined when every target has been tried. */
  next(): SendTarget | undefined {
    let index = this.pending.findIndex((t) => !this.blacklist.isBlocked(t));
    if (index < 0 && this.pending.length > 0) {
      index = 0;
      let soonest = Infinity;
      this.pending.forEach((t, i) => {
        const until = this.blacklist.blockedUntil(t) ?? 0;
        if (until < soonest) [soonest, index] = [until, i];
      });
    }
    this.currentTarget = index < 0 ? undefined : this.pending.splice(index, 1)[0];
    return this.currentTarget;
  }

  /**
   * Records that `target` (the current one by default) failed and returns the next target to try.
   * For a 503, pass the Retry-After seconds to block the target for exactly that long.
   */
  fail(failure: TargetFailure, options: { target?: SendTarget; retryAfterSeconds?: number } = {}): SendTarget | undefined {
    const target = options.target ?? this.currentTarget;
    if (target !== undefined) {
      const ms = options.retryAfterSeconds !== undefined ? options.retryAfterSeconds * 1000 : this.blockMs[failure];
      this.blacklist.markFailed(target, ms);
    }
    return this.next();
  }

  /** Records that `target` (the current one by default) answered: it is unblocked for later requests. */
  succeeded(target: SendTarget | undefined = this.currentTarget): void {
    if (target !== undefined) this.blacklist.clear(target);
  }

  /** Whether two targets are the same transport endpoint. */
  static same(a: SendTarget, b: SendTarget): boolean {
    return targetKey(a) === targetKey(b);
  }
}
