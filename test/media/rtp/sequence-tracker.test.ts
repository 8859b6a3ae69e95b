import { describe, expect, it } from 'vitest';
import { SequenceTracker } from '../../../src/media/rtp/sequence-tracker.js';

describe('SequenceTracker (RFC 3550 A.1)', () => {
  it('keeps a new source on probation until two sequential packets', () => {
    const t = new SequenceTracker();
    expect(t.update(1000)).toBe('probation');
    expect(t.valid).toBe(false);
    expect(t.expected).toBe(0);
    expect(t.update(1001)).toBe('accepted');
    expect(t.valid).toBe(true);
    expect([t.baseSeq, t.received, t.expected]).toEqual([1001, 1, 1]);
  });

  it('restarts probation on a non-sequential packet', () => {
    const t = new SequenceTracker();
    expect(t.update(10)).toBe('probation');
    expect(t.update(12)).toBe('probation');
    expect(t.update(20)).toBe('probation');
    expect(t.update(21)).toBe('accepted');
    expect(t.baseSeq).toBe(21);
  });

  it('treats 65535 → 0 as sequential during probation', () => {
    const t = new SequenceTracker();
    t.update(65535);
    expect(t.update(0)).toBe('accepted');
  });

  it('accepts the first packet when minSequential is 1', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    expect(t.update(5)).toBe('accepted');
    expect([t.baseSeq, t.received]).toEqual([5, 1]);
  });

  it('extends the sequence number across wraps', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    for (let s = 65530; s < 65536; s++) t.update(s);
    for (let s = 0; s < 6; s++) t.update(s);
    expect(t.cycles).toBe(65536);
    expect(t.extendedMax).toBe(65536 + 5);
    expect(t.expected).toBe(12);
    expect(t.received).toBe(12);
  });

  it('counts reordered and duplicate packets without moving the maximum', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    t.update(100);
    t.update(102);
    expect(t.update(101)).toBe('reordered');
    expect(t.update(101)).toBe('reordered');
    expect(t.extendedMax).toBe(102);
    expect(t.received).toBe(4);
  });

  it('discards one large jump and resynchronises on a confirmed one', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    t.update(100);
    t.update(101);
    expect(t.update(40000)).toBe('discarded');
    expect(t.update(102)).toBe('accepted');
    expect(t.update(50000)).toBe('discarded');
    expect(t.update(50001)).toBe('restarted');
    expect([t.baseSeq, t.extendedMax, t.received]).toEqual([50001, 50001, 1]);
  });

  it('accepts a forward gap below maxDropout as loss', () => {
    const t = new SequenceTracker({ minSequential: 1 });
    t.update(1);
    expect(t.update(2999)).toBe('accepted');
    expect(t.expected - t.received).toBe(2997);
    expect(t.update(2999 + 3000)).toBe('discarded');
  });
});
