import { RtpParseError } from './rtp-parse-error.js';

/** RTP version carried in every packet (RFC 3550 §5.1). */
export const RTP_VERSION = 2;
/** Size of the fixed header, before any CSRC. */
export const RTP_FIXED_HEADER_SIZE = 12;

const OFFSET_FLAGS = 0;
const OFFSET_MARKER_PT = 1;
const OFFSET_SEQUENCE = 2;
const OFFSET_TIMESTAMP = 4;
const OFFSET_SSRC = 8;
const OFFSET_CSRC = 12;
const CSRC_SIZE = 4;
const EXTENSION_HEADER_SIZE = 4;
const MAX_CSRC = 15;

/**
 * A header extension (RFC 3550 §5.3.1) kept opaque: a 16-bit profile field and
 * data whose length is a multiple of 4 octets. RFC 8285 element parsing, if ever
 * needed, belongs in a layer above.
 */
export interface RtpHeaderExtension {
  profile: number;
  data: Buffer;
}

/** Fields of an RTP packet; everything but the payload identity fields is optional. */
export interface RtpPacketInit {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
  marker?: boolean;
  csrcs?: readonly number[];
  extension?: RtpHeaderExtension;
  /** Octets of padding to append on the wire (0 = none; 1..255, last octet holds the count). */
  paddingSize?: number;
}

/*
 * RFC 3550 §5.1:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * §5.3.1, present when X = 1:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        header extension                       |
 * |                             ....                              |
 */

/**
 * One RTP packet. `deserialize` does not copy: `payload` and `extension.data`
 * are views into the received datagram, so copy them if the datagram buffer is
 * reused. Padding is removed from the payload and remembered as `paddingSize`;
 * `serialize` writes zero padding octets with the count in the last one.
 */
