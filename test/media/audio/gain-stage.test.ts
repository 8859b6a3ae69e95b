import { describe, expect, it } from 'vitest';
import { AudioError } from '../../../src/media/audio/audio-error.js';
import { GainStage, decibelsToFactor } from '../../../src/media/audio/gain-stage.js';

describe('GainStage', () => {
  it('scales by the dB factor with rounding', () => {
    expect(decibelsToFactor(6)).toBeCloseTo(1.9953, 4);
    const out = new GainStage(-6).process(Int16Array.of(1000, -1000, 3));
    expect([...out]).toEqual([501, -501, 2]);
  });

  it('saturates instead of wrapping around', () => {
    const out = new GainStage(12).process(Int16Array.of(20000, -20000, 100));
    expect([...out]).toEqual([32767, -32768, 398]);
  });

  it('leaves the input alone in process() and changes it in applyInPlace()', () => {
    const frame = Int16Array.of(100);
    const stage = new GainStage(20);
    expect(stage.process(frame)[0]).toBe(1000);
    expect(frame[0]).toBe(100);
    stage.applyInPlace(frame);
    expect(frame[0]).toBe(1000);
  });

  it('rejects a gain that is not a sane number of dB', () => {
    expect(() => new GainStage(Number.NaN)).toThrow(AudioError);
    expect(() => new GainStage(60)).toThrow(/between -40 and 40/);
  });
});
