import { describe, expect, it } from 'vitest';
import { dominantFrequency, goertzelPower, rms, toneAmplitude, toneShare } from './tone-analysis.js';
import { sines, toPcm, whiteNoise } from './test-signals.js';

describe('tone-analysis test helpers', () => {
  it('measures the level of each of two tones, ignoring the other', () => {
    const pcm = sines([{ frequency: 440, amplitude: 8000 }, { frequency: 480, amplitude: 2000 }], 8000);
    expect(toneAmplitude(pcm, 440)).toBeCloseTo(8000, -1);
    expect(toneAmplitude(pcm, 480)).toBeCloseTo(2000, -1);
    expect(goertzelPower(pcm, 1000)).toBeLessThan(1);
    expect(toneShare(pcm, [440, 480])).toBeGreaterThan(0.99);
    expect(rms(pcm)).toBeCloseTo(Math.sqrt((8000 ** 2 + 2000 ** 2) / 2), -1);
  });

  it('finds the dominant frequency to within a hertz, even under noise', () => {
    for (const f of [123, 425, 1000, 3333.5]) {
      const pcm = sines([{ frequency: f, amplitude: 5000 }], 1600);
      expect(Math.abs(dominantFrequency(pcm) - f)).toBeLessThan(1);
    }
    const noisy = toPcm(whiteNoise(8000, 3000, 4).map((v, i) => v + 3000 * Math.sin((2 * Math.PI * 1234 * i) / 8000)));
    expect(Math.abs(dominantFrequency(noisy) - 1234)).toBeLessThan(1);
    expect(toneShare(noisy, [1234])).toBeLessThan(0.6);
  });
});
