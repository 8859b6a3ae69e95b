import { RtcpBye } from './rtcp-bye.js';
import { RtcpPacketType, readRtcpHeader } from './rtcp-header.js';
import { RtcpParseError } from './rtcp-parse-error.js';
import { RtcpReceiverReport } from './rtcp-receiver-report.js';
import { RtcpSenderReport } from './rtcp-sender-report.js';
import { RtcpSourceDescription } from './rtcp-source-description.js';
import { RtcpUnknownPacket } from './rtcp-unknown-packet.js';

/** Any RTCP packet a compound packet can hold. */
export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpBye | RtcpUnknownPacket;

/** Options for parsing. */
export interface RtcpCompoundParseOptions {
  /**
   * Accept a datagram that does not start with SR or RR (reduced-size RTCP,
   * RFC 5506). Off by default: RFC 3550 §6.1 requires a report first.
   */
  allowReducedSize?: boolean;
}

/*
 * RFC 3550 §6.1: a compound packet is several RTCP packets back to back in one
 * datagram, with no separators:
 *
 *   [ SR or RR ][ SDES (CNAME) ][ BYE / APP … ]   — only the last may be padded
 */

/** An RTCP compound packet: the unit RTCP is sent and received in. */
export class RtcpCompoundPacket {
  packets: RtcpPacket[];

  constructor(packets: RtcpPacket[]) {
    this.packets = packets;
  }

  /**
   * Parses a datagram, applying the validity checks of RFC 3550 A.2: version 2
   * everywhere, the first packet SR or RR, padding only on the last packet, and
   * lengths that add up to the datagram size.
   */
  static deserialize(buf: Buffer, options: RtcpCompoundParseOptions = {}): RtcpCompoundPacket {
    if (buf.length === 0) throw new RtcpParseError('truncated', 'empty RTCP datagram');
    const packets: RtcpPacket[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const header = readRtcpHeader(buf, offset);
      const end = offset + header.byteLength;
      if (header.padding && end !== buf.length) {
        throw new RtcpParseError('padding', 'only the last packet of an RTCP compound packet may be padded');
      }
      if (offset === 0 && !options.allowReducedSize && header.packetType !== RtcpPacketType.SenderReport &&
        header.packetType !== RtcpPacketType.ReceiverReport) {
        throw new RtcpParseError('compound', `RTCP compound packet starts with type ${header.packetType}, not SR or RR`);
      }
      packets.push(parsePacket(header.packetType, buf.subarray(offset, end)));
      offset = end;
    }
    return new RtcpCompoundPacket(packets);
  }

  /** Packets of one class, in order (e.g. all `RtcpSenderReport`s). */
  ofType<T extends RtcpPacket>(type: abstract new (...args: never[]) => T): T[] {
    return this.packets.filter((p): p is T => p instanceof type);
  }

  /** Size of the datagram on the wire. */
  get serializedSize(): number {
    let size = 0;
    for (const packet of this.packets) size += packet.serializedSize;
    return size;
  }

  /** Writes all packets into one datagram. */
  serialize(): Buffer {
    return Buffer.concat(
      this.packets.map((p) => p.serialize()),
      this.serializedSize,
    );
  }
}

function parsePacket(packetType: number, packet: Buffer): RtcpPacket {
  switch (packetType) {
    case RtcpPacketType.SenderReport:
      return RtcpSenderReport.deserialize(packet);
    case RtcpPacketType.ReceiverReport:
      return RtcpReceiverReport.deserialize(packet);
    case RtcpPacketType.SourceDescription:
      return RtcpSourceDescription.deserialize(packet);
    case RtcpPacketType.Goodbye:
      return RtcpBye.deserialize(packet);
    default:
      return RtcpUnknownPacket.deserialize(packet);
  }
}
