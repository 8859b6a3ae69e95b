import { AUDIO_FRAME_SAMPLES } from './audio-format.js';

/**
 * Pure stage that cuts a stream of PCM chunks of any size (whatever period size a
 * sound card settles on) into frames of exactly `frameSamples`, carrying the
 * remainder over to the next call.
 */
export class FrameChunker {
  private pending: Int16Array;
  private filled = 0;

  constructor(readonly frameSamples: number = AUDIO_FRAME_SAMPLES) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) {
      throw new RangeError(`frame size must be a positive integer, got ${frameSamples}`);
    }
    this.pending = new Int16Array(frameSamples);
  }

  /** Samples held back until the next frame is complete. */
  get buffered(): number {
    return this.filled;
  }

  /** Appends `samples`; returns the frames they complete (each a fresh array). */
  process(samples: Int16Array): Int16Array[] {
    const frames: Int16Array[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.frameSamples - this.filled, samples.length - at);
      this.pending.set(samples.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.frameSamples) {
        frames.push(this.pending);
        this.pending = new Int16Array(this.frameSamples);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Drops the partial frame (after a device change, its samples no longer continue). */
  reset(): void {
    this.filled = 0;
  }
}
