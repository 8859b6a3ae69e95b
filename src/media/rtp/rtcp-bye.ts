import { RTCP_HEADER_SIZE, RtcpPacketType, rtcpPacketBody, writeRtcpHeader } from './rtcp-header.js';
import { RtcpParseError } from './rtcp-parse-error.js';

/*
 * RFC 3550 §6.6:
 *
 *        0                   1                   2                   3
 *        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       |                           SSRC/CSRC                           |
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *       :                              ...                              :
 *       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * (opt) |     length    |               reason for leaving            ...
 *       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

const SSRC_SIZE = 4;

/** An RTCP goodbye (BYE, PT 203): the listed sources are leaving. */
export class RtcpBye {
  readonly packetType = RtcpPacketType.Goodbye;
  ssrcs: number[];
  reason: string | undefined;

  constructor(ssrcs: number[], reason?: string) {
    this.ssrcs = ssrcs;
    this.reason = reason;
  }

  /** Parses exactly one BYE packet (header included). */
  static deserialize(packet: Buffer): RtcpBye {
    const { count, body } = rtcpPacketBody(packet, RtcpPacketType.Goodbye);
    const ssrcsEnd = count * SSRC_SIZE;
    if (ssrcsEnd > body.length) {
      throw new RtcpParseError('truncated', `RTCP BYE too short for ${count} sources`);
    }
    const ssrcs: number[] = [];
    for (let i = 0; i < count; i++) ssrcs.push(body.readUInt32BE(i * SSRC_SIZE));
    let reason: string | undefined;
    if (ssrcsEnd < body.length) {
      const length = body[ssrcsEnd]!;
      if (ssrcsEnd + 1 + length > body.length) {
        throw new RtcpParseError('truncated', `RTCP BYE reason of ${length} octets overruns the packet`);
      }
      reason = body.toString('utf8', ssrcsEnd + 1, ssrcsEnd + 1 + length);
    }
    return new RtcpBye(ssrcs, reason);
  }

  private reasonLength(): number {
    if (this.reason === undefined) return 0;
    const length = Buffer.byteLength(this.reason, 'utf8');
    if (length > 255) throw new RangeError(`RTCP BYE reason of ${length} octets exceeds 255`);
    return length;
  }

  /** Size of the packet on the wire. */
  get serializedSize(): number {
    const reason = this.reason === undefined ? 0 : (1 + this.reasonLength() + 3) & ~3;
    return RTCP_HEADER_SIZE + this.ssrcs.length * SSRC_SIZE + reason;
  }

  /** Writes the packet into a new buffer. */
  serialize(): Buffer {
    const size = this.serializedSize;
    const buf = Buffer.alloc(size); // zero-filled: the reason is padded with nulls
    writeRtcpHeader(buf, 0, this.ssrcs.length, this.packetType, size);
    let offset = RTCP_HEADER_SIZE;
    for (const ssrc of this.ssrcs) {
      buf.writeUInt32BE(ssrc >>> 0, offset);
      offset += SSRC_SIZE;
    }
    if (this.reason !== undefined) {
      buf[offset] = this.reasonLength();
      buf.write(this.reason, offset + 1, 'utf8');
    }
    return buf;
  }
}
