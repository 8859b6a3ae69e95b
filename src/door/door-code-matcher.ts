import crypto from 'node:crypto';
import { PortierError } from '../util/portier-error.js';

/** A door code and the relay it opens. */
export interface DoorCode {
  code: string;
  relay: string;
}

export interface DoorCodeMatcherOptions {
  codes: readonly DoorCode[];
  /** `#` ends an entry; `length`: an entry ends when it reaches the (common) code length, `#` still submits early. */
  terminator: '#' | 'length';
  /** A pause longer than this between two digits discards the digits before it. */
  interDigitTimeoutMs: number;
}

/** What one digit did to the entry. */
export type CodeMatchResult = { kind: 'match'; relay: string } | { kind: 'reject' } | { kind: 'pending' };

/** The code list cannot be used as configured (the message never contains a code). */
export class DoorCodeError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_DOOR_CODE', message);
  }
}

/** Longest entry accepted; a longer one is rejected without being compared. */
export const MAX_ENTRY_DIGITS = 16;

const PENDING: CodeMatchResult = { kind: 'pending' };
const REJECT: CodeMatchResult = { kind: 'reject' };

/**
 * Turns a stream of DTMF digits into door-code decisions. Pure: time is passed in.
 *
 * Codes are kept only as HMAC-SHA256 digests under a key made for this instance,
 * and an entry is compared with `timingSafeEqual` against every digest: equal-size
 * digests hide the code length, and comparing all of them without stopping early
 * hides which one came close. No plaintext code stays in the object.
 */
export class DoorCodeMatcher {
  private readonly key = crypto.randomBytes(32);
  private readonly digests: ReadonlyArray<{ digest: Buffer; relay: string }>;
  private readonly fixedLength: number | undefined;
  private readonly terminator: '#' | 'length';
  private readonly interDigitTimeoutMs: number;
  private entry = '';
  private lastDigitAt: number | undefined;

  constructor(options: DoorCodeMatcherOptions) {
    this.terminator = options.terminator;
    this.interDigitTimeoutMs = options.interDigitTimeoutMs;
    for (const [i, c] of options.codes.entries()) {
      if (!/^[0-9]+$/.test(c.code) || c.code.length > MAX_ENTRY_DIGITS) {
        throw new DoorCodeError(`door code #${i + 1} is not 1 to ${MAX_ENTRY_DIGITS} digits`);
      }
    }
    const lengths = new Set(options.codes.map((c) => c.code.length));
    if (options.terminator === 'length' && lengths.size > 1) {
      throw new DoorCodeError('door codes differ in length, which the "length" terminator cannot end');
    }
    this.fixedLength = options.terminator === 'length' ? [...lengths][0] : undefined;
    this.digests = options.codes.map((c) => ({ digest: this.digest(c.code), relay: c.relay }));
  }

  /** Feeds one DTMF digit (`0-9`, `*`, `#`, `A-D`) received at `nowMs`. */
  feed(digit: string, nowMs: number): CodeMatchResult {
    const d = digit.toUpperCase();
    if (!/^[0-9A-D*#]$/.test(d)) return PENDING;
    if (this.lastDigitAt !== undefined && nowMs - this.lastDigitAt > this.interDigitTimeoutMs) this.entry = '';
    this.lastDigitAt = nowMs;

    if (d === '*') {
      this.entry = '';
      return PENDING;
    }
    if (d === '#') {
      // A lone `#` (or one right after `*`) is a slip, not an attempt.
      return this.entry === '' ? PENDING : this.submit();
    }
    this.entry += d;
    if (this.fixedLength !== undefined && this.entry.length >= this.fixedLength) return this.submit();
    if (this.entry.length > MAX_ENTRY_DIGITS) {
      this.entry = '';
      return REJECT;
    }
    return PENDING;
  }

  /** Forgets the digits entered so far (call ended, door opened by other means). */
  clear(): void {
    this.entry = '';
    this.lastDigitAt = undefined;
  }

  /** Whether digits are waiting for more, at `nowMs` (false once the inter-digit timeout passed). */
  hasPendingEntry(nowMs: number): boolean {
    return this.entry !== '' && this.lastDigitAt !== undefined && nowMs - this.lastDigitAt <= this.interDigitTimeoutMs;
  }

  private submit(): CodeMatchResult {
    const candidate = this.digest(this.entry);
    this.entry = '';
    let relay: string | undefined;
    // Every digest is compared, even after a match, so the time taken does not depend on which code matched.
    for (const c of this.digests) {
      const equal = crypto.timingSafeEqual(c.digest, candidate);
      if (equal && relay === undefined) relay = c.relay;
    }
    return relay === undefined ? REJECT : { kind: 'match', relay };
  }

  private digest(code: string): Buffer {
    return crypto.createHmac('sha256', this.key).update(code).digest();
  }
}
