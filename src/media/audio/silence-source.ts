import { AUDIO_FRAME_SAMPLES } from './audio-format.js';
import { TimedFrameSource, type TimedFrameSourceOptions } from './timed-frame-source.js';

/** A source of digital silence at 50 frames per second (a muted or absent microphone). */
export class SilenceSource extends TimedFrameSource {
  constructor(options: TimedFrameSourceOptions = {}) {
    super(options);
  }

  protected nextFrame(): Int16Array {
    return new Int16Array(AUDIO_FRAME_SAMPLES);
  }
}
