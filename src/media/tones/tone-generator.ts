import { dbm0ToAmplitude } from './dbm0.js';
import type { ToneCadence } from './tone-cadence.js';

/** Construction options of a ToneGenerator. */
export interface ToneGeneratorOptions {
  sampleRate?: number;
  /** Samples per frame returned by nextFrame(); 160 = 20 ms at 8 kHz. */
  frameSamples?: number;
  /** Raised-cosine attack/decay at each segment edge, so switching makes no click. */
  rampMs?: number;
}

interface PreparedSegment {
  samples: number;
  steps: Float64Array;
  amplitudes: Float64Array;
}

const TWO_PI = 2 * Math.PI;

/**
 * Pure generator of a cadenced tone (ringback, busy, chimes) as PCM frames. Each
 * oscillator keeps its phase from frame to frame, so frames join without clicks.
 */
export class ToneGenerator {
  private readonly segments: PreparedSegment[];
  private readonly repeat: boolean;
  private readonly frameSamples: number;
  private readonly rampSamples: number;
  private segmentIndex = 0;
  private position = 0;
  private phases = new Float64Array(0);
  private done = false;

  constructor(cadence: ToneCadence, options: ToneGeneratorOptions = {}) {
    const sampleRate = options.sampleRate ?? 8000;
    this.frameSamples = options.frameSamples ?? 160;
    this.rampSamples = Math.round(((options.rampMs ?? 2) * sampleRate) / 1000);
    this.repeat = cadence.repeat;
    this.segments = cadence.segments.map((segment) => {
      if (!(segment.durationMs >= 0)) throw new RangeError(`tone segment duration must be >= 0, got ${segment.durationMs}`);
      const steps = Float64Array.from(segment.frequencies, (f) => {
        if (!(f > 0 && f < sampleRate / 2)) throw new RangeError(`tone frequency ${f} Hz outside (0, ${sampleRate / 2})`);
        return (TWO_PI * f) / sampleRate;
      });
      const amplitudes = Float64Array.from(segment.frequencies, (_, i) =>
        dbm0ToAmplitude(segment.levelsDbm0?.[i] ?? cadence.levelDbm0),
      );
      return { samples: Math.round((segment.durationMs * sampleRate) / 1000), steps, amplitudes };
    });
    const total = this.segments.reduce((sum, s) => sum + s.samples, 0);
    if (total === 0) {
      if (this.repeat) throw new RangeError('a repeating cadence needs a non-zero length');
      this.done = true;
    }
    this.enterSegment(0);
  }

  /** True once a non-repeating cadence has been played out. */
  get finished(): boolean {
    return this.done;
  }

  /** The next frame; the last one is padded with silence; null once finished. */
  nextFrame(): Int16Array | null {
    if (this.done) return null;
    const frame = new Int16Array(this.frameSamples);
    this.renderInto(frame, 0);
    return frame;
  }

  /**
   * Writes samples into `target` from `offset` until it is full or the cadence ends;
   * returns how many were written (for stages that chain generators in one frame).
   */
  renderInto(target: Int16Array, offset: number): number {
    let out = offset;
    while (out < target.length && !this.done) {
      const segment = this.segments[this.segmentIndex]!;
      const count = Math.min(target.length - out, segment.samples - this.position);
      if (segment.steps.length === 0) {
        target.fill(0, out, out + count);
      } else {
        this.renderTone(segment, target, out, count);
      }
      out += count;
      this.position += count;
      if (this.position >= segment.samples) this.advance();
    }
    return out - offset;
  }

  private renderTone(segment: PreparedSegment, target: Int16Array, out: number, count: number): void {
    const { steps, amplitudes, samples } = segment;
    const phases = this.phases;
    const ramp = Math.min(this.rampSamples, Math.floor(samples / 2));
    for (let i = 0; i < count; i++) {
      const n = this.position + i;
      let value = 0;
      for (let k = 0; k < steps.length; k++) {
        value += amplitudes[k]! * Math.sin(phases[k]!);
        let next = phases[k]! + steps[k]!;
        if (next >= TWO_PI) next -= TWO_PI;
        phases[k] = next;
      }
      const edge = Math.min(n, samples - 1 - n);
      if (edge < ramp) value *= 0.5 - 0.5 * Math.cos((Math.PI * (edge + 0.5)) / ramp);
      target[out + i] = Math.max(-32768, Math.min(32767, Math.round(value)));
    }
  }

  private advance(): void {
    let next = this.segmentIndex + 1;
    if (next >= this.segments.length) {
      if (!this.repeat) {
        this.done = true;
        return;
      }
      next = 0;
    }
    this.enterSegment(next);
    // Skip zero-length segments; the constructor ensured a repeating cadence has some length.
    if (this.segments[next]!.samples === 0) this.advance();
  }

  private enterSegment(index: number): void {
    this.segmentIndex = index;
    this.position = 0;
    this.phases = new Float64Array(this.segments[index]?.steps.length ?? 0);
  }
}
