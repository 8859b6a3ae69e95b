import { describe, expect, it } from 'vitest';
import { GoertzelDtmfDetector } from '../../../src/media/dtmf/goertzel-dtmf-detector.js';
import { dtmfFrequencies } from '../../../src/media/dtmf/dtmf-frequencies.js';
import type { DtmfDigit } from '../../../src/media/dtmf/dtmf-digit.js';
import {
  amplitudeOfDbm0,
  concat,
  harmonicChirp,
  mix,
  ms,
  sines,
  toPcm,
  whiteNoise,
} from '../../support/test-signals.js';

function dtmf(digit: DtmfDigit, durationMs: number, lowDbm0 = -10, highDbm0 = lowDbm0, detune = 1): Int16Array {
  const [low, high] = dtmfFrequencies(digit);
  return sines(
    [
      { frequency: low * detune, amplitude: amplitudeOfDbm0(lowDbm0) },
      { frequency: high * detune, amplitude: amplitudeOfDbm0(highDbm0), phase: 1 },
    ],
    ms(durationMs),
  );
}

const silence = (durationMs: number): Int16Array => new Int16Array(ms(durationMs));

/** Feeds in 20 ms frames, as the media path does. */
function detect(pcm: Int16Array, frame = 160): string {
  const detector = new GoertzelDtmfDetector();
  const out: string[] = [];
  for (let i = 0; i < pcm.length; i += frame) out.push(...detector.process(pcm.subarray(i, i + frame)));
  return out.join('');
}

const ALL: DtmfDigit[] = ['1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D'];

describe('GoertzelDtmfDetector', () => {
  it('detects each of the 16 keys once', () => {
    for (const digit of ALL) {
      expect(detect(concat(silence(30), dtmf(digit, 100), silence(100)))).toBe(digit);
    }
  });

  it.each([
    [-3, 40],
    [-3, 500],
    [-10, 40],
    [-10, 2000],
    [-20, 60],
    [-28, 100],
    [-30, 200],
  ])('detects a tone pair at %d dBm0 per tone lasting %d ms exactly once', (level, duration) => {
    expect(detect(concat(silence(17), dtmf('5', duration, level), silence(80)))).toBe('5');
  });

  it('gives the same result whatever the chunking of the input', () => {
    const pcm = concat(dtmf('1', 60), silence(50), dtmf('9', 45), silence(60), dtmf('#', 200), silence(60));
    for (const frame of [1, 37, 102, 160, 1000, pcm.length]) expect(detect(pcm, frame)).toBe('19#');
  });

  it('accepts twist within +4/-8 dB and ±1.5 % frequency deviation', () => {
    expect(detect(concat(dtmf('8', 100, -12, -9), silence(60)))).toBe('8'); // high group 3 dB above
    expect(detect(concat(dtmf('8', 100, -6, -13), silence(60)))).toBe('8'); // high group 7 dB below
    expect(detect(concat(dtmf('3', 100, -10, -10, 1.015), silence(60)))).toBe('3');
    expect(detect(concat(dtmf('3', 100, -10, -10, 0.985), silence(60)))).toBe('3');
  });

  it('rejects twist beyond the limits', () => {
    expect(detect(concat(dtmf('8', 300, -16, -10), silence(60)))).toBe(''); // high group 6 dB above
    expect(detect(concat(dtmf('8', 300, -4, -14), silence(60)))).toBe(''); // high group 10 dB below
  });

  it('rejects single tones of every DTMF frequency', () => {
    for (const f of [697, 770, 852, 941, 1209, 1336, 1477, 1633]) {
      expect(detect(sines([{ frequency: f, amplitude: amplitudeOfDbm0(-6) }], ms(500)))).toBe('');
    }
  });

  it('rejects a 1 kHz tone, alone and under a weak key-free hum', () => {
    expect(detect(sines([{ frequency: 1000, amplitude: amplitudeOfDbm0(-3) }], ms(1000)))).toBe('');
    expect(
      detect(sines([{ frequency: 1000, amplitude: amplitudeOfDbm0(-10) }, { frequency: 50, amplitude: 2000 }], ms(1000))),
    ).toBe('');
  });

  it('rejects white noise at several levels', () => {
    for (const [seed, level] of [[1, 300], [2, 3000], [3, 10000]] as const) {
      expect(detect(toPcm(whiteNoise(ms(2000), level, seed)))).toBe('');
    }
  });

  it('rejects speech-like harmonic sweeps', () => {
    expect(detect(harmonicChirp(ms(2000), 90, 300, 20, 6000))).toBe('');
    expect(detect(harmonicChirp(ms(2000), 300, 120, 12, 9000))).toBe('');
    expect(detect(harmonicChirp(ms(3000), 150, 200, 30, 5000))).toBe('');
  });

  it('rejects tones too short (15 ms) or too weak (-45 dBm0)', () => {
    expect(detect(concat(silence(40), dtmf('4', 15), silence(60)))).toBe('');
    expect(detect(concat(silence(40), dtmf('4', 300, -45), silence(60)))).toBe('');
  });

  it('detects all keys back to back: 40 ms tones with 40 ms gaps', () => {
    const parts = ALL.flatMap((d) => [dtmf(d, 40), silence(40)]);
    expect(detect(concat(silence(13), ...parts))).toBe(ALL.join(''));
  });

  it('reports a repeated key once per press', () => {
    expect(detect(concat(dtmf('7', 80), silence(40), dtmf('7', 80), silence(40), dtmf('7', 80), silence(40)))).toBe('777');
  });

  it('detects "1234#" in white noise at 15 dB SNR, in order', () => {
    const keys = concat(silence(100), ...[...'1234#'].flatMap((d) => [dtmf(d as DtmfDigit, 70, -12, -10), silence(60)]));
    // Two tones at -12/-10 dBm0 carry about -8 dBm0 together; noise 15 dB below that.
    const signalRms = Math.sqrt((amplitudeOfDbm0(-12) ** 2 + amplitudeOfDbm0(-10) ** 2) / 2);
    for (const seed of [7, 8, 9]) {
      expect(detect(mix(keys, whiteNoise(keys.length, signalRms / 10 ** (15 / 20), seed)))).toBe('1234#');
    }
  });

  it('reset() forgets a half-heard key', () => {
    const detector = new GoertzelDtmfDetector();
    expect(detector.process(dtmf('2', 20))).toEqual([]);
    detector.reset();
    expect(detector.process(concat(silence(40), dtmf('2', 10), silence(60)))).toEqual([]);
  });
});
