/** Deterministic test signals (sines, noise, chirps) as 16-bit PCM. */

/** Peak amplitude of a sine at `dbm0` (0 dBm0 = 3.14 dB below full scale, as G.711). */
export function amplitudeOfDbm0(dbm0: number): number {
  return 32767 * 10 ** ((dbm0 - 3.14) / 20);
}

/** Sum of sines `{ frequency, amplitude, phase? }`, `samples` long. */
export function sines(
  components: readonly { frequency: number; amplitude: number; phase?: number }[],
  samples: number,
  sampleRate = 8000,
): Int16Array {
  const out = new Int16Array(samples);
  for (let n = 0; n < samples; n++) {
    let v = 0;
    for (const c of components) v += c.amplitude * Math.sin((2 * Math.PI * c.frequency * n) / sampleRate + (c.phase ?? 0));
    out[n] = clamp(v);
  }
  return out;
}

/** Milliseconds to samples. */
export function ms(milliseconds: number, sampleRate = 8000): number {
  return Math.round((milliseconds * sampleRate) / 1000);
}

/** Concatenates buffers. */
export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Seeded pseudo-random generator (mulberry32), so noisy tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gaussian white noise of the given RMS. */
export function whiteNoise(samples: number, rmsLevel: number, seed = 1): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(samples);
  for (let n = 0; n < samples; n += 2) {
    const u = Math.max(random(), 1e-12);
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u)) * rmsLevel;
    out[n] = r * Math.cos(2 * Math.PI * v);
    if (n + 1 < samples) out[n + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Adds a float signal to PCM, clamping. */
export function mix(pcm: Int16Array, add: ArrayLike<number>): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let n = 0; n < pcm.length; n++) out[n] = clamp(pcm[n]! + (add[n] ?? 0));
  return out;
}

/** Float signal to clamped PCM. */
export function toPcm(values: ArrayLike<number>): Int16Array {
  const out = new Int16Array(values.length);
  for (let n = 0; n < values.length; n++) out[n] = clamp(values[n]!);
  return out;
}

/**
 * A voiced-speech-like sweep: a fundamental gliding from f0Start to f0End with
 * `harmonics` harmonics falling off 6 dB/octave (a crude glottal source).
 */
export function harmonicChirp(
  samples: number,
  f0Start: number,
  f0End: number,
  harmonics: number,
  amplitude: number,
  sampleRate = 8000,
): Int16Array {
  const out = new Int16Array(samples);
  let phase = 0;
  for (let n = 0; n < samples; n++) {
    const f0 = f0Start + ((f0End - f0Start) * n) / samples;
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 1; h <= harmonics; h++) {
      if (f0 * h < sampleRate / 2) v += Math.sin(h * phase) / h;
    }
    out[n] = clamp(v * amplitude);
  }
  return out;
}

function clamp(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}
