import { TelephoneEventPayloadError } from './dtmf-errors.js';

const EVENT_OFFSET = 0;
const FLAGS_OFFSET = 1;
const DURATION_OFFSET = 2;
/** Size of one event in the payload (RFC 4733 §2.3). */
export const TELEPHONE_EVENT_PAYLOAD_SIZE = 4;

const END_BIT = 0x80;
const RESERVED_BIT = 0x40;
const VOLUME_MASK = 0x3f;

/** Largest value of the 16-bit duration field, in timestamp units (RFC 4733 §2.5.1.3). */
export const MAX_TELEPHONE_EVENT_DURATION = 0xffff;

/**
 * The RFC 4733 §2.3 telephone-event payload (one event; trailing bytes, e.g. a
 * redundant copy, are ignored when reading).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 */
export class TelephoneEventPayload {
  constructor(
    /** Event code, 0–255 (0–15 are the DTMF keys, see dtmf-digit.ts). */
    readonly event: number,
    /** E bit: this packet carries the end of the event. */
    readonly end: boolean,
    /** Power level as -dBm0, 0–63 (0 = loudest); §2.3 says receivers may ignore it. */
    readonly volume: number,
    /** Duration so far, in RTP timestamp units, 0–65535. */
    readonly duration: number,
    /** R bit: senders set it to 0, receivers ignore it; kept so a round trip is byte-exact. */
    readonly reserved = false,
  ) {
    checkRange('event', event, 0xff);
    checkRange('volume', volume, VOLUME_MASK);
    checkRange('duration', duration, MAX_TELEPHONE_EVENT_DURATION);
  }

  /** Reads the first event of a payload; throws TelephoneEventPayloadError if shorter than 4 bytes. */
  static deserialize(bytes: Uint8Array): TelephoneEventPayload {
    if (bytes.length < TELEPHONE_EVENT_PAYLOAD_SIZE) {
      throw new TelephoneEventPayloadError(
        `telephone-event payload needs ${TELEPHONE_EVENT_PAYLOAD_SIZE} bytes, got ${bytes.length}`,
      );
    }
    const flags = bytes[FLAGS_OFFSET]!;
    const duration = (bytes[DURATION_OFFSET]! << 8) | bytes[DURATION_OFFSET + 1]!;
    return new TelephoneEventPayload(
      bytes[EVENT_OFFSET]!,
      (flags & END_BIT) !== 0,
      flags & VOLUME_MASK,
      duration,
      (flags & RESERVED_BIT) !== 0,
    );
  }

  /** The 4 payload bytes in network order. */
  serialize(): Buffer {
    const out = Buffer.alloc(TELEPHONE_EVENT_PAYLOAD_SIZE);
    out[EVENT_OFFSET] = this.event;
    out[FLAGS_OFFSET] = (this.end ? END_BIT : 0) | (this.reserved ? RESERVED_BIT : 0) | this.volume;
    out.writeUInt16BE(this.duration, DURATION_OFFSET);
    return out;
  }
}

function checkRange(field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new TelephoneEventPayloadError(`telephone-event ${field} must be an integer 0–${max}, got ${value}`);
  }
}
