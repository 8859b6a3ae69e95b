import { randomInt } from 'node:crypto';
import type { AudioCodec } from '../codec/audio-codec.js';
import { TelephoneEventSender, type TelephoneEventToneOptions } from '../dtmf/telephone-event-sender.js';
import { RtpPacket } from '../rtp/rtp-packet.js';
import { RtpSessionError } from './rtp-session-error.js';

/** What the packetizer sends with, from the negotiated media. */
export interface RtpSendFormat {
  codec: AudioCodec;
  /** Payload type of the codec (its static number unless the peer mapped it). */
  pt: number;
  /** telephone-event payload type, undefined when the peer has none. */
  dtmfPt: number | undefined;
  /** Packet time in ms; a multiple of 10 for G.711. */
  ptime: number;
}

/** Initial RTP state; random by default (RFC 3550 §5.1: sequence number and timestamp start random). */
export interface RtpPacketizerInit {
  ssrc?: number;
  initialSequence?: number;
  initialTimestamp?: number;
}

const NO_EVENTS: readonly never[] = Object.freeze([]);

/** One packet to put on the wire. */
export interface OutgoingRtp {
  packet: RtpPacket;
  /** RTP timestamp of the packet period (for a telephone-event packet the header carries the event start instead). */
  periodTimestamp: number;
}

/**
 * The sending half of an audio stream as a pure stage: 16-bit PCM in, RTP
 * packets out. Samples are collected into packets of `ptime`; each completed
 * packet period advances the timestamp by ptime·8 whether or not anything is
 * sent (underrun, hold), so the far end's timeline stays true. The marker bit
 * is set on the first packet of each talkspurt (RFC 3551 §4.1): the first
 * packet, and the first after a gap, a DTMF event or a pause in sending.
 *
 * DTMF shares the clock: the RFC 4733 sender is ticked once per packet period,
 * and in a period where it has packets they replace the audio packet (§2.5.1.1
 * — the tone is not also sent as audio).
 */
export class RtpAudioPacketizer {
  readonly ssrc: number;
  private format!: RtpSendFormat;
  private samplesPerPacket = 0;
  private sequence: number;
  private timestamp: number;
  private pending = new Int16Array(0);
  private filled = 0;
  private skippedInPacket = 0;
  private marker = true;
  private dtmf: TelephoneEventSender | undefined;
  /** When false, periods elapse but nothing is emitted (hold, recvonly, inactive). */
  sending = true;

  constructor(format: RtpSendFormat, init: RtpPacketizerInit = {}) {
    this.ssrc = (init.ssrc ?? randomInt(0, 2 ** 32)) >>> 0;
    this.sequence = (init.initialSequence ?? randomInt(0, 2 ** 16)) & 0xffff;
    this.timestamp = (init.initialTimestamp ?? randomInt(0, 2 ** 32)) >>> 0;
    this.setFormat(format);
  }

  /**
   * Switches codec, payload types or packet time (re-INVITE). A partly filled
   * packet is dropped, its time still counted; an event in progress is abandoned.
   */
  setFormat(format: RtpSendFormat): void {
    if (!(format.ptime >= 10 && format.ptime <= 120)) throw new RangeError(`ptime ${format.ptime} ms is not 10..120`);
    const samplesPerPacket = Math.round((format.ptime * format.codec.clockRate) / 1000);
    if (this.filled > 0) this.timestamp = (this.timestamp + this.filled) >>> 0;
    const samePacing = this.format !== undefined && samplesPerPacket === this.samplesPerPacket && this.format.dtmfPt === format.dtmfPt;
    this.format = format;
    this.samplesPerPacket = samplesPerPacket;
    if (this.pending.length !== samplesPerPacket) this.pending = new Int16Array(samplesPerPacket);
    this.filled = 0;
    this.skippedInPacket = 0;
    this.marker = true;
    if (!samePacing) {
      this.dtmf = format.dtmfPt === undefined ? undefined : new TelephoneEventSender({ clockRate: format.codec.clockRate, packetTimeMs: format.ptime });
    }
  }

