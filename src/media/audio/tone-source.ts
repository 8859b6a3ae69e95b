import type { ToneCadence } from '../tones/tone-cadence.js';
import { ToneGenerator } from '../tones/tone-generator.js';
import { AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE } from './audio-format.js';
import { GainStage } from './gain-stage.js';
import { TimedFrameSource, type TimedFrameSourceOptions } from './timed-frame-source.js';

/** Options of a ToneSource. */
export interface ToneSourceOptions extends TimedFrameSourceOptions {
  gainDb?: number;
}

/** Builds the cadence of a steady sine (a test signal such as 1 kHz at −10 dBm0). */
export function steadyTone(frequencyHz: number, levelDbm0 = -10): ToneCadence {
  return { segments: [{ frequencies: [frequencyHz], durationMs: 1000 }], repeat: true, levelDbm0 };
}

/**
 * A source playing a tone cadence (a test tone, or a simulated caller) at 50 frames
 * per second; a cadence that does not repeat is followed by silence.
 */
export class ToneSource extends TimedFrameSource {
  private readonly generator: ToneGenerator;
  private readonly gain: GainStage;

  constructor(cadence: ToneCadence, options: ToneSourceOptions = {}) {
    super(options);
    // rampMs 0 for a steady tone: its 1 s segments repeat seamlessly without edges.
    const steady = cadence.repeat && cadence.segments.length === 1;
    this.generator = new ToneGenerator(cadence, {
      sampleRate: AUDIO_SAMPLE_RATE,
      frameSamples: AUDIO_FRAME_SAMPLES,
      ...(steady ? { rampMs: 0 } : {}),
    });
    this.gain = new GainStage(options.gainDb ?? 0);
  }

  /** True once a non-repeating cadence has been played out. */
  get finished(): boolean {
    return this.generator.finished;
  }

  protected nextFrame(): Int16Array {
    return this.gain.applyInPlace(this.generator.nextFrame() ?? new Int16Array(AUDIO_FRAME_SAMPLES));
  }
}