export class RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: readonly number[];
  extension: RtpHeaderExtension | undefined;
  paddingSize: number;
  payload: Buffer;

  constructor(init: RtpPacketInit) {
    this.marker = init.marker ?? false;
    this.payloadType = init.payloadType;
    this.sequenceNumber = init.sequenceNumber;
    this.timestamp = init.timestamp;
    this.ssrc = init.ssrc;
    this.csrcs = init.csrcs ?? [];
    this.extension = init.extension;
    this.paddingSize = init.paddingSize ?? 0;
    this.payload = init.payload;
  }

  /** Parses one datagram, throwing {@link RtpParseError} when it is not valid RTP. */
  static deserialize(buf: Buffer): RtpPacket {
    if (buf.length < RTP_FIXED_HEADER_SIZE) {
      throw new RtpParseError('truncated', `RTP packet of ${buf.length} octets is shorter than the fixed header`);
    }
    const flags = buf[OFFSET_FLAGS]!;
    const version = flags >> 6;
    if (version !== RTP_VERSION) {
      throw new RtpParseError('version', `RTP version ${version}, expected ${RTP_VERSION}`);
    }
    const hasPadding = (flags & 0x20) !== 0;
    const hasExtension = (flags & 0x10) !== 0;
    const csrcCount = flags & 0x0f;
    const markerPt = buf[OFFSET_MARKER_PT]!;

    let offset = OFFSET_CSRC + csrcCount * CSRC_SIZE;
    if (offset > buf.length) {
      throw new RtpParseError('truncated', `RTP packet too short for ${csrcCount} CSRC identifiers`);
    }
    const csrcs: number[] = new Array<number>(csrcCount);
    for (let i = 0; i < csrcCount; i++) csrcs[i] = buf.readUInt32BE(OFFSET_CSRC + i * CSRC_SIZE);

    let extension: RtpHeaderExtension | undefined;
    if (hasExtension) {
      if (offset + EXTENSION_HEADER_SIZE > buf.length) {
        throw new RtpParseError('truncated', 'RTP packet too short for its header extension header');
      }
      const profile = buf.readUInt16BE(offset);
      const dataLength = buf.readUInt16BE(offset + 2) * 4;
      offset += EXTENSION_HEADER_SIZE;
      if (offset + dataLength > buf.length) {
        throw new RtpParseError('truncated', `RTP header extension of ${dataLength} octets overruns the packet`);
      }
      extension = { profile, data: buf.subarray(offset, offset + dataLength) };
      offset += dataLength;
    }

    let end = buf.length;
    let paddingSize = 0;
    if (hasPadding) {
      // §5.1: the last octet counts the padding octets, itself included, so 0 is invalid (A.1).
      paddingSize = buf[buf.length - 1]!;
      if (paddingSize === 0 || paddingSize > buf.length - offset) {
        throw new RtpParseError('padding', `RTP padding count ${paddingSize} does not fit the packet`);
      }
      end -= paddingSize;
    }

    const packet = new RtpPacket({
      payloadType: markerPt & 0x7f,
      sequenceNumber: buf.readUInt16BE(OFFSET_SEQUENCE),
      timestamp: buf.readUInt32BE(OFFSET_TIMESTAMP),
      ssrc: buf.readUInt32BE(OFFSET_SSRC),
      payload: buf.subarray(offset, end),
      marker: (markerPt & 0x80) !== 0,
      csrcs,
      paddingSize,
    });
    packet.extension = extension;
    return packet;
  }

  /** Length of the header (fixed part, CSRCs and extension) on the wire. */
  get headerSize(): number {
    return (
      RTP_FIXED_HEADER_SIZE +
      this.csrcs.length * CSRC_SIZE +
      (this.extension ? EXTENSION_HEADER_SIZE + this.extension.data.length : 0)
    );
  }

  /** Length of the whole packet on the wire. */
  get serializedSize(): number {
    return this.headerSize + this.payload.length + this.paddingSize;
  }

  /** Writes the packet into one freshly allocated buffer. Throws RangeError on out-of-range fields. */
  serialize(): Buffer {
    this.validate();
    const buf = Buffer.allocUnsafe(this.serializedSize);
    buf[OFFSET_FLAGS] =
      (RTP_VERSION << 6) | (this.paddingSize > 0 ? 0x20 : 0) | (this.extension ? 0x10 : 0) | this.csrcs.length;
    buf[OFFSET_MARKER_PT] = (this.marker ? 0x80 : 0) | this.payloadType;
    buf.writeUInt16BE(this.sequenceNumber, OFFSET_SEQUENCE);
    buf.writeUInt32BE(this.timestamp >>> 0, OFFSET_TIMESTAMP);
    buf.writeUInt32BE(this.ssrc >>> 0, OFFSET_SSRC);
    let offset = OFFSET_CSRC;
    for (const csrc of this.csrcs) {
      buf.writeUInt32BE(csrc >>> 0, offset);
      offset += CSRC_SIZE;
    }
    if (this.extension) {
      buf.writeUInt16BE(this.extension.profile, offset);
      buf.writeUInt16BE(this.extension.data.length / 4, offset + 2);
      offset += EXTENSION_HEADER_SIZE;
      buf.set(this.extension.data, offset);
      offset += this.extension.data.length;
    }
    // TypedArray#set, not Buffer#copy: the same copy without Node's argument-checking wrappers.
    buf.set(this.payload, offset);
    offset += this.payload.length;
    if (this.paddingSize > 0) {
      buf.fill(0, offset, offset + this.paddingSize - 1);
      buf[offset + this.paddingSize - 1] = this.paddingSize;
    }
    return buf;
  }

  private validate(): void {
    if (!Number.isInteger(this.payloadType) || this.payloadType < 0 || this.payloadType > 127) {
      throw new RangeError(`RTP payload type ${this.payloadType} is not 0..127`);
    }
    if (!Number.isInteger(this.sequenceNumber) || this.sequenceNumber < 0 || this.sequenceNumber > 0xffff) {
      throw new RangeError(`RTP sequence number ${this.sequenceNumber} is not 0..65535`);
    }
    if (this.csrcs.length > MAX_CSRC) {
      throw new RangeError(`RTP packet can carry at most ${MAX_CSRC} CSRCs, got ${this.csrcs.length}`);
    }
    if (this.extension) {
      const length = this.extension.data.length;
      if (length % 4 !== 0 || length > 0xffff * 4 || this.extension.profile > 0xffff || this.extension.profile < 0) {
        throw new RangeError('RTP header extension data must be a multiple of 4 octets under 256 KiB, profile 0..65535');
      }
    }
    if (!Number.isInteger(this.paddingSize) || this.paddingSize < 0 || this.paddingSize > 255) {
      throw new RangeError(`RTP padding size ${this.paddingSize} is not 0..255`);
    }
  }
}
