import { describe, expect, it } from 'vitest';
import { ntpFromUnixMs } from '../../../src/media/rtp/ntp-timestamp.js';
import { RtcpSenderReport } from '../../../src/media/rtp/rtcp-sender-report.js';
import { RtpSendStatistics } from '../../../src/media/rtp/rtp-send-statistics.js';

const FRAME = 160; // 20 ms at 8 kHz

describe('RtpSendStatistics', () => {
  it('counts packets and payload octets and extrapolates the RTP timestamp', () => {
    const stats = new RtpSendStatistics(0x1234, 8000);
    expect(stats.hasSent).toBe(false);
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) stats.onPacketSent(1000 + i * FRAME, 160, t0 + i * 20);
    expect(stats.hasSent).toBe(true);
    const sr = stats.senderReport(t0 + 50, []);
    expect(sr).toBeInstanceOf(RtcpSenderReport);
    expect(sr.packetCount).toBe(3);
    expect(sr.octetCount).toBe(480);
    expect(sr.rtpTimestamp).toBe(1000 + 2 * FRAME + 80); // 10 ms after the last packet
    expect(sr.ntp).toEqual(ntpFromUnixMs(t0 + 50));
    expect(RtcpSenderReport.deserialize(sr.serialize()).octetCount).toBe(480);
  });

  it('wraps the counters at 2^32', () => {
    const stats = new RtpSendStatistics(1, 8000);
    stats.octetCount = 0xffffff00;
    stats.onPacketSent(0xfffffff0, 0x200, 0);
    expect(stats.octetCount).toBe(0x100);
    expect(stats.rtpTimestampAt(10)).toBe((0xfffffff0 + 80) >>> 0);
  });
});
