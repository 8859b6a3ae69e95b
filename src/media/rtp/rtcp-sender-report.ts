import { RTCP_HEADER_SIZE, RtcpPacketType, rtcpPacketBody, writeRtcpHeader } from './rtcp-header.js';
import { RtcpParseError } from './rtcp-parse-error.js';
import { REPORT_BLOCK_SIZE, readReportBlocks, writeReportsAndExtension, type ReportBlock } from './rtcp-report-block.js';
import type { NtpTimestamp } from './ntp-timestamp.js';

// Offsets inside the body, i.e. after the 4-octet common header.
const BODY_SSRC = 0;
const BODY_NTP_SECONDS = 4;
const BODY_NTP_FRACTION = 8;
const BODY_RTP_TIMESTAMP = 12;
const BODY_PACKET_COUNT = 16;
const BODY_OCTET_COUNT = 20;
const BODY_REPORTS = 24;

/*
 * RFC 3550 §6.4.1:
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         SSRC of sender                        |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |
 * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |             NTP timestamp, least significant word             |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         RTP timestamp                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     sender's packet count                     |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      sender's octet count                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        |                 report blocks (RC × 24 octets)                |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        |                  profile-specific extensions                  |
 */

/** Fields of a sender report. */
export interface RtcpSenderReportInit {
  ssrc: number;
  ntp: NtpTimestamp;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports?: ReportBlock[];
  /** Opaque profile-specific extension octets (a multiple of 4), kept for a byte-exact round trip. */
  profileExtension?: Buffer;
}

/** An RTCP sender report (SR, PT 200). */
export class RtcpSenderReport {
  readonly packetType = RtcpPacketType.SenderReport;
  ssrc: number;
  ntp: NtpTimestamp;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
  profileExtension: Buffer;

  constructor(init: RtcpSenderReportInit) {
    this.ssrc = init.ssrc;
    this.ntp = init.ntp;
    this.rtpTimestamp = init.rtpTimestamp;
    this.packetCount = init.packetCount;
    this.octetCount = init.octetCount;
    this.reports = init.reports ?? [];
    this.profileExtension = init.profileExtension ?? Buffer.alloc(0);
  }

  /** Parses exactly one SR packet (header included). */
  static deserialize(packet: Buffer): RtcpSenderReport {
    const { count, body } = rtcpPacketBody(packet, RtcpPacketType.SenderReport);
    const reportsEnd = BODY_REPORTS + count * REPORT_BLOCK_SIZE;
    if (reportsEnd > body.length) {
      throw new RtcpParseError('truncated', `RTCP SR too short for sender info and ${count} report blocks`);
    }
    const reports = readReportBlocks(body, BODY_REPORTS, count);
    return new RtcpSenderReport({
      ssrc: body.readUInt32BE(BODY_SSRC),
      ntp: { seconds: body.readUInt32BE(BODY_NTP_SECONDS), fraction: body.readUInt32BE(BODY_NTP_FRACTION) },
      rtpTimestamp: body.readUInt32BE(BODY_RTP_TIMESTAMP),
      packetCount: body.readUInt32BE(BODY_PACKET_COUNT),
      octetCount: body.readUInt32BE(BODY_OCTET_COUNT),
      reports,
      profileExtension: body.subarray(reportsEnd),
    });
  }

  /** Size of the packet on the wire. */
  get serializedSize(): number {
    return RTCP_HEADER_SIZE + BODY_REPORTS + this.reports.length * REPORT_BLOCK_SIZE + this.profileExtension.length;
  }

  /** Writes the packet into a new buffer. */
  serialize(): Buffer {
    if (this.profileExtension.length % 4 !== 0) throw new RangeError('RTCP profile extension must be a multiple of 4 octets');
    const size = this.serializedSize;
    const buf = Buffer.allocUnsafe(size);
    writeRtcpHeader(buf, 0, this.reports.length, this.packetType, size);
    const body = buf.subarray(RTCP_HEADER_SIZE);
    body.writeUInt32BE(this.ssrc >>> 0, BODY_SSRC);
    body.writeUInt32BE(this.ntp.seconds >>> 0, BODY_NTP_SECONDS);
    body.writeUInt32BE(this.ntp.fraction >>> 0, BODY_NTP_FRACTION);
    body.writeUInt32BE(this.rtpTimestamp >>> 0, BODY_RTP_TIMESTAMP);
    body.writeUInt32BE(this.packetCount >>> 0, BODY_PACKET_COUNT);
    body.writeUInt32BE(this.octetCount >>> 0, BODY_OCTET_COUNT);
    writeReportsAndExtension(body, BODY_REPORTS, this.reports, this.profileExtension);
    return buf;
  }
}
