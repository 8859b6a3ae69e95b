import { RTCP_HEADER_SIZE, RtcpPacketType, rtcpPacketBody, writeRtcpHeader } from './rtcp-header.js';
import { RtcpParseError } from './rtcp-parse-error.js';
import { REPORT_BLOCK_SIZE, readReportBlocks, writeReportsAndExtension, type ReportBlock } from './rtcp-report-block.js';

const BODY_SSRC = 0;
const BODY_REPORTS = 4;

/*
 * RFC 3550 §6.4.2:
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=RR=201   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     SSRC of packet sender                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        |                 report blocks (RC × 24 octets)                |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *        |                  profile-specific extensions                  |
 */

/** Fields of a receiver report. */
export interface RtcpReceiverReportInit {
  ssrc: number;
  reports?: ReportBlock[];
  profileExtension?: Buffer;
}

/** An RTCP receiver report (RR, PT 201); with no blocks it is the mandatory empty RR of §6.4.2. */
export class RtcpReceiverReport {
  readonly packetType = RtcpPacketType.ReceiverReport;
  ssrc: number;
  reports: ReportBlock[];
  profileExtension: Buffer;

  constructor(init: RtcpReceiverReportInit) {
    this.ssrc = init.ssrc;
    this.reports = init.reports ?? [];
    this.profileExtension = init.profileExtension ?? Buffer.alloc(0);
  }

  /** Parses exactly one RR packet (header included). */
  static deserialize(packet: Buffer): RtcpReceiverReport {
    const { count, body } = rtcpPacketBody(packet, RtcpPacketType.ReceiverReport);
    const reportsEnd = BODY_REPORTS + count * REPORT_BLOCK_SIZE;
    if (reportsEnd > body.length) {
      throw new RtcpParseError('truncated', `RTCP RR too short for ${count} report blocks`);
    }
    const reports = readReportBlocks(body, BODY_REPORTS, count);
    return new RtcpReceiverReport({
      ssrc: body.readUInt32BE(BODY_SSRC),
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
    writeReportsAndExtension(body, BODY_REPORTS, this.reports, this.profileExtension);
    return buf;
  }
}
