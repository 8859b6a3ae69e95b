import { DtmfDigitError } from './dtmf-errors.js';
import { dtmfDigitToEvent, toDtmfDigit } from './dtmf-digit.js';
import { MAX_TELEPHONE_EVENT_DURATION, TelephoneEventPayload } from './telephone-event-payload.js';

/** One RTP packet's worth of telephone-event, for the RTP adapter to packetize. */
export interface TelephoneEventPacket {
  /** RTP marker bit: set on the first packet of an event only (RFC 4733 §2.5.1.1). */
  marker: boolean;
  /** RTP timestamp: the start of the event (or of the current segment, §2.5.1.3). */
  timestamp: number;
  payload: TelephoneEventPayload;
}

/** Construction options of a TelephoneEventSender. */
export interface TelephoneEventSenderOptions {
  /** RTP clock rate of the telephone-event payload type; 8000 unless negotiated otherwise. */
  clockRate?: number;
  /** Packet period in ms; tick() must be called once per period. */
  packetTimeMs?: number;
  /** Silence between the end of one event and the start of the next queued one. */
  interDigitGapMs?: number;
  /** How many times the final packet of an event or segment is sent (§2.5.1.4: three). */
  endRepeats?: number;
}

/** Per-digit options of TelephoneEventSender.start(). */
export interface TelephoneEventToneOptions {
  /** Tone length; rounded up to whole packet periods. */
  durationMs?: number;
  /** Level as -dBm0, 0–63. */
  volume?: number;
}

interface QueuedEvent {
  event: number;
  volume: number;
  totalSamples: number;
}

interface ActiveEvent extends QueuedEvent {
  sentSamples: number;
  segmentStart: number;
  segmentSamples: number;
  first: boolean;
}

interface Repeat {
  packet: TelephoneEventPacket;
  remaining: number;
}

/**
 * Pure RFC 4733 sender for DTMF keys, one event at a time: start() queues a key,
 * tick() (once per packet period, clocked by the media path) returns the packets
 * of that period.
 *
 * Long events: an event longer than the 16-bit duration field is split into
 * segments as RFC 4733 §2.5.1.3 describes (the segment ends at the largest whole
 * packet period that fits, its last packet is sent three times without the E bit,
 * and the next segment's timestamp is the old timestamp plus that duration).
 */
export class TelephoneEventSender {
  private readonly samplesPerPacket: number;
  private readonly samplesPerMs: number;
  private readonly gapPeriods: number;
  private readonly endRepeats: number;
  private readonly maxSegmentSamples: number;
  private readonly queue: QueuedEvent[] = [];
  private active: ActiveEvent | undefined;
  private repeats: Repeat[] = [];
  private gapLeft = 0;
  private clock = 0;

  constructor(options: TelephoneEventSenderOptions = {}) {
    const clockRate = options.clockRate ?? 8000;
    const packetTimeMs = options.packetTimeMs ?? 20;
    this.samplesPerMs = clockRate / 1000;
    this.samplesPerPacket = Math.round(packetTimeMs * this.samplesPerMs);
    this.endRepeats = Math.max(1, options.endRepeats ?? 3);
    // The gap must also cover the end-packet retransmissions so two events never overlap on the wire.
    this.gapPeriods = Math.max(Math.ceil((options.interDigitGapMs ?? 60) / packetTimeMs), this.endRepeats - 1);
    this.maxSegmentSamples =
      Math.floor(MAX_TELEPHONE_EVENT_DURATION / this.samplesPerPacket) * this.samplesPerPacket;
  }

  /**
   * Queues a key. `timestamp` is the RTP timestamp of the period the next tick()
   * covers; it is used only when the sender is idle — a key queued while busy starts
   * after the previous one plus the inter-digit gap, on the sender's own clock.
   */
  start(digit: string, timestamp: number, options: TelephoneEventToneOptions = {}): void {
    const key = toDtmfDigit(digit);
    if (key === undefined) throw new DtmfDigitError(digit);
    const durationMs = options.durationMs ?? 100;
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) {
      throw new RangeError(`DTMF duration must be a positive number of ms, got ${durationMs}`);
    }
    const periods = Math.ceil((durationMs * this.samplesPerMs) / this.samplesPerPacket);
    const event: QueuedEvent = {
      event: dtmfDigitToEvent(key),
      volume: options.volume ?? 10,
      totalSamples: periods * this.samplesPerPacket,
    };
    // Validate the volume now rather than on the media path.
    new TelephoneEventPayload(event.event, false, event.volume, 0);
    if (this.idle) this.clock = timestamp >>> 0;
    this.queue.push(event);
  }

  /** True when nothing is queued, sending, retransmitting or waiting out a gap. */
  get idle(): boolean {
    return this.active === undefined && this.queue.length === 0 && this.repeats.length === 0 && this.gapLeft === 0;
  }

  /** Drops queued keys; an event already on the wire is finished properly. */
  clearQueue(): void {
    this.queue.length = 0;
  }

  /** Advances one packet period and returns the packets to send in it (possibly none). */
  tick(): TelephoneEventPacket[] {
    const now = this.clock;
    this.clock = (this.clock + this.samplesPerPacket) >>> 0;
    const out: TelephoneEventPacket[] = [];

    for (const repeat of this.repeats) {
      out.push(repeat.packet);
      repeat.remaining -= 1;
    }
    this.repeats = this.repeats.filter((r) => r.remaining > 0);

    if (this.active === undefined) {
      if (this.gapLeft > 0) {
        this.gapLeft -= 1;
        return out;
      }
      const next = this.queue.shift();
      if (next === undefined) return out;
      this.active = { ...next, sentSamples: 0, segmentStart: now, segmentSamples: 0, first: true };
    }

    const ev = this.active;
    ev.sentSamples += this.samplesPerPacket;
    ev.segmentSamples += this.samplesPerPacket;
    const ended = ev.sentSamples >= ev.totalSamples;
    const packet: TelephoneEventPacket = {
      marker: ev.first,
      timestamp: ev.segmentStart,
      payload: new TelephoneEventPayload(ev.event, ended, ev.volume, ev.segmentSamples),
    };
    ev.first = false;
    out.push(packet);

    if (ended) {
      // §2.5.1.4: the final packet is sent three times in all, at the update interval.
      this.scheduleRepeats(packet);
      this.active = undefined;
      this.gapLeft = this.gapPeriods;
    } else if (ev.segmentSamples + this.samplesPerPacket > this.maxSegmentSamples) {
      // §2.5.1.3: the duration field is full; this packet closes the segment (no E bit)
      // and the next segment starts where it ended, without the marker bit.
      this.scheduleRepeats(packet);
      ev.segmentStart = (ev.segmentStart + ev.segmentSamples) >>> 0;
      ev.segmentSamples = 0;
    }
    return out;
  }

  // A retransmission never carries the marker, even when it repeats an event's only packet.
  private scheduleRepeats(packet: TelephoneEventPacket): void {
    if (this.endRepeats > 1) this.repeats.push({ packet: { ...packet, marker: false }, remaining: this.endRepeats - 1 });
  }
}
