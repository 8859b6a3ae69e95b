import { RtcpParseError } from './rtcp-parse-error.js';

/** Size of one reception report block on the wire. */
export const REPORT_BLOCK_SIZE = 24;

const OFFSET_SSRC = 0;
const OFFSET_FRACTION_LOST = 4;
const OFFSET_CUMULATIVE_LOST = 5;
const OFFSET_HIGHEST_SEQUENCE = 8;
const OFFSET_JITTER = 12;
const OFFSET_LSR = 16;
const OFFSET_DLSR = 20;

/** Largest and smallest values of the signed 24-bit cumulative-lost field. */
export const CUMULATIVE_LOST_MAX = 0x7fffff;
export const CUMULATIVE_LOST_MIN = -0x800000;

/*
 * RFC 3550 §6.4.1:
 *
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                 SSRC_1 (SSRC of first source)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | fraction lost |       cumulative number of packets lost       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           extended highest sequence number received           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      interarrival jitter                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         last SR (LSR)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   delay since last SR (DLSR)                  |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */

/** One reception report block, as carried in SR and RR packets. */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as a fixed-point number with the point at the left (0..255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit (duplicates can make it negative). */
  cumulativeLost: number;
  extendedHighestSequence: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received, 0 if none. */
  lastSenderReport: number;
  /** Delay since that SR in 1/65536 s, 0 if none. */
  delaySinceLastSenderReport: number;
}

/** Reads one report block at `offset`. */
export function readReportBlock(buf: Buffer, offset: number): ReportBlock {
  if (offset + REPORT_BLOCK_SIZE > buf.length) {
    throw new RtcpParseError('truncated', 'RTCP report block overruns its packet');
  }
  const lost24 = buf.readUIntBE(offset + OFFSET_CUMULATIVE_LOST, 3);
  return {
    ssrc: buf.readUInt32BE(offset + OFFSET_SSRC),
    fractionLost: buf[offset + OFFSET_FRACTION_LOST]!,
    cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
    extendedHighestSequence: buf.readUInt32BE(offset + OFFSET_HIGHEST_SEQUENCE),
    jitter: buf.readUInt32BE(offset + OFFSET_JITTER),
    lastSenderReport: buf.readUInt32BE(offset + OFFSET_LSR),
    delaySinceLastSenderReport: buf.readUInt32BE(offset + OFFSET_DLSR),
  };
}

/** Writes one report block at `offset`; the cumulative-lost value is clamped to 24 bits signed. */
export function writeReportBlock(buf: Buffer, offset: number, block: ReportBlock): void {
  buf.writeUInt32BE(block.ssrc >>> 0, offset + OFFSET_SSRC);
  buf[offset + OFFSET_FRACTION_LOST] = block.fractionLost & 0xff;
  const lost = Math.max(CUMULATIVE_LOST_MIN, Math.min(CUMULATIVE_LOST_MAX, block.cumulativeLost));
  buf.writeUIntBE(lost & 0xffffff, offset + OFFSET_CUMULATIVE_LOST, 3);
  buf.writeUInt32BE(block.extendedHighestSequence >>> 0, offset + OFFSET_HIGHEST_SEQUENCE);
  buf.writeUInt32BE(block.jitter >>> 0, offset + OFFSET_JITTER);
  buf.writeUInt32BE(block.lastSenderReport >>> 0, offset + OFFSET_LSR);
  buf.writeUInt32BE(block.delaySinceLastSenderReport >>> 0, offset + OFFSET_DLSR);
}

/** Reads `count` consecutive report blocks starting at `offset` (the caller checked the length). */
export function readReportBlocks(buf: Buffer, offset: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(buf, offset + i * REPORT_BLOCK_SIZE));
  return reports;
}

/**
 * Writes what SR and RR end with alike (RFC 3550 §6.4.1, §6.4.2): the report blocks from
 * `offset` on, then the profile-specific extension.
 */
export function writeReportsAndExtension(buf: Buffer, offset: number, reports: readonly ReportBlock[], profileExtension: Buffer): void {
  for (const block of reports) {
    writeReportBlock(buf, offset, block);
    offset += REPORT_BLOCK_SIZE;
  }
  profileExtension.copy(buf, offset);
}
