import { ntpFromUnixMs } from './ntp-timestamp.js';
import type { ReportBlock } from './rtcp-report-block.js';
import { RtcpSenderReport } from './rtcp-sender-report.js';

/**
 * What we sent on one SSRC, for the sender info of our SR (RFC 3550 §6.4.1):
 * packet and payload-octet counts, and the RTP timestamp that corresponds to
 * the wallclock time of the report.
 */
export class RtpSendStatistics {
  readonly ssrc: number;
  private readonly clockRate: number;
  /** Packets sent, wrapping at 2^32 as the SR field does. */
  packetCount = 0;
  /** Payload octets sent (no header, no padding), wrapping at 2^32. */
  octetCount = 0;
  private lastTimestamp = 0;
  private lastSentMs: number | undefined;

  constructor(ssrc: number, clockRate: number) {
    this.ssrc = ssrc;
    this.clockRate = clockRate;
  }

  /** True once a packet was sent: only then may we send SR instead of RR (§6.4). */
  get hasSent(): boolean {
    return this.lastSentMs !== undefined;
  }

  /** Accounts one packet sent at `nowMs` (Unix milliseconds, the clock used for the SR's NTP time). */
  onPacketSent(timestamp: number, payloadLength: number, nowMs: number): void {
    this.packetCount = (this.packetCount + 1) >>> 0;
    this.octetCount = (this.octetCount + payloadLength) >>> 0;
    this.lastTimestamp = timestamp >>> 0;
    this.lastSentMs = nowMs;
  }

  /**
   * The RTP timestamp for wallclock `nowMs`, extrapolated from the last packet
   * sent at the nominal clock rate ("the same time as the NTP timestamp", §6.4.1).
   */
  rtpTimestampAt(nowMs: number): number {
    if (this.lastSentMs === undefined) return this.lastTimestamp;
    return (this.lastTimestamp + Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000)) >>> 0;
  }

  /** Builds our sender report for `nowMs` (Unix milliseconds) with the given report blocks. */
  senderReport(nowMs: number, reports: ReportBlock[] = []): RtcpSenderReport {
    return new RtcpSenderReport({
      ssrc: this.ssrc,
      ntp: ntpFromUnixMs(nowMs),
      rtpTimestamp: this.rtpTimestampAt(nowMs),
      packetCount: this.packetCount,
      octetCount: this.octetCount,
      reports,
    });
  }
}
