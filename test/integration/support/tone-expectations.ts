import { expect } from 'vitest';
import { dominantFrequency, toneShare } from '../../support/tone-analysis.js';

/**
 * Asserts that the last second of `samples` (8 kHz) is a tone at `hz`: its dominant
 * frequency within 5 Hz and most of its power at that frequency — a frequency check, so
 * that noise, clicks or the wrong tone cannot pass as "audio arrived".
 */
export function expectTone(samples: Int16Array, hz: number, what: string, minShare = 0.8): void {
  expect(samples.length, `${what}: samples`).toBeGreaterThanOrEqual(8000);
  const last = samples.subarray(samples.length - 8000);
  const found = dominantFrequency(last);
  expect(Math.abs(found - hz), `${what}: dominant ${found} Hz, expected ${hz}`).toBeLessThan(5);
  expect(toneShare(last, [hz]), `${what}: share of power at ${hz} Hz`).toBeGreaterThan(minShare);
}
