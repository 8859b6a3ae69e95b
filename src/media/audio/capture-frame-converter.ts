import { PolyphaseResampler } from '../resample/polyphase-resampler.js';
import { AudioError, AudioErrorCode } from './audio-error.js';
import { AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE } from './audio-format.js';
import { FrameChunker } from './frame-chunker.js';
import { GainStage } from './gain-stage.js';

/** What a capture device delivers: interleaved signed 16-bit little-endian PCM. */
export interface CaptureFormat {
  /** Device sample rate, Hz (8000, or e.g. 48000 to be resampled). */
  rate: number;
  /** Interleaved channels; more than one are mixed to mono. */
  channels: number;
  gainDb?: number;
}

/**
 * Pure stage from raw capture periods to 20 ms frames: S16_LE bytes of any period size
 * → mono mix → resampling to 8 kHz (when the device runs at another rate) → exact
 * 160-sample frames → gain. Bytes of a sample split across periods are carried over.
 */
export class CaptureFrameConverter {
  private readonly resampler: PolyphaseResampler | undefined;
  private readonly chunker = new FrameChunker(AUDIO_FRAME_SAMPLES);
  private readonly gain: GainStage;
  private readonly bytesPerFrame: number;
  private carry = new Uint8Array(0);

  constructor(readonly format: CaptureFormat) {
    if (!Number.isInteger(format.rate) || format.rate < 4000 || format.rate > 384000) {
      throw new AudioError(AudioErrorCode.Config, `capture rate must be an integer between 4000 and 384000 Hz, got ${format.rate}`);
    }
    if (!Number.isInteger(format.channels) || format.channels < 1 || format.channels > 32) {
      throw new AudioError(AudioErrorCode.Config, `capture channels must be an integer between 1 and 32, got ${format.channels}`);
    }
    this.resampler = format.rate === AUDIO_SAMPLE_RATE ? undefined : new PolyphaseResampler(format.rate, AUDIO_SAMPLE_RATE);
    this.gain = new GainStage(format.gainDb ?? 0);
    this.bytesPerFrame = 2 * format.channels;
  }

  /** Converts one period of captured bytes; returns the frames it completes. */
  process(bytes: Uint8Array): Int16Array[] {
    const input = this.carry.length === 0 ? bytes : concat(this.carry, bytes);
    const usable = input.length - (input.length % this.bytesPerFrame);
    this.carry = input.slice(usable);
    const mono = this.toMono(input, usable);
    const at8k = this.resampler ? this.resampler.process(mono) : mono;
    const frames = this.chunker.process(at8k);
    for (const frame of frames) this.gain.applyInPlace(frame);
    return frames;
  }

  private toMono(input: Uint8Array, usable: number): Int16Array {
    const view = new DataView(input.buffer, input.byteOffset, usable);
    const channels = this.format.channels;
    const count = usable / this.bytesPerFrame;
    const out = new Int16Array(count);
    if (channels === 1) {
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += view.getInt16((i * channels + c) * 2, true);
      out[i] = Math.round(sum / channels);
    }
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
