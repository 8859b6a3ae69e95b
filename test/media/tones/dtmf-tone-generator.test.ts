import { describe, expect, it } from 'vitest';
import { DtmfToneGenerator } from '../../../src/media/tones/dtmf-tone-generator.js';
import { GoertzelDtmfDetector } from '../../../src/media/dtmf/goertzel-dtmf-detector.js';
import { DtmfDigitError } from '../../../src/media/dtmf/dtmf-errors.js';
import { amplitudeToDbm0 } from '../../../src/media/tones/dbm0.js';
import { toneAmplitude, toneShare } from '../../support/tone-analysis.js';

function playAll(generator: DtmfToneGenerator): Int16Array[] {
  const out: Int16Array[] = [];
  for (let f = generator.nextFrame(); f !== null && out.length < 1000; f = generator.nextFrame()) out.push(f);
  return out;
}

describe('DtmfToneGenerator', () => {
  it('is idle (null frames) until keys are queued', () => {
    const generator = new DtmfToneGenerator();
    expect(generator.idle).toBe(true);
    expect(generator.nextFrame()).toBeNull();
  });

  it('plays a key at its two frequencies with high-group pre-emphasis', () => {
    const generator = new DtmfToneGenerator({ toneMs: 100, gapMs: 60 });
    generator.send('5');
    const frames = playAll(generator);
    expect(frames).toHaveLength(8); // 160 ms
    const tone = new Int16Array(800);
    frames.slice(0, 5).forEach((f, i) => tone.set(f, i * 160));
    expect(amplitudeToDbm0(toneAmplitude(tone, 770))).toBeCloseTo(-8, 0);
    expect(amplitudeToDbm0(toneAmplitude(tone, 1336))).toBeCloseTo(-6, 0);
    expect(toneShare(tone, [770, 1336])).toBeGreaterThan(0.98);
    expect(frames.slice(5).every((f) => f.every((s) => s === 0))).toBe(true);
    expect(generator.idle).toBe(true);
  });

  it('produces keys the in-band detector reads back, with durations not tied to frames', () => {
    const generator = new DtmfToneGenerator({ toneMs: 45, gapMs: 45 });
    generator.send('1234#');
    generator.send('a0');
    const detector = new GoertzelDtmfDetector();
    const heard = playAll(generator).flatMap((f) => detector.process(f));
    heard.push(...detector.process(new Int16Array(800)));
    expect(heard.join('')).toBe('1234#A0');
  });

  it('rejects a string with a non-key and queues none of it', () => {
    const generator = new DtmfToneGenerator();
    expect(() => generator.send('12x')).toThrow(DtmfDigitError);
    expect(generator.idle).toBe(true);
  });
});
