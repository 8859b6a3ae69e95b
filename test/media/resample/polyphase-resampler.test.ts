import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolyphaseResampler } from '../../../src/media/resample/polyphase-resampler.js';
import { dominantFrequency, goertzelPower, toneAmplitude } from '../../support/tone-analysis.js';
import { sines } from '../../support/test-signals.js';

function convert(resampler: PolyphaseResampler, input: Int16Array, frame: number): { out: Int16Array; sizes: number[] } {
  const parts: Int16Array[] = [];
  for (let i = 0; i < input.length; i += frame) parts.push(resampler.process(input.subarray(i, i + frame)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return { out, sizes: parts.map((p) => p.length) };
}

const A = 10000;
const tone = (f: number, rate: number, seconds = 1): Int16Array => sines([{ frequency: f, amplitude: A }], rate * seconds, rate);

describe('PolyphaseResampler', () => {
  it.each([
    [48000, 960],
    [44100, 882],
    [16000, 320],
  ])('converts %d Hz to 8 kHz in 20 ms frames, 160 samples per frame after the first', (rate, frame) => {
    const resampler = new PolyphaseResampler(rate, 8000);
    const { out, sizes } = convert(resampler, tone(1000, rate), frame);
    expect(sizes.slice(1).every((n) => n === 160)).toBe(true);
    expect(out.length).toBe(8000 - (160 - sizes[0]!));
    // No signal delay: output n is the 1 kHz sine at n/8000 s.
    const steady = out.subarray(400, 7000);
    for (let n = 400; n < 7000; n += 7) {
      expect(Math.abs(out[n]! - A * Math.sin((2 * Math.PI * 1000 * n) / 8000))).toBeLessThan(A * 0.01);
    }
    expect(dominantFrequency(steady)).toBeCloseTo(1000, 0);
    expect(toneAmplitude(steady, 1000) / A).toBeCloseTo(1, 2);
  });

  it.each([
    [48000, 5000, 3000],
    [44100, 6000, 2000],
    [16000, 4600, 3400],
  ])('suppresses aliasing when downsampling %d Hz (a %d Hz tone must not appear at %d Hz)', (rate, f, alias) => {
    const out = new PolyphaseResampler(rate, 8000).process(tone(f, rate));
    const attenuationDb = 10 * Math.log10(goertzelPower(out.subarray(200), alias) / (A * A / 2));
    expect(attenuationDb).toBeLessThan(-60);
  });

  it.each([16000, 44100, 48000])('upsamples 8 kHz to %d Hz without images', (rate) => {
    const resampler = new PolyphaseResampler(8000, rate);
    const { out } = convert(resampler, tone(1000, 8000), 160);
    const steady = out.subarray(rate / 10, rate / 2);
    expect(toneAmplitude(steady, 1000, rate) / A).toBeCloseTo(1, 2);
    // The first image of 1 kHz sampled at 8 kHz lies at 7 kHz.
    expect(10 * Math.log10(goertzelPower(steady, 7000, rate) / (A * A / 2))).toBeLessThan(-60);
    expect(dominantFrequency(steady, rate, { maxHz: 7500 })).toBeCloseTo(1000, 0);
  });

  it('passes the telephone band edge (3.4 kHz) within 0.5 dB', () => {
    const out = new PolyphaseResampler(48000, 8000).process(tone(3400, 48000));
    const gainDb = 20 * Math.log10(toneAmplitude(out.subarray(200, 7500), 3400) / A);
    expect(Math.abs(gainDb)).toBeLessThan(0.5);
  });

  it('gives identical output however the input is chunked', () => {
    const input = sines([{ frequency: 700, amplitude: 8000 }, { frequency: 2300, amplitude: 5000 }], 4410, 44100);
    const whole = new PolyphaseResampler(44100, 8000).process(input);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }), (cuts) => {
        const resampler = new PolyphaseResampler(44100, 8000);
        const parts: number[] = [];
        let i = 0;
        for (let c = 0; i < input.length; c++) {
          const size = cuts[c % cuts.length]!;
          parts.push(...resampler.process(input.subarray(i, i + size)));
          i += size;
        }
        expect(parts).toEqual([...whole]);
      }),
      { numRuns: 30 },
    );
  });

  it('copies input unchanged when the rates are equal, and rejects bad rates', () => {
    const input = Int16Array.of(1, -2, 3);
    expect([...new PolyphaseResampler(8000, 8000).process(input)]).toEqual([1, -2, 3]);
    expect(() => new PolyphaseResampler(0, 8000)).toThrow(RangeError);
    expect(() => new PolyphaseResampler(44100.5, 8000)).toThrow(RangeError);
  });

  it('reset() starts over', () => {
    const resampler = new PolyphaseResampler(48000, 8000);
    const first = resampler.process(tone(1000, 48000, 0.1));
    resampler.process(tone(500, 48000, 0.1));
    resampler.reset();
    expect([...resampler.process(tone(1000, 48000, 0.1))]).toEqual([...first]);
  });
});
