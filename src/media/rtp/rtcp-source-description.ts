import { RTCP_HEADER_SIZE, RtcpPacketType, rtcpPacketBody, writeRtcpHeader } from './rtcp-header.js';
import { RtcpParseError } from './rtcp-parse-error.js';

/** SDES item types (RFC 3550 §6.5); 0 ends a chunk's item list. */
export const SdesItemType = {
  End: 0,
  CanonicalName: 1,
  Name: 2,
  Email: 3,
  Phone: 4,
  Location: 5,
  Tool: 6,
  Note: 7,
  Private: 8,
} as const;

/** One SDES item; `value` is the UTF-8 text (for PRIV, the prefix-length octet and prefix are part of it). */
export interface SdesItem {
  type: number;
  value: string;
}

/** The items describing one SSRC or CSRC. */
export interface SdesChunk {
  ssrc: number;
  items: SdesItem[];
}

/*
 * RFC 3550 §6.5:
 *
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * chunk  |                          SSRC/CSRC_1                          |
 *   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                           SDES items                          |
 *        |                              ...                              |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 * Each item is type (8) | length (8) | text. A chunk's item list ends with one
 * or more null octets, up to the next 32-bit boundary.
 */

const SSRC_SIZE = 4;
const ITEM_HEADER_SIZE = 2;
const MAX_ITEM_LENGTH = 255;

/** An RTCP source description (SDES, PT 202). */
export class RtcpSourceDescription {
  readonly packetType = RtcpPacketType.SourceDescription;
  chunks: SdesChunk[];

  constructor(chunks: SdesChunk[] = []) {
    this.chunks = chunks;
  }

  /** An SDES with a single CNAME, the item every compound packet must carry (§6.1). */
  static withCanonicalName(ssrc: number, cname: string): RtcpSourceDescription {
    return new RtcpSourceDescription([{ ssrc, items: [{ type: SdesItemType.CanonicalName, value: cname }] }]);
  }

  /** Parses exactly one SDES packet (header included). */
  static deserialize(packet: Buffer): RtcpSourceDescription {
    const { count, body } = rtcpPacketBody(packet, RtcpPacketType.SourceDescription);
    const chunks: SdesChunk[] = [];
    let offset = 0;
    for (let c = 0; c < count; c++) {
      if (offset + SSRC_SIZE > body.length) {
        throw new RtcpParseError('truncated', `RTCP SDES too short for chunk ${c + 1} of ${count}`);
      }
      const ssrc = body.readUInt32BE(offset);
      offset += SSRC_SIZE;
      const items: SdesItem[] = [];
      for (;;) {
        if (offset >= body.length) {
          throw new RtcpParseError('truncated', 'RTCP SDES chunk has no terminating null octet');
        }
        const type = body[offset]!;
        if (type === SdesItemType.End) break;
        if (offset + ITEM_HEADER_SIZE > body.length) {
          throw new RtcpParseError('truncated', 'RTCP SDES item header overruns the packet');
        }
        const length = body[offset + 1]!;
        const start = offset + ITEM_HEADER_SIZE;
        if (start + length > body.length) {
          throw new RtcpParseError('truncated', `RTCP SDES item of ${length} octets overruns the packet`);
        }
        items.push({ type, value: body.toString('utf8', start, start + length) });
        offset = start + length;
      }
      // Skip the terminating null and the padding to the next 32-bit boundary (the body starts aligned).
      offset = (offset + 4) & ~3;
      chunks.push({ ssrc, items });
    }
    return new RtcpSourceDescription(chunks);
  }

  /** The CNAME given for `ssrc`, if any. */
  canonicalName(ssrc: number): string | undefined {
    const chunk = this.chunks.find((c) => c.ssrc === ssrc);
    return chunk?.items.find((i) => i.type === SdesItemType.CanonicalName)?.value;
  }

  /** Size of the packet on the wire. */
  get serializedSize(): number {
    let size = RTCP_HEADER_SIZE;
    for (const chunk of this.chunks) size += chunkSize(chunk);
    return size;
  }

  /** Writes the packet into a new buffer. */
  serialize(): Buffer {
    const size = this.serializedSize;
    const buf = Buffer.alloc(size); // zero-filled: the chunk terminators and padding are nulls
    writeRtcpHeader(buf, 0, this.chunks.length, this.packetType, size);
    let offset = RTCP_HEADER_SIZE;
    for (const chunk of this.chunks) {
      const chunkStart = offset;
      buf.writeUInt32BE(chunk.ssrc >>> 0, offset);
      offset += SSRC_SIZE;
      for (const item of chunk.items) {
        buf[offset] = item.type;
        const written = buf.write(item.value, offset + ITEM_HEADER_SIZE, 'utf8');
        buf[offset + 1] = written;
        offset += ITEM_HEADER_SIZE + written;
      }
      offset = chunkStart + chunkSize(chunk);
    }
    return buf;
  }
}

function chunkSize(chunk: SdesChunk): number {
  let itemsLength = 0;
  for (const item of chunk.items) {
    if (item.type === SdesItemType.End || item.type > 255) throw new RangeError(`SDES item type ${item.type} is not 1..255`);
    const length = Buffer.byteLength(item.value, 'utf8');
    if (length > MAX_ITEM_LENGTH) throw new RangeError(`SDES item of ${length} octets exceeds ${MAX_ITEM_LENGTH}`);
    itemsLength += ITEM_HEADER_SIZE + length;
  }
  // At least one null octet, then up to the 32-bit boundary.
  return SSRC_SIZE + ((itemsLength + 4) & ~3);
}
