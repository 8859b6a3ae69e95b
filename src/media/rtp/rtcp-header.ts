import { RtcpParseError } from './rtcp-parse-error.js';

/** RTCP packet types (RFC 3550 §12.1). */
export const RtcpPacketType = {
  SenderReport: 200,
  ReceiverReport: 201,
  SourceDescription: 202,
  Goodbye: 203,
  ApplicationDefined: 204,
} as const;

/** Size of the common header: V/P/count, PT, length. */
export const RTCP_HEADER_SIZE = 4;
const RTCP_VERSION = 2;
/** Largest value of the 5-bit count field (report blocks, chunks or sources). */
export const RTCP_MAX_COUNT = 31;

/*
 * Common first word of every RTCP packet (RFC 3550 §6.4.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  count  |      PT       |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * length is the packet size in 32-bit words minus one, padding included.
 */

/** The parsed common header of one RTCP packet. */
export interface RtcpHeader {
  padding: boolean;
  count: number;
  packetType: number;
  /** Size of the whole packet in octets, header and padding included. */
  byteLength: number;
}

/** Reads the common header at `offset`, checking the version and that the packet fits. */
export function readRtcpHeader(buf: Buffer, offset: number): RtcpHeader {
  if (offset + RTCP_HEADER_SIZE > buf.length) {
    throw new RtcpParseError('truncated', `RTCP header at offset ${offset} overruns the datagram`);
  }
  const first = buf[offset]!;
  if (first >> 6 !== RTCP_VERSION) {
    throw new RtcpParseError('version', `RTCP version ${first >> 6}, expected ${RTCP_VERSION}`);
  }
  const byteLength = (buf.readUInt16BE(offset + 2) + 1) * 4;
  if (offset + byteLength > buf.length) {
    throw new RtcpParseError('length', `RTCP packet length ${byteLength} at offset ${offset} overruns the datagram`);
  }
  return { padding: (first & 0x20) !== 0, count: first & 0x1f, packetType: buf[offset + 1]!, byteLength };
}

/** Writes the common header for a packet of `byteLength` octets (a multiple of 4). */
export function writeRtcpHeader(buf: Buffer, offset: number, count: number, packetType: number, byteLength: number): void {
  if (count > RTCP_MAX_COUNT) throw new RangeError(`RTCP count ${count} exceeds ${RTCP_MAX_COUNT}`);
  buf[offset] = (RTCP_VERSION << 6) | count;
  buf[offset + 1] = packetType;
  buf.writeUInt16BE(byteLength / 4 - 1, offset + 2);
}

/**
 * The body of a single RTCP packet (after the 4-octet header, padding removed),
 * checked to be of the expected type and to span exactly `packet`.
 */
export function rtcpPacketBody(packet: Buffer, expectedType: number): { count: number; body: Buffer } {
  const header = readRtcpHeader(packet, 0);
  if (header.packetType !== expectedType) {
    throw new RtcpParseError('type', `RTCP packet type ${header.packetType}, expected ${expectedType}`);
  }
  if (header.byteLength !== packet.length) {
    throw new RtcpParseError('length', `RTCP length field says ${header.byteLength} octets, packet has ${packet.length}`);
  }
  let end = packet.length;
  if (header.padding) {
    const paddingSize = packet[packet.length - 1]!;
    if (paddingSize === 0 || paddingSize > packet.length - RTCP_HEADER_SIZE) {
      throw new RtcpParseError('padding', `RTCP padding count ${paddingSize} does not fit the packet`);
    }
    end -= paddingSize;
  }
  return { count: header.count, body: packet.subarray(RTCP_HEADER_SIZE, end) };
}

/**
 * Tells RTCP from RTP on a multiplexed port (RFC 5761 §4): RTCP packet types
 * 192–223 occupy the second octet where RTP would have M + PT 64–95.
 */
export function isRtcpPacket(buf: Buffer): boolean {
  if (buf.length < RTCP_HEADER_SIZE) return false;
  const second = buf[1]!;
  return second >= 192 && second <= 223;
}
