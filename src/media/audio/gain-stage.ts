import { AudioError, AudioErrorCode } from './audio-error.js';

/** Largest gain accepted, dB: beyond it 16-bit audio is mostly clipping. */
export const MAX_GAIN_DB = 40;

/** Linear factor of a gain in dB (20·log10 amplitude). */
export function decibelsToFactor(db: number): number {
  return 10 ** (db / 20);
}

/** Checks a configured gain, naming the option in the error. */
export function validateGainDb(db: number, option = 'gainDb'): number {
  if (!Number.isFinite(db) || Math.abs(db) > MAX_GAIN_DB) {
    throw new AudioError(AudioErrorCode.Config, `${option} must be a number of dB between -${MAX_GAIN_DB} and ${MAX_GAIN_DB}, got ${db}`);
  }
  return db;
}

/** Pure stage that scales 16-bit PCM by a gain in dB, rounding and saturating (no wrap-around). */
export class GainStage {
  readonly factor: number;

  constructor(readonly gainDb = 0) {
    this.factor = decibelsToFactor(validateGainDb(gainDb));
  }

  /** True when the stage leaves samples unchanged. */
  get unity(): boolean {
    return this.gainDb === 0;
  }

  /** Scales `frame` in place and returns it. */
  applyInPlace(frame: Int16Array): Int16Array {
    if (this.unity) return frame;
    const k = this.factor;
    for (let i = 0; i < frame.length; i++) {
      const v = Math.round(frame[i]! * k);
      frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return frame;
  }

  /** A scaled copy of `frame`. */
  process(frame: Int16Array): Int16Array {
    return this.applyInPlace(Int16Array.from(frame));
  }
}
