import { type DtmfDigit, dtmfEventToDigit } from './dtmf-digit.js';
import { MAX_TELEPHONE_EVENT_DURATION, TelephoneEventPayload } from './telephone-event-payload.js';
import { TelephoneEventPayloadError } from './dtmf-errors.js';

/** One received telephone-event RTP packet, as the RTP adapter hands it over. */
export interface ReceivedTelephoneEvent {
  /** RTP timestamp: identifies the event (or segment) — RFC 4733 §2.5.2.1. */
  timestamp: number;
  marker: boolean;
  /** The parsed payload, or the raw RTP payload bytes. */
  payload: TelephoneEventPayload | Uint8Array;
  /**
   * RTP sequence number. Not needed for correctness: the timestamp identifies the
   * event and the duration only grows within it, so reordering is resolved without it.
   */
  seq?: number;
}

/** A key press, reported once per event. */
export interface DtmfKeyPress {
  digit: DtmfDigit;
  durationMs: number;
}

/** Construction options of a TelephoneEventReceiver. */
export interface TelephoneEventReceiverOptions {
  /** RTP clock rate of the telephone-event payload type. */
  clockRate?: number;
  /** flush() reports an unended event once this long has passed since its last known sample. */
  endTimeoutMs?: number;
}

interface CurrentEvent {
  event: number;
  digit: DtmfDigit;
  segmentTimestamp: number;
  /** Largest duration seen in the current segment. */
  segmentDuration: number;
  /** Sum of the durations of earlier segments of a long event (§2.5.1.3). */
  earlierSegments: number;
  reported: boolean;
}

/**
 * Turns received RFC 4733 telephone-events into key presses, each reported exactly once.
 *
 * A press is reported when its first E-bit packet arrives (so retransmitted ends and
 * end-only events both count once), or — when all end packets were lost — when a packet
 * of a newer event arrives or flush() finds the event silent for `endTimeoutMs`.
 * Events are told apart by RTP timestamp, never by the marker bit, which may be lost.
 * A packet older than the newest event belongs to a superseded event and is dropped, so
 * keys come out in order. Non-key events (flash, tones) are ignored.
 */
export class TelephoneEventReceiver {
  private readonly clockRate: number;
  private readonly endTimeoutSamples: number;
  /** Duration a segment must have reached before a following same-key event may continue it. */
  private readonly segmentFullSamples: number;
  private current: CurrentEvent | undefined;

  constructor(options: TelephoneEventReceiverOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.endTimeoutSamples = Math.round(((options.endTimeoutMs ?? 500) * this.clockRate) / 1000);
    // Allow the last few updates of a full segment to be lost (200 ms of slack).
    this.segmentFullSamples = MAX_TELEPHONE_EVENT_DURATION - Math.round(this.clockRate * 0.2);
  }

  /** Handles one packet; returns the key press it completes, if any. */
  process(packet: ReceivedTelephoneEvent): DtmfKeyPress[] {
    let payload: TelephoneEventPayload;
    if (packet.payload instanceof TelephoneEventPayload) {
      payload = packet.payload;
    } else {
      try {
        payload = TelephoneEventPayload.deserialize(packet.payload);
      } catch (error) {
        if (error instanceof TelephoneEventPayloadError) return [];
        throw error;
      }
    }
    const digit = dtmfEventToDigit(payload.event);
    if (digit === undefined) return [];
    const timestamp = packet.timestamp >>> 0;
    const cur = this.current;

    if (cur !== undefined) {
      if (timestamp === cur.segmentTimestamp) {
        // Same event (a later update, a reordered one, or a retransmitted end).
        if (payload.event !== cur.event || cur.reported) return [];
        cur.segmentDuration = Math.max(cur.segmentDuration, payload.duration);
        return payload.end ? [this.report(cur)] : [];
      }
      if (serialDiff(timestamp, cur.segmentTimestamp) < 0) return [];

      if (!cur.reported && this.continuesSegment(cur, timestamp, packet.marker, payload)) {
        cur.earlierSegments += cur.segmentDuration;
        cur.segmentTimestamp = timestamp;
        cur.segmentDuration = payload.duration;
        return payload.end ? [this.report(cur)] : [];
      }
    }

    const out: DtmfKeyPress[] = [];
    // A newer event means the previous one is over even if its end packets were all lost.
    if (cur !== undefined && !cur.reported) out.push(this.report(cur));
    const next: CurrentEvent = {
      event: payload.event,
      digit,
      segmentTimestamp: timestamp,
      segmentDuration: payload.duration,
      earlierSegments: 0,
      reported: false,
    };
    this.current = next;
    if (payload.end) out.push(this.report(next));
    return out;
  }

  /**
   * Reports an event whose end never arrived once `nowTimestamp` (the stream's current
   * RTP timestamp, e.g. of the latest audio packet) is `endTimeoutMs` past its last known sample.
   */
  flush(nowTimestamp: number): DtmfKeyPress[] {
    const cur = this.current;
    if (cur === undefined || cur.reported) return [];
    const lastSample = (cur.segmentTimestamp + cur.segmentDuration) >>> 0;
    return serialDiff(nowTimestamp >>> 0, lastSample) >= this.endTimeoutSamples ? [this.report(cur)] : [];
  }

  /** Forgets the current event, e.g. when the sender's SSRC changes. */
  reset(): void {
    this.current = undefined;
  }

  // §2.5.1.3: a new segment of a long event starts at old timestamp + old duration,
  // carries the same event and (as this sender does too) no marker bit.
  private continuesSegment(
    cur: CurrentEvent,
    timestamp: number,
    marker: boolean,
    payload: TelephoneEventPayload,
  ): boolean {
    if (marker || payload.event !== cur.event || cur.segmentDuration < this.segmentFullSamples) return false;
    const gap = serialDiff(timestamp, cur.segmentTimestamp);
    return gap >= cur.segmentDuration && gap <= MAX_TELEPHONE_EVENT_DURATION;
  }

  private report(cur: CurrentEvent): DtmfKeyPress {
    cur.reported = true;
    const samples = cur.earlierSegments + cur.segmentDuration;
    return { digit: cur.digit, durationMs: (samples * 1000) / this.clockRate };
  }
}

/** a − b for 32-bit RTP timestamps, as a signed distance (RFC 1982 style). */
function serialDiff(a: number, b: number): number {
  return ((a - b) | 0);
}
