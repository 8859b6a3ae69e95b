import { describe, expect, it } from 'vitest';
import { ToneGenerator } from '../../../src/media/tones/tone-generator.js';
import {
  BUSY_EU,
  CONFIRMATION_CHIME,
  ERROR_BEEPS,
  RINGBACK_EU,
  RINGBACK_US,
} from '../../../src/media/tones/tone-cadences.js';
import { onOffCadence } from '../../../src/media/tones/tone-cadence.js';
import { amplitudeToDbm0, dbm0ToAmplitude } from '../../../src/media/tones/dbm0.js';
import { dominantFrequency, rms, toneAmplitude } from '../../support/tone-analysis.js';

function frames(generator: ToneGenerator, count: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < count; i++) {
    const f = generator.nextFrame();
    if (f === null) break;
    out.push(f);
  }
  return out;
}

function join(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

const isSilent = (f: Int16Array): boolean => f.every((s) => s === 0);

describe('ToneGenerator', () => {
  it('plays EU ringback: 425 Hz at -10 dBm0 for 1 s, 4 s silence, repeat', () => {
    const out = frames(new ToneGenerator(RINGBACK_EU), 300);
    expect(out).toHaveLength(300);
    expect(out.every((f) => f.length === 160)).toBe(true);
    const on = join(out.slice(0, 50));
    expect(dominantFrequency(on)).toBeCloseTo(425, 0);
    expect(amplitudeToDbm0(toneAmplitude(on, 425))).toBeCloseTo(-10, 0);
    expect(out.slice(0, 50).some(isSilent)).toBe(false);
    expect(out.slice(50, 250).every(isSilent)).toBe(true);
    expect(out.slice(250, 300).some(isSilent)).toBe(false);
  });

  it('plays US ringback: 440 + 480 Hz for 2 s, 4 s silence', () => {
    const out = frames(new ToneGenerator(RINGBACK_US), 310);
    const on = join(out.slice(0, 100));
    expect(amplitudeToDbm0(toneAmplitude(on, 440))).toBeCloseTo(-19, 0);
    expect(amplitudeToDbm0(toneAmplitude(on, 480))).toBeCloseTo(-19, 0);
    expect(toneAmplitude(on, 425)).toBeLessThan(dbm0ToAmplitude(-40));
    expect(out.slice(100, 300).every(isSilent)).toBe(true);
    expect(isSilent(out[300]!)).toBe(false);
  });

  it('plays busy: 0.5 s on, 0.5 s off', () => {
    const pattern = frames(new ToneGenerator(BUSY_EU), 100).map((f) => (isSilent(f) ? '.' : '#')).join('');
    expect(pattern).toBe(('#'.repeat(25) + '.'.repeat(25)).repeat(2));
  });

  it('keeps the phase continuous across frames (matches one unbroken sine)', () => {
    const generator = new ToneGenerator(onOffCadence([1000], [1000, 0]), { rampMs: 0 });
    const signal = join(frames(generator, 10));
    const amplitude = dbm0ToAmplitude(-10);
    for (let n = 0; n < signal.length; n++) {
      expect(Math.abs(signal[n]! - amplitude * Math.sin((2 * Math.PI * 1000 * n) / 8000))).toBeLessThanOrEqual(1);
    }
  });

  it('makes no clicks: sample steps stay within a sine’s slope, ramps included', () => {
    const signal = join(frames(new ToneGenerator(BUSY_EU), 150));
    const maxStep = dbm0ToAmplitude(-10) * ((2 * Math.PI * 425) / 8000) + 2;
    for (let n = 1; n < signal.length; n++) expect(Math.abs(signal[n]! - signal[n - 1]!)).toBeLessThanOrEqual(maxStep);
  });

  it('plays the confirmation chime once, rising 660 → 880 Hz, then ends', () => {
    const generator = new ToneGenerator(CONFIRMATION_CHIME);
    const out = frames(generator, 100);
    expect(out).toHaveLength(16);
    expect(generator.finished).toBe(true);
    expect(generator.nextFrame()).toBeNull();
    const all = join(out);
    expect(dominantFrequency(all.subarray(0, 960))).toBeCloseTo(660, 0);
    expect(dominantFrequency(all.subarray(960))).toBeCloseTo(880, 0);
  });

  it('plays the error tone as three low beeps, padding the last frame', () => {
    const out = frames(new ToneGenerator(ERROR_BEEPS), 100);
    expect(out).toHaveLength(33); // 650 ms
    const all = join(out);
    const bursts = [];
    for (let i = 0; i < all.length; i += 80) bursts.push(rms(all.subarray(i, i + 80)) > 100 ? '#' : '.');
    expect(bursts.join('').replace(/#+/g, '#').replace(/\.+/g, '.')).toBe('#.#.#.');
    expect(dominantFrequency(all.subarray(0, 1200))).toBeCloseTo(330, 0);
  });

  it('switches segments at the exact sample, not the frame', () => {
    const out = join(frames(new ToneGenerator(onOffCadence([500], [30, 10], { repeat: true }), { rampMs: 0 }), 4));
    // 240 samples on, 80 off, repeating: check the first sample of each off run and of the next on run.
    const active = (n: number): boolean => Math.abs(out[n]!) > 0 || Math.abs(out[n + 1]!) > 0;
    expect(active(200)).toBe(true);
    expect(out.subarray(240, 320).every((s) => s === 0)).toBe(true);
    expect(active(320)).toBe(true);
    expect(out.subarray(560, 640).every((s) => s === 0)).toBe(true);
  });

  it('rejects frequencies outside the band and empty repeating cadences', () => {
    expect(() => new ToneGenerator(onOffCadence([4000], [100]))).toThrow(RangeError);
    expect(() => new ToneGenerator(onOffCadence([425], [0, 0]))).toThrow(RangeError);
    expect(new ToneGenerator(onOffCadence([425], [], { repeat: false })).nextFrame()).toBeNull();
  });
});
