import { describe, expect, it } from 'vitest';
import { PacketLossConcealer } from '../../../src/media/jitter/packet-loss-concealer.js';

const tone = (value: number, n = 160) => new Int16Array(n).fill(value);
const peak = (frame: Int16Array) => frame.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('PacketLossConcealer', () => {
  it('passes good frames through untouched', () => {
    const plc = new PacketLossConcealer();
    const frame = tone(1000);
    expect(plc.process(frame)).toBe(frame);
    expect(plc.concealing).toBe(false);
  });

  it('outputs silence when there is nothing to repeat', () => {
    const plc = new PacketLossConcealer({ frameSamples: 80 });
    const out = plc.process(null);
    expect(out).toEqual(new Int16Array(80));
  });

  it('repeats the last frame with falling gain, then goes silent', () => {
    const plc = new PacketLossConcealer({ attenuation: 0.5, maxRepeatFrames: 3 });
    plc.process(tone(8000));
    const c1 = plc.process(null);
    const c2 = plc.process(null);
    const c3 = plc.process(null);
    const c4 = plc.process(null);
    // Ramps within each frame: 1 → 0.5, 0.5 → 0.25, 0.25 → 0.
    expect(c1[159]).toBe(4000);
    expect(peak(c1)).toBeLessThanOrEqual(8000);
    expect(c2[0]).toBeLessThanOrEqual(4000);
    expect(c2[159]).toBe(2000);
    expect(c3[159]).toBe(0);
    expect(peak(c4)).toBe(0);
    expect(plc.concealing).toBe(true);
    // Gain never rises during a loss run, sample by sample.
    const all = [...c1, ...c2, ...c3, ...c4];
    for (let i = 1; i < all.length; i++) expect(all[i]!).toBeLessThanOrEqual(all[i - 1]!);
  });

  it('fades a good frame back in after concealment without touching the original', () => {
    const plc = new PacketLossConcealer({ fadeInSamples: 40, maxRepeatFrames: 1 });
    plc.process(tone(1000));
    plc.process(null);
    plc.process(null); // silent now
    const good = tone(1000);
    const out = plc.process(good);
    expect(out).not.toBe(good);
    expect(good[0]).toBe(1000);
    expect(out[0]).toBe(25);
    expect(out[39]).toBe(1000);
    expect(out[100]).toBe(1000);
    expect(plc.concealing).toBe(false);
    // The next good frame is not faded.
    const next = tone(1000);
    expect(plc.process(next)).toBe(next);
  });
});
