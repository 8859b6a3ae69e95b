import { describe, expect, it } from 'vitest';
import { RtpReceiveStatistics } from '../../../src/media/rtp/rtp-receive-statistics.js';

const FRAME = 160; // 20 ms at 8 kHz

describe('RtpReceiveStatistics', () => {
  it('computes cumulative loss and per-interval fraction lost (A.3)', () => {
    const stats = new RtpReceiveStatistics(0xabc);
    const lostSeqs = new Set([105, 110, 111]);
    for (let seq = 100; seq <= 120; seq++) {
      if (!lostSeqs.has(seq)) stats.onPacket(seq, seq * FRAME, seq * FRAME);
    }
    // 100 was the probation packet; the base is 101, so 20 expected, 17 received.
    expect(stats.expected).toBe(20);
    expect(stats.received).toBe(17);
    const first = stats.reportBlock(0);
    expect(first.cumulativeLost).toBe(3);
    expect(first.fractionLost).toBe(Math.floor((3 * 256) / 20)); // 38
    expect(first.extendedHighestSequence).toBe(120);

    for (let seq = 121; seq <= 130; seq++) stats.onPacket(seq, seq * FRAME, seq * FRAME);
    stats.onPacket(125, 125 * FRAME, 131 * FRAME); // a duplicate
    const second = stats.reportBlock(0);
    expect(second.fractionLost).toBe(0); // more received than expected in this interval
    expect(second.cumulativeLost).toBe(2); // the duplicate offsets one loss

    for (let seq = 131; seq <= 140; seq++) if (seq % 2 === 0) stats.onPacket(seq, seq * FRAME, seq * FRAME);
    const third = stats.reportBlock(0);
    expect(third.fractionLost).toBe(128); // 5 of 10 lost
    expect(third.cumulativeLost).toBe(7);
  });

  it('reports zero jitter for a constant transit time', () => {
    const stats = new RtpReceiveStatistics(1);
    for (let i = 0; i < 50; i++) stats.onPacket(i, 1000 + i * FRAME, 777 + i * FRAME);
    expect(stats.jitter).toBe(0);
  });

  it('converges near 40 ticks for a constant 5 ms jitter (A.8)', () => {
    const stats = new RtpReceiveStatistics(1);
    // Every packet is 5 ms (40 ticks) early or late relative to the previous one.
    for (let i = 0; i < 300; i++) stats.onPacket(i & 0xffff, i * FRAME, i * FRAME + (i % 2 === 0 ? 0 : 40));
    expect(stats.jitter).toBeGreaterThan(39.5);
    expect(stats.jitter).toBeLessThanOrEqual(40);
    expect(stats.reportBlock(0).jitter).toBe(39);
  });

  it('handles RTP timestamp wrap-around in the transit difference', () => {
    const stats = new RtpReceiveStatistics(1);
    const start = 0xffffffff - 5 * FRAME;
    for (let i = 0; i < 20; i++) stats.onPacket(i, (start + i * FRAME) >>> 0, 50_000 + i * FRAME);
    expect(stats.jitter).toBe(0);
  });

  it('fills LSR and DLSR from the last sender report', () => {
    const stats = new RtpReceiveStatistics(1);
    expect(stats.reportBlock(0)).toMatchObject({ lastSenderReport: 0, delaySinceLastSenderReport: 0 });
    stats.onSenderReport({ seconds: 0xe54b1c80, fraction: 0x80000000 }, 1000);
    const block = stats.reportBlock(1500);
    expect(block.lastSenderReport).toBe(0x1c808000);
    expect(block.delaySinceLastSenderReport).toBe(32768); // 0.5 s in 1/65536 s
  });

  it('resets counters when the sender restarts its sequence', () => {
    const stats = new RtpReceiveStatistics(1);
    for (let seq = 0; seq < 10; seq++) stats.onPacket(seq, seq * FRAME, seq * FRAME);
    expect(stats.onPacket(30000, 0, 0)).toBe('discarded');
    expect(stats.onPacket(30001, FRAME, FRAME)).toBe('restarted');
    stats.onPacket(30003, 3 * FRAME, 3 * FRAME);
    expect(stats.expected).toBe(3);
    expect(stats.cumulativeLost).toBe(1);
    expect(stats.reportBlock(0).fractionLost).toBe(85);
  });
});
