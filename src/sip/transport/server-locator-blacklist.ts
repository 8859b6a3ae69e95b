import type { SendTarget } from './transport-types.js';

/** Options of a TargetBlacklist. */
export interface TargetBlacklistOptions {
  /** How long a failed target stays blocked when no duration is given, in ms (default 30 000). */
  defaultDurationMs?: number;
  /** Clock in ms (tests inject a fake one). */
  now?: () => number;
}

/**
 * Targets that recently failed, each blocked until an expiry (RFC 3263 §4.3 failover; Retry-After of a 503).
 * Expiry is checked lazily on access, so no timer is owned and nothing needs closing. Share one instance
 * between locate() calls so that a dead server is skipped by later requests too.
 */
export class TargetBlacklist {
  private readonly until = new Map<string, number>();
  private readonly defaultDurationMs: number;
  private readonly now: () => number;

  constructor(options: TargetBlacklistOptions = {}) {
    this.defaultDurationMs = options.defaultDurationMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Blocks a target for `durationMs` (default duration when omitted); a longer existing block is kept. */
  markFailed(target: SendTarget, durationMs: number = this.defaultDurationMs): void {
    const key = targetKey(target);
    const expiry = this.now() + Math.max(0, durationMs);
    this.until.set(key, Math.max(expiry, this.until.get(key) ?? 0));
  }

  /** When the block on a target ends (ms clock), or undefined if it is not blocked. */
  blockedUntil(target: SendTarget): number | undefined {
    const key = targetKey(target);
    const expiry = this.until.get(key);
    if (expiry === undefined) return undefined;
    if (expiry <= this.now()) {
      this.until.delete(key);
      return undefined;
    }
    return expiry;
  }

  isBlocked(target: SendTarget): boolean {
    return this.blockedUntil(target) !== undefined;
  }

  /** Unblocks one target (e.g. after it answered), or all. */
  clear(target?: SendTarget): void {
    if (target === undefined) this.until.clear();
    else this.until.delete(targetKey(target));
  }

  /** Number of targets currently blocked. */
  get size(): number {
    const now = this.now();
    for (const [key, expiry] of this.until) if (expiry <= now) this.until.delete(key);
    return this.until.size;
  }
}

/** Identity of a target for blocking: protocol, address and port (the host name does not matter). */
export function targetKey(target: SendTarget): string {
  return `${target.protocol}|${target.address}|${target.port}`;
}
