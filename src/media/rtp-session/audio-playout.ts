import type { AudioCodec } from '../codec/audio-codec.js';
import { JitterBuffer, type JitterBufferOptions } from '../jitter/jitter-buffer.js';
import type { JitterBufferStats, JitterPushVerdict } from '../jitter/jitter-buffer-types.js';
import { PacketLossConcealer } from '../jitter/packet-loss-concealer.js';

/** Tuning of {@link AudioPlayout}. */
export interface AudioPlayoutOptions {
  /** Samples handed out per read (160 = 20 ms at 8 kHz, one playback period). */
  frameSamples?: number;
  /** Jitter buffer tuning; `frameMs` and `clockRate` are set from the packets. */
  jitter?: Omit<JitterBufferOptions, 'frameMs' | 'clockRate'>;
}

/** Packet durations (ms) we re-frame the jitter buffer for: whole 10 ms steps up to 60 ms. */
const MIN_PACKET_MS = 10;
const MAX_PACKET_MS = 60;

/**
 * The receiving half of an audio stream: payloads into the jitter buffer, and
 * fixed-size PCM frames out on demand, decoded and with gaps concealed.
 * `read(nowMs)` is called once per playback period by whatever clocks playout
 * (the ALSA device, or a MediaClock), so the jitter buffer is popped exactly as
 * fast as audio is consumed even when the peer's packet time (say 30 ms)
 * differs from the playback period (20 ms). The jitter buffer is re-made when
 * the packet duration changes, since its timing is per packet.
 */
export class AudioPlayout {
  private readonly frameSamples: number;
  private readonly jitterOptions: AudioPlayoutOptions['jitter'];
  private codec: AudioCodec;
  private jitter: JitterBuffer;
  private packetMs = 20;
  private readonly concealer: PacketLossConcealer;
  private fifo: Int16Array;
  private fifoLength = 0;

  constructor(codec: AudioCodec, options: AudioPlayoutOptions = {}) {
    this.codec = codec;
    this.frameSamples = options.frameSamples ?? 160;
    this.jitterOptions = options.jitter;
    this.jitter = this.makeJitterBuffer();
    this.concealer = new PacketLossConcealer({ frameSamples: this.samplesPerPacket });
    this.fifo = new Int16Array(this.frameSamples + this.samplesPerPacket * 2);
  }

  /** Switches the decoder (re-INVITE with another codec); buffered audio is dropped. */
  setCodec(codec: AudioCodec): void {
    if (codec === this.codec) return;
    this.codec = codec;
    this.reset();
  }

  /** Offers one received audio payload (copied: datagram buffers are not ours to keep). */
  push(seq: number, timestamp: number, payload: Buffer, arrivalMs: number, marker: boolean, ssrc: number): JitterPushVerdict {
    const ms = (payload.length * 1000) / this.codec.clockRate;
    if (ms !== this.packetMs && ms >= MIN_PACKET_MS && ms <= MAX_PACKET_MS && ms % MIN_PACKET_MS === 0) {
      this.packetMs = ms;
      this.jitter = this.makeJitterBuffer();
    }
    return this.jitter.push({ seq, timestamp, payload: Buffer.from(payload), arrivalMs, marker, ssrc });
  }

  /** The next frame of `frameSamples` samples to play; silence or concealment when nothing arrived in time. */
  read(nowMs: number): Int16Array {
    while (this.fifoLength < this.frameSamples) {
      const out = this.jitter.pop(nowMs);
      const pcm = this.concealer.process(out.concealed ? null : this.codec.decode(out.payload));
      this.append(pcm);
    }
    const frame = this.fifo.slice(0, this.frameSamples);
    this.fifo.copyWithin(0, this.frameSamples, this.fifoLength);
    this.fifoLength -= this.frameSamples;
    return frame;
  }

  /** Jitter buffer counters (late, lost, concealed, delay…). */
  get stats(): JitterBufferStats {
    return this.jitter.stats;
  }

  /** Drops everything buffered (new source, codec change). */
  reset(): void {
    this.jitter.reset();
    this.fifoLength = 0;
  }

  private get samplesPerPacket(): number {
    return Math.round((this.packetMs * this.codec.clockRate) / 1000);
  }

  private makeJitterBuffer(): JitterBuffer {
    const silence = this.codec.silence;
    return new JitterBuffer({
      isSilence: (payload) => payload.every((b) => b === silence),
      ...this.jitterOptions,
      frameMs: this.packetMs,
      clockRate: this.codec.clockRate,
    });
  }

  private append(pcm: Int16Array): void {
    if (this.fifoLength + pcm.length > this.fifo.length) {
      const grown = new Int16Array(this.fifoLength + pcm.length + this.frameSamples);
      grown.set(this.fifo.subarray(0, this.fifoLength));
      this.fifo = grown;
    }
    this.fifo.set(pcm, this.fifoLength);
    this.fifoLength += pcm.length;
  }
}
