import type { BruteForceConfig, DoorsConfig } from '../config/portier-config.js';
import { BruteForceGuard, type BruteForceGuardOptions } from '../door/brute-force-guard.js';
import { DoorCodeMatcher } from '../door/door-code-matcher.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { type Scheduler, systemScheduler } from './scheduler.js';

/** Where a DTMF digit came from. */
export type DtmfSource = 'rfc4733' | 'info' | 'inband';

/** One received DTMF digit. */
export interface DtmfDigitEvent {
  digit: string;
  source: DtmfSource;
}

/** How a door was opened by code: named like the event log's methods. */
export type CodeOpenMethod = 'dtmf' | 'info' | 'inband';

const METHOD: Record<DtmfSource, CodeOpenMethod> = { rfc4733: 'dtmf', info: 'info', inband: 'inband' };

/** Events of a {@link DoorUnlockController}; none of them carries a digit. */
export type DoorUnlockEvents = {
  open: [event: { relay: string; method: CodeOpenMethod; caller: string; callId: string }];
  rejected: [event: { callId: string; caller: string; callBlocked: boolean }];
  lockout: [event: { until: number; callId: string; caller: string }];
};

/** What one digit did. */
export type DigitOutcome = 'ignored' | 'refused' | 'pending' | 'open' | 'rejected';

/** The guard's limits from `doors.bruteForce` in the configuration. */
export function bruteForceLimits(b: BruteForceConfig): BruteForceGuardOptions {
  return { wrongCodesPerCall: b.wrongCodesPerCall, globalLimit: b.globalLimit, windowMs: b.windowSeconds * 1000, lockoutMs: b.lockoutSeconds * 1000 };
}

export interface DoorUnlockControllerOptions {
  /** A fresh matcher per call, so one call's half-typed code never joins another's. */
  createMatcher: () => DoorCodeMatcher;
  guard: BruteForceGuard;
  scheduler?: Pick<Scheduler, 'now'>;
  logger?: Logger;
  /** The same digit from a second source within this time is the same key press (default 250 ms). */
  duplicateWindowMs?: number;
}

interface CallEntry {
  caller: string;
  permitted: boolean;
  matcher: DoorCodeMatcher;
  /** The out-of-band source (rfc4733 or info) this call delivers digits by, and when it last did. */
  outOfBand: { source: DtmfDigitEvent['source']; at: number } | undefined;
  last?: { digit: string; source: DtmfSource; at: number };
}

/**
 * Joins DTMF digits from a call with the door-code matcher and the brute-force
 * guard. Digits count only inside an established call whose peer is permitted
 * (a call Portier placed to a configured target, or an allow-listed caller);
 * the caller of this class decides that. Codes and digits are never logged.
 */
export class DoorUnlockController extends TypedEmitter<DoorUnlockEvents> {
  private readonly calls = new Map<string, CallEntry>();
  private createMatcher: () => DoorCodeMatcher;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly duplicateWindowMs: number;
  private closed = false;

  constructor(private readonly options: DoorUnlockControllerOptions) {
    super();
    this.now = () => (options.scheduler ?? systemScheduler).now();
    this.logger = (options.logger ?? silentLogger).child({ component: 'door' });
    this.duplicateWindowMs = options.duplicateWindowMs ?? 250;
    this.createMatcher = options.createMatcher;
    this.createMatcher(); // validates the code list now rather than on the first call
  }

  /**
   * Builds the controller from `doors` in the configuration. A `guard` passed in
   * (one that outlives this controller, e.g. across runtime restarts) takes the
   * configured limits and keeps its counts and lockout.
   */
  static fromConfig(doors: DoorsConfig, extra: Omit<DoorUnlockControllerOptions, 'createMatcher' | 'guard'> & { guard?: BruteForceGuard } = {}): DoorUnlockController {
    const limits = bruteForceLimits(doors.bruteForce);
    extra.guard?.reconfigure(limits);
    return new DoorUnlockController({
      ...extra,
      createMatcher: matcherFactory(doors),
      guard: extra.guard ?? new BruteForceGuard(limits),
    });
  }

  /**
   * Applies new codes, code entry and limits (a reload) to this controller and the
   * calls in progress. Half-typed entries are dropped; wrong-code counts and an
   * active lockout stay. Throws DoorCodeError, changing nothing, for unusable codes.
   */
  reconfigure(doors: DoorsConfig): void {
    const createMatcher = matcherFactory(doors);
    createMatcher();
    this.createMatcher = createMatcher;
    this.options.guard.reconfigure(bruteForceLimits(doors.bruteForce));
    for (const entry of this.calls.values()) {
      entry.matcher.clear();
      entry.matcher = createMatcher();
    }
  }

