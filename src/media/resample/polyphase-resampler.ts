/** Construction options of a PolyphaseResampler. */
export interface PolyphaseResamplerOptions {
  /** Sinc zero crossings on each side of the centre; more = steeper filter, more latency. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (0.96 at 8 kHz → 3.84 kHz). */
  passband?: number;
  /** Kaiser window shape; 8 gives about 80 dB stop-band rejection. */
  kaiserBeta?: number;
}

/**
 * Pure, stateful sample-rate converter for 16-bit mono PCM between any two integer
 * rates (44100/48000/16000 ↔ 8000): a rational L/M polyphase windowed-sinc filter.
 * Frames of any size go in, converted samples come out; the filter's history
 * carries across calls, so a stream cut into frames converts exactly like the whole.
 * Output sample n is the input interpolated at time n·inputRate/outputRate (no
 * signal delay), but it can only be computed once `latency` more samples have arrived.
 */
export class PolyphaseResampler {
  /** Upsampling factor L. */
  private readonly up: number;
  /** Downsampling factor M. */
  private readonly down: number;
  private readonly taps: number;
  private readonly half: number;
  /** taps coefficients per phase, phase-major. */
  private readonly coefficients: Float64Array;
  private readonly passthrough: boolean;
  private history: Float64Array;
  /** Absolute input index of history[0]. */
  private historyStart: number;
  /** floor(t) of the next output time t, in input samples. */
  private index = 0;
  /** L·frac(t) of the next output time. */
  private phase = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    options: PolyphaseResamplerOptions = {},
  ) {
    if (!Number.isInteger(inputRate) || !Number.isInteger(outputRate) || inputRate <= 0 || outputRate <= 0) {
      throw new RangeError(`sample rates must be positive integers, got ${inputRate} → ${outputRate}`);
    }
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    this.passthrough = inputRate === outputRate;
    // Cut-off in cycles per input sample, below the lower of the two Nyquist frequencies.
    const cutoff = 0.5 * Math.min(1, this.up / this.down) * (options.passband ?? 0.96);
    const zeroCrossings = options.zeroCrossings ?? 16;
    this.half = Math.max(1, Math.ceil(zeroCrossings / (2 * cutoff)));
    this.taps = 2 * this.half;
    this.coefficients = designPhases(this.up, this.taps, this.half, cutoff, options.kaiserBeta ?? 8);
    // Start with half-1 zeros of past so the first output aligns with the first input.
    this.historyStart = -(this.half - 1);
    this.history = new Float64Array(this.half - 1);
  }

  /** Output samples held back per call until enough look-ahead input has arrived. */
  get latency(): number {
    return this.passthrough ? 0 : Math.round((this.half * this.up) / this.down);
  }

  /** Converts one chunk; returns however many output samples it completes. */
  process(input: Int16Array): Int16Array {
    if (this.passthrough) return Int16Array.from(input);
    const buffer = new Float64Array(this.history.length + input.length);
    buffer.set(this.history);
    for (let i = 0; i < input.length; i++) buffer[this.history.length + i] = input[i]!;
    const lastIndex = this.historyStart + buffer.length - 1;

    const capacity = Math.ceil(((buffer.length + 1) * this.up) / this.down) + 1;
    const out = new Int16Array(capacity);
    let produced = 0;
    const { taps, up, down, coefficients } = this;
    while (this.index + this.half <= lastIndex) {
      const base = this.index - this.half + 1 - this.historyStart;
      const row = this.phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += coefficients[row + k]! * buffer[base + k]!;
      out[produced++] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
      this.phase += down;
      this.index += Math.floor(this.phase / up);
      this.phase %= up;
    }
    // Keep only the samples later outputs can still reach.
    const keepFrom = Math.max(0, this.index - this.half + 1 - this.historyStart);
    this.history = buffer.slice(Math.min(keepFrom, buffer.length));
    this.historyStart += Math.min(keepFrom, buffer.length);
    return out.subarray(0, produced);
  }

  /** Forgets all history, as if newly constructed. */
  reset(): void {
    this.historyStart = -(this.half - 1);
    this.history = new Float64Array(this.half - 1);
    this.index = 0;
    this.phase = 0;
  }
}

/**
 * Coefficients of each of the `up` phases: phase p computes the output at input time
 * i + p/up from inputs i-half+1 … i+half, weighted by a Kaiser-windowed sinc.
 * Each phase is normalised to unity DC gain.
 */
function designPhases(up: number, taps: number, half: number, cutoff: number, beta: number): Float64Array {
  const out = new Float64Array(up * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const tau = p / up + half - 1 - k; // output time minus input time
      const x = tau / half;
      const window = Math.abs(x) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta;
      const arg = 2 * cutoff * tau;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      const c = 2 * cutoff * sinc * window;
      out[p * taps + k] = c;
      sum += c;
    }
    for (let k = 0; k < taps; k++) out[p * taps + k] = out[p * taps + k]! / sum;
  }
  return out;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
