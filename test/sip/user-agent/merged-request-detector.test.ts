import { describe, expect, it } from 'vitest';
import type { ServerTransaction } from '../../../src/sip/transactions/server-transaction.js';
import { MergedRequestDetector } from '../../../src/sip/user-agent/merged-request-detector.js';
import { request } from '../transactions/sip-fixtures.js';

/** Just what the detector reads of a server transaction. */
function tx(): ServerTransaction & { terminated: boolean } {
  return { terminated: false } as ServerTransaction & { terminated: boolean };
}

describe('MergedRequestDetector (RFC 3261 §8.2.2.2)', () => {
  it('flags a copy on another transaction only while the first one is ongoing', () => {
    const d = new MergedRequestDetector();
    const first = tx();
    expect(d.isMerged(request({ branch: 'z9hG4bKa' }), first)).toBe(false);
    // A retransmission matched to the same transaction is not a merged request.
    expect(d.isMerged(request({ branch: 'z9hG4bKa' }), first)).toBe(false);
    expect(d.isMerged(request({ branch: 'z9hG4bKb' }), tx())).toBe(true);
    first.terminated = true;
    expect(d.isMerged(request({ branch: 'z9hG4bKc' }), tx())).toBe(false);
  });

  it('keys on From tag, Call-ID and the whole CSeq', () => {
    const d = new MergedRequestDetector();
    expect(d.isMerged(request({ method: 'OPTIONS' }), tx())).toBe(false);
    expect(d.isMerged(request({ method: 'OPTIONS', fromTag: 'other' }), tx())).toBe(false);
    expect(d.isMerged(request({ method: 'OPTIONS', callId: 'other' }), tx())).toBe(false);
    expect(d.isMerged(request({ method: 'OPTIONS', seq: 2 }), tx())).toBe(false);
    expect(d.isMerged(request({ method: 'INFO' }), tx())).toBe(false);
    expect(d.isMerged(request({ method: 'OPTIONS' }), tx())).toBe(true);
  });

  it('forgets requests after the lifetime and beyond the size bound', () => {
    let now = 0;
    const d = new MergedRequestDetector({ maxEntries: 3, ttlMs: 1000, now: () => now });
    expect(d.isMerged(request({ callId: 'a' }), tx())).toBe(false);
    now = 1000;
    expect(d.isMerged(request({ callId: 'a' }), tx())).toBe(false);
    for (const id of ['b', 'c', 'd', 'e']) d.isMerged(request({ callId: id }), tx());
    expect(d.size).toBe(3);
    // 'a' was the oldest: forgotten, so a copy of it is no longer recognised.
    expect(d.isMerged(request({ callId: 'a' }), tx())).toBe(false);
    expect(d.isMerged(request({ callId: 'e' }), tx())).toBe(true);
  });
});