  /** A call's door access changed (a reload changed the allow-list or the call targets). */
  setPermitted(callId: string, permitted: boolean): void {
    const entry = this.calls.get(callId);
    if (entry) entry.permitted = permitted;
  }

  /** End of the active code lockout (on the scheduler's clock), or undefined. */
  lockedUntil(): number | undefined {
    return this.options.guard.lockedUntil(this.now());
  }

  /** A call was established; its digits count only when `permitted`. */
  callEstablished(callId: string, peer: { caller: string; permitted: boolean }): void {
    if (this.closed) return;
    this.calls.set(callId, { caller: peer.caller, permitted: peer.permitted, matcher: this.createMatcher(), outOfBand: undefined });
  }

  /** The call ended: its entry and its per-call failure count are forgotten. */
  callEnded(callId: string): void {
    const entry = this.calls.get(callId);
    if (!entry) return;
    entry.matcher.clear();
    this.calls.delete(callId);
    this.options.guard.endCall(callId);
  }

  /** Feeds one digit received on `callId`. */
  digit(callId: string, event: DtmfDigitEvent): DigitOutcome {
    const entry = this.calls.get(callId);
    if (!entry || !entry.permitted || this.closed) return 'ignored';
    const now = this.now();
    if (this.isDuplicate(entry, event, now)) return 'ignored';

    const decision = this.options.guard.check(callId, now);
    if (!decision.allowed) {
      entry.matcher.clear();
      return 'refused';
    }
    const result = entry.matcher.feed(event.digit, now);
    if (result.kind === 'pending') return 'pending';
    if (result.kind === 'match') {
      const method = METHOD[event.source];
      this.logger.info('door code accepted', { relay: result.relay, method, callId });
      this.emit('open', { relay: result.relay, method, caller: entry.caller, callId });
      return 'open';
    }
    const outcome = this.options.guard.recordFailure(callId, now);
    this.logger.warn('wrong door code', { callId, callBlocked: outcome.callBlocked });
    this.emit('rejected', { callId, caller: entry.caller, callBlocked: outcome.callBlocked });
    if (outcome.lockoutStarted !== undefined) {
      this.logger.warn('door code entry locked out', { untilInMs: Math.round(outcome.lockoutStarted - now) });
      this.emit('lockout', { until: outcome.lockoutStarted, callId, caller: entry.caller });
    }
    return 'rejected';
  }

  /** Forgets every call; later digits are ignored. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.calls.keys()]) this.callEnded(id);
  }

  /**
   * A key press can arrive more than once: as tones in the audio besides an RFC 4733
   * event or INFO, and some PBXs relay every press both as RFC 4733 and as INFO (INFO
   * at key-down, RFC 4733 reported at key-up, so a time window alone cannot pair them).
   * The first out-of-band source a call uses is the one trusted for that call: in-band
   * digits are dropped from then on, and so is the other out-of-band source unless the
   * trusted one has been silent for SOURCE_SWITCH_MS (a PBX that changed its DTMF mode
   * mid-call). Before any out-of-band digit, the same digit from another source within
   * the duplicate window is dropped.
   */
  private isDuplicate(entry: CallEntry, event: DtmfDigitEvent, now: number): boolean {
    const oob = entry.outOfBand;
    if (event.source === 'inband') {
      if (oob !== undefined) return true;
    } else if (oob !== undefined && oob.source !== event.source) {
      if (now - oob.at < SOURCE_SWITCH_MS) return true;
      entry.outOfBand = { source: event.source, at: now };
    } else if (oob !== undefined) {
      oob.at = now;
    }
    const last = entry.last;
    const digit = event.digit.toUpperCase();
    const duplicate = last !== undefined && last.digit === digit && last.source !== event.source && now - last.at < this.duplicateWindowMs;
    if (event.source !== 'inband' && entry.outOfBand === undefined) entry.outOfBand = { source: event.source, at: now };
    if (!duplicate) entry.last = { digit, source: event.source, at: now };
    return duplicate;
  }
}

/** Silence of a call's out-of-band DTMF source after which the other one is accepted instead. */
const SOURCE_SWITCH_MS = 2000;

function matcherFactory(doors: DoorsConfig): () => DoorCodeMatcher {
  return () => new DoorCodeMatcher({ codes: doors.codes, ...doors.codeEntry });
}
