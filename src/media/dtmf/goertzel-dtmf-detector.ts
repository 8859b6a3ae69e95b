import { dbm0ToAmplitude } from '../tones/dbm0.js';
import type { DtmfDigit } from './dtmf-digit.js';
import { DTMF_COLUMN_FREQUENCIES, DTMF_ROW_FREQUENCIES, dtmfDigitAt } from './dtmf-frequencies.js';

/** Construction options of a GoertzelDtmfDetector; defaults suit 8 kHz telephone audio. */
export interface GoertzelDtmfDetectorOptions {
  sampleRate?: number;
  /** Samples per analysis block; 102 at 8 kHz (12.75 ms) resolves 40 ms tones and gaps. */
  blockSize?: number;
  /** Weakest accepted level of each of the two tones. */
  minToneLevelDbm0?: number;
  /** How far the high-group tone may lie below the low-group tone ("normal twist"). */
  maxNormalTwistDb?: number;
  /** How far the high-group tone may lie above the low-group tone ("reverse twist"). */
  maxReverseTwistDb?: number;
  /** Every other row (column) must lie at least this far below the strongest one. */
  relativePeakDb?: number;
  /**
   * Share of the block's energy the two tones must hold. Speech and music spread energy
   * over harmonics and formants, noise over the whole band, so they fall short of it.
   */
  minToneEnergyRatio?: number;
  /** Consecutive valid blocks before a key is reported (2 × 12.75 ms ≈ 26 ms). */
  minOnBlocks?: number;
  /** Consecutive blocks without the key before it counts as released. */
  minOffBlocks?: number;
}

/**
 * Pure in-band DTMF detector (Goertzel filters on the eight Q.23 frequencies, with
 * level, twist, relative-peak and energy-share checks in the spirit of ITU-T Q.24).
 * process() takes PCM of any length and returns each key press once, when it has
 * lasted `minOnBlocks` blocks; a key is only reported again after it was released.
 */
export class GoertzelDtmfDetector {
  private readonly blockSize: number;
  private readonly rowCoefficients: Float64Array;
  private readonly columnCoefficients: Float64Array;
  private readonly minTonePower: number;
  private readonly normalTwist: number;
  private readonly reverseTwist: number;
  private readonly relativePeak: number;
  private readonly minToneEnergyRatio: number;
  private readonly minOnBlocks: number;
  private readonly minOffBlocks: number;
  private readonly block: Float64Array;
  private fill = 0;
  private candidate: DtmfDigit | null = null;
  private candidateRun = 0;
  private held: DtmfDigit | null = null;
  private offRun = 0;
  private readonly rowPower = new Float64Array(4);
  private readonly columnPower = new Float64Array(4);

  constructor(options: GoertzelDtmfDetectorOptions = {}) {
    const sampleRate = options.sampleRate ?? 8000;
    this.blockSize = options.blockSize ?? Math.round((102 * sampleRate) / 8000);
    const coefficient = (f: number): number => 2 * Math.cos((2 * Math.PI * f) / sampleRate);
    this.rowCoefficients = Float64Array.from(DTMF_ROW_FREQUENCIES, coefficient);
    this.columnCoefficients = Float64Array.from(DTMF_COLUMN_FREQUENCIES, coefficient);
    // A sine of peak A at the filter frequency gives Goertzel power (A·N/2)².
    const minAmplitude = dbm0ToAmplitude(options.minToneLevelDbm0 ?? -33);
    this.minTonePower = ((minAmplitude * this.blockSize) / 2) ** 2;
    this.normalTwist = dbToPowerRatio(options.maxNormalTwistDb ?? 8);
    this.reverseTwist = dbToPowerRatio(options.maxReverseTwistDb ?? 4);
    this.relativePeak = dbToPowerRatio(options.relativePeakDb ?? 6);
    this.minToneEnergyRatio = options.minToneEnergyRatio ?? 0.6;
    this.minOnBlocks = options.minOnBlocks ?? 2;
    this.minOffBlocks = options.minOffBlocks ?? 2;
    this.block = new Float64Array(this.blockSize);
  }

  /** Feeds PCM; returns the keys whose presses were recognised in it, in order. */
  process(samples: Int16Array): DtmfDigit[] {
    const found: DtmfDigit[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(samples.length - i, this.blockSize - this.fill);
      for (let k = 0; k < take; k++) this.block[this.fill + k] = samples[i + k]!;
      this.fill += take;
      i += take;
      if (this.fill === this.blockSize) {
        this.fill = 0;
        const digit = this.track(this.classify());
        if (digit !== null) found.push(digit);
      }
    }
    return found;
  }

  /** Forgets partial blocks and key state (e.g. at the start of a new call). */
  reset(): void {
    this.fill = 0;
    this.candidate = null;
    this.candidateRun = 0;
    this.held = null;
    this.offRun = 0;
  }

  /** Decides which key, if any, the current block holds. */
  private classify(): DtmfDigit | null {
    const block = this.block;
    let energy = 0;
    for (let n = 0; n < block.length; n++) energy += block[n]! * block[n]!;
    if (energy === 0) return null;
    goertzelBank(block, this.rowCoefficients, this.rowPower);
    goertzelBank(block, this.columnCoefficients, this.columnPower);
    const row = argMax(this.rowPower);
    const column = argMax(this.columnPower);
    const rowPower = this.rowPower[row]!;
    const columnPower = this.columnPower[column]!;

    if (rowPower < this.minTonePower || columnPower < this.minTonePower) return null;
    // Twist: the high group may be up to `reverseTwist` above, `normalTwist` below the low group.
    if (columnPower > rowPower * this.reverseTwist || columnPower * this.normalTwist < rowPower) return null;
    for (let k = 0; k < 4; k++) {
      if (k !== row && this.rowPower[k]! * this.relativePeak > rowPower) return null;
      if (k !== column && this.columnPower[k]! * this.relativePeak > columnPower) return null;
    }
    // Each tone's mean square is 2·power/N²; the block's is energy/N.
    const toneShare = (2 * (rowPower + columnPower)) / (block.length * energy);
    if (toneShare < this.minToneEnergyRatio) return null;
    return dtmfDigitAt(row, column) ?? null;
  }

  /** Debounces block decisions into key presses; returns a key when a press begins. */
  private track(digit: DtmfDigit | null): DtmfDigit | null {
    if (digit !== null && digit === this.candidate) {
      this.candidateRun += 1;
    } else {
      this.candidate = digit;
      this.candidateRun = digit === null ? 0 : 1;
    }
    if (this.held !== null) {
      if (digit === this.held) {
        this.offRun = 0;
        return null;
      }
      this.offRun += 1;
      if (this.offRun < this.minOffBlocks) return null;
      this.held = null;
    }
    if (this.candidate !== null && this.candidateRun >= this.minOnBlocks) {
      this.held = this.candidate;
      this.offRun = 0;
      return this.held;
    }
    return null;
  }
}

function goertzelBank(block: Float64Array, coefficients: Float64Array, power: Float64Array): void {
  for (let k = 0; k < coefficients.length; k++) {
    const c = coefficients[k]!;
    let s1 = 0;
    let s2 = 0;
    for (let n = 0; n < block.length; n++) {
      const s = block[n]! + c * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    power[k] = s1 * s1 + s2 * s2 - c * s1 * s2;
  }
}

function argMax(values: Float64Array): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

function dbToPowerRatio(db: number): number {
  return 10 ** (db / 10);
}
