import { AudioError, AudioErrorCode } from './audio-error.js';
import { AUDIO_FRAME_SAMPLES } from './audio-format.js';
import { GainStage } from './gain-stage.js';
import { TimedFrameSource, type TimedFrameSourceOptions } from './timed-frame-source.js';
import { loadWavClip } from './wav-clip.js';

/** Options of a WavFileSource. */
export interface WavFileSourceOptions extends TimedFrameSourceOptions {
  gainDb?: number;
  /** Loop the clip (default) or play it once and then silence. */
  loop?: boolean;
}

/**
 * A source playing 8 kHz samples — typically a WAVE file resampled to 8 kHz — looped,
 * at 50 frames per second: the simulated door microphone.
 */
export class WavFileSource extends TimedFrameSource {
  private readonly gain: GainStage;
  private readonly loop: boolean;
  private position = 0;

  constructor(
    private readonly samples: Int16Array,
    options: WavFileSourceOptions = {},
  ) {
    super(options);
    this.gain = new GainStage(options.gainDb ?? 0);
    this.loop = options.loop ?? true;
  }

  /** Loads a WAVE file (any rate/channels/encoding readWav accepts), resampled to 8 kHz mono. */
  static async open(path: string, options: WavFileSourceOptions = {}): Promise<WavFileSource> {
    const samples = await loadWavClip(path);
    if (samples.length === 0) throw new AudioError(AudioErrorCode.Config, `WAVE file '${path}' holds no audio`);
    return new WavFileSource(samples, options);
  }

  protected nextFrame(): Int16Array {
    const clip = this.samples;
    if (this.position + AUDIO_FRAME_SAMPLES <= clip.length) {
      // The usual case, a frame inside the clip: one copy.
      const frame = clip.slice(this.position, this.position + AUDIO_FRAME_SAMPLES);
      this.position += AUDIO_FRAME_SAMPLES;
      return this.gain.applyInPlace(frame);
    }
    const frame = new Int16Array(AUDIO_FRAME_SAMPLES);
    let filled = 0;
    while (filled < frame.length && clip.length > 0) {
      if (this.position >= clip.length) {
        if (!this.loop) break;
        this.position = 0;
      }
      const take = Math.min(frame.length - filled, clip.length - this.position);
      frame.set(clip.subarray(this.position, this.position + take), filled);
      filled += take;
      this.position += take;
    }
    return this.gain.applyInPlace(frame);
  }
}