  /** The RTP timestamp of the next packet period. */
  get nextTimestamp(): number {
    return this.timestamp;
  }

  /** The next sequence number to be used. */
  get nextSequence(): number {
    return this.sequence;
  }

  /** True when the peer negotiated telephone-event. */
  get canSendDtmf(): boolean {
    return this.dtmf !== undefined;
  }

  /** True when no DTMF event is queued or on the wire. */
  get dtmfIdle(): boolean {
    return this.dtmf?.idle ?? true;
  }

  /** Queues a key to send as RFC 4733 events from the next packet period on. */
  sendDtmf(digit: string, options?: TelephoneEventToneOptions): void {
    if (this.dtmf === undefined) {
      throw new RtpSessionError('no-telephone-event', 'the peer did not negotiate telephone-event; send DTMF by SIP INFO');
    }
    this.dtmf.start(digit, this.timestamp, options);
  }

  /** Adds captured samples; returns the packets completed by them. */
  pushAudio(pcm: Int16Array): OutgoingRtp[] {
    const out: OutgoingRtp[] = [];
    if (this.filled === 0 && pcm.length === this.samplesPerPacket) {
      // The usual case, a capture period that is exactly one packet: encode it as it is.
      this.completePeriod(out, pcm);
      return out;
    }
    let offset = 0;
    while (offset < pcm.length) {
      const n = Math.min(pcm.length - offset, this.samplesPerPacket - this.filled);
      this.pending.set(pcm.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.samplesPerPacket) this.completePeriod(out, this.pending);
    }
    return out;
  }

  /** Adds `samples` of silence, sent as audio (keeps the far end's jitter buffer and NAT bindings fed). */
  pushSilence(samples: number): OutgoingRtp[] {
    return this.pushAudio(new Int16Array(samples));
  }

  /**
   * Lets `samples` of time pass with nothing to send (capture underrun, a
   * skipped clock period): the timestamp advances, and a packet made only of
   * skipped time is not sent; DTMF events still go out on time.
   */
  skip(samples: number): OutgoingRtp[] {
    const out: OutgoingRtp[] = [];
    let left = samples;
    while (left > 0) {
      const n = Math.min(left, this.samplesPerPacket - this.filled);
      this.pending.fill(0, this.filled, this.filled + n);
      this.filled += n;
      this.skippedInPacket += n;
      left -= n;
      if (this.filled === this.samplesPerPacket) this.completePeriod(out, this.pending);
    }
    return out;
  }

  /** Ends a packet period whose samples are `samples` (the pending buffer, or a whole frame pushed at once). */
  private completePeriod(out: OutgoingRtp[], samples: Int16Array): void {
    const periodTimestamp = this.timestamp;
    this.timestamp = (this.timestamp + this.samplesPerPacket) >>> 0;
    const allSkipped = this.skippedInPacket >= this.samplesPerPacket;
    this.filled = 0;
    this.skippedInPacket = 0;

    // An idle sender has nothing to tick (start() resets its clock when it leaves idle).
    const dtmf = this.dtmf;
    const events = dtmf === undefined || dtmf.idle ? NO_EVENTS : dtmf.tick();
    if (events.length > 0) {
      if (this.sending) {
        for (const event of events) {
          out.push({
            packet: this.packet(this.format.dtmfPt!, event.marker, event.timestamp, event.payload.serialize()),
            periodTimestamp,
          });
        }
      }
      this.marker = true;
      return;
    }
    if (!this.sending || allSkipped) {
      this.marker = true;
      return;
    }
    out.push({ packet: this.packet(this.format.pt, this.marker, periodTimestamp, this.format.codec.encode(samples)), periodTimestamp });
    this.marker = false;
  }

  private packet(payloadType: number, marker: boolean, timestamp: number, payload: Buffer): RtpPacket {
    const packet = new RtpPacket({ payloadType, marker, timestamp, ssrc: this.ssrc, sequenceNumber: this.sequence, payload });
    this.sequence = (this.sequence + 1) & 0xffff;
    return packet;
  }
}
