/** Tuning of {@link PacketLossConcealer}. */
export interface PacketLossConcealerOptions {
  /** Samples per frame (160 for 20 ms at 8 kHz); used when there is no frame to repeat. */
  frameSamples?: number;
  /** Gain applied per concealed frame, compounding (0.5 → −6 dB per frame). */
  attenuation?: number;
  /** Concealed frames that repeat the last good frame before output turns to silence. */
  maxRepeatFrames?: number;
  /** Samples over which a good frame after concealment fades back in, to avoid a click. */
  fadeInSamples?: number;
}

/**
 * Fills the gaps the jitter buffer reports: for each missing frame it repeats
 * the last good decoded frame with a gain that falls frame by frame (a linear
 * ramp inside the frame, so there is no step), then plays silence. A pure 1:1
 * stage: `process(decodedFrame)` or `process(null)` once per playout period.
 */
export class PacketLossConcealer {
  private readonly frameSamples: number;
  private readonly attenuation: number;
  private readonly maxRepeatFrames: number;
  private readonly fadeInSamples: number;
  private lastFrame: Int16Array | undefined;
  private concealedRun = 0;
  private lastGain = 1;

  constructor(options: PacketLossConcealerOptions = {}) {
    this.frameSamples = options.frameSamples ?? 160;
    this.attenuation = options.attenuation ?? 0.5;
    this.maxRepeatFrames = options.maxRepeatFrames ?? 3;
    this.fadeInSamples = options.fadeInSamples ?? 40;
  }

  /**
   * Passes a good frame through (faded in if it ends a concealment), or with
   * `null` produces a concealment frame. The returned array may be the input.
   */
  process(frame: Int16Array | null): Int16Array {
    if (frame !== null) return this.accept(frame);

    this.concealedRun++;
    const last = this.lastFrame;
    if (last === undefined || this.concealedRun > this.maxRepeatFrames) {
      this.lastGain = 0;
      return new Int16Array(last?.length ?? this.frameSamples);
    }
    const from = this.lastGain;
    const to = this.concealedRun === this.maxRepeatFrames ? 0 : from * this.attenuation;
    this.lastGain = to;
    return ramp(last, from, to, last.length);
  }

  /** True while the last output was concealment. */
  get concealing(): boolean {
    return this.concealedRun > 0;
  }

  private accept(frame: Int16Array): Int16Array {
    const resuming = this.concealedRun > 0;
    this.concealedRun = 0;
    this.lastFrame = frame;
    const from = this.lastGain;
    this.lastGain = 1;
    if (!resuming || from >= 1 || this.fadeInSamples === 0) return frame;
    const out = ramp(frame, from, 1, Math.min(this.fadeInSamples, frame.length));
    return out;
  }
}

/** Copies `frame`, scaling the first `rampLength` samples from gain `from` to `to` and the rest by `to`. */
function ramp(frame: Int16Array, from: number, to: number, rampLength: number): Int16Array {
  const out = new Int16Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    const gain = i < rampLength ? from + ((to - from) * (i + 1)) / rampLength : to;
    out[i] = Math.round(frame[i]! * gain);
  }
  return out;
}
