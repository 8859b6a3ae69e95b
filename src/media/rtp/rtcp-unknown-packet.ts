import { readRtcpHeader } from './rtcp-header.js';

/**
 * An RTCP packet of a type Portier does not interpret (APP, RTPFB, PSFB, XR…),
 * kept as its raw octets so that a compound packet survives a round trip.
 */
export class RtcpUnknownPacket {
  readonly packetType: number;
  readonly count: number;
  readonly raw: Buffer;

  constructor(raw: Buffer) {
    const header = readRtcpHeader(raw, 0);
    this.packetType = header.packetType;
    this.count = header.count;
    this.raw = raw;
  }

  /** Wraps exactly one RTCP packet (header included). */
  static deserialize(packet: Buffer): RtcpUnknownPacket {
    return new RtcpUnknownPacket(packet);
  }

  get serializedSize(): number {
    return this.raw.length;
  }

  serialize(): Buffer {
    return Buffer.from(this.raw);
  }
}
