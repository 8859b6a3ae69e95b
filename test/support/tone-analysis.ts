/**
 * Frequency measurements on PCM buffers, for tests that must prove a tone (or a
 * voice path) arrived: the level of one frequency, and the dominant frequency.
 * Independent of the production Goertzel detector on purpose.
 */

/** Mean square of the whole buffer. */
export function meanSquare(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let n = 0; n < samples.length; n++) sum += samples[n]! * samples[n]!;
  return samples.length === 0 ? 0 : sum / samples.length;
}

/** Root-mean-square level of the buffer. */
export function rms(samples: ArrayLike<number>): number {
  return Math.sqrt(meanSquare(samples));
}

/**
 * Power (mean square, A²/2 for a sine of peak A) of the component at `frequency`,
 * measured Goertzel-style with a Hann window so neighbouring tones leak little.
 */
export function goertzelPower(samples: ArrayLike<number>, frequency: number, sampleRate = 8000): number {
  return windowedPower(samples, hannWindow(samples.length), frequency, sampleRate);
}

function hannWindow(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));
}

function windowedPower(samples: ArrayLike<number>, window: Float64Array, frequency: number, sampleRate: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    windowSum += window[i]!;
    const s = samples[i]! * window[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const magnitudeSquared = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  // A windowed sine of peak A yields |X| = A·Σw/2.
  const amplitude = (2 * Math.sqrt(Math.max(0, magnitudeSquared))) / windowSum;
  return (amplitude * amplitude) / 2;
}

/** Estimated peak amplitude of the sine at `frequency`. */
export function toneAmplitude(samples: ArrayLike<number>, frequency: number, sampleRate = 8000): number {
  return Math.sqrt(2 * goertzelPower(samples, frequency, sampleRate));
}

/** Share (0–1) of the buffer's power held by the given frequencies. */
export function toneShare(samples: ArrayLike<number>, frequencies: readonly number[], sampleRate = 8000): number {
  const total = meanSquare(samples);
  if (total === 0) return 0;
  return frequencies.reduce((sum, f) => sum + goertzelPower(samples, f, sampleRate), 0) / total;
}

/** The strongest frequency between minHz and maxHz, to about 0.25 Hz. */
export function dominantFrequency(
  samples: ArrayLike<number>,
  sampleRate = 8000,
  range: { minHz?: number; maxHz?: number } = {},
): number {
  const minHz = range.minHz ?? 50;
  const maxHz = range.maxHz ?? sampleRate / 2 - 50;
  const window = hannWindow(samples.length);
  // Coarse scan at half the Hann main-lobe half-width, then a fine scan around the peak.
  const coarseStep = Math.max(1, sampleRate / samples.length);
  let best = minHz;
  let bestPower = -1;
  for (let f = minHz; f <= maxHz; f += coarseStep) {
    const p = windowedPower(samples, window, f, sampleRate);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  let refined = best;
  for (let f = best - coarseStep; f <= best + coarseStep; f += 0.25) {
    const p = windowedPower(samples, window, f, sampleRate);
    if (p > bestPower) {
      bestPower = p;
      refined = f;
    }
  }
  return refined;
}
