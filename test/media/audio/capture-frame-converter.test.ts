import { describe, expect, it } from 'vitest';
import { CaptureFrameConverter } from '../../../src/media/audio/capture-frame-converter.js';
import { AudioError } from '../../../src/media/audio/audio-error.js';
import { dominantFrequency, toneAmplitude } from '../../support/tone-analysis.js';

function sine(rate: number, frequency: number, amplitude: number, count: number, channels = 1): Int16Array {
  const out = new Int16Array(count * channels);
  for (let i = 0; i < count; i++) {
    const v = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}

function bytesOf(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

function feed(converter: CaptureFrameConverter, bytes: Uint8Array, sizes: number[]): Int16Array[] {
  const frames: Int16Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    frames.push(...converter.process(bytes.subarray(at, at + size)));
    at += size;
  }
  return frames;
}

function join(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => out.set(f, i * 160));
  return out;
}

describe('CaptureFrameConverter', () => {
  it('passes 8 kHz mono through as exact frames, whatever the period and even split mid-sample', () => {
    const input = sine(8000, 1000, 8000, 1600);
    // Odd byte counts split samples across periods.
    const frames = feed(new CaptureFrameConverter({ rate: 8000, channels: 1 }), bytesOf(input), [331, 77, 640]);
    expect(frames).toHaveLength(10);
    expect(join(frames)).toEqual(input);
  });

  it('resamples a 48 kHz stereo capture to 8 kHz mono frames keeping frequency and level', () => {
    const input = sine(48000, 1000, 10000, 48000, 2); // 1 s
    // 1024-frame periods as a USB card picks (4096 bytes), not a multiple of 20 ms.
    const frames = feed(new CaptureFrameConverter({ rate: 48000, channels: 2 }), bytesOf(input), [4096]);
    // 1 s of audio minus the resampler's look-ahead.
    expect(frames.length).toBeGreaterThanOrEqual(49);
    expect(frames.every((f) => f.length === 160)).toBe(true);
    const steady = join(frames).subarray(800); // past the filter's start-up
    expect(Math.abs(dominantFrequency(steady) - 1000)).toBeLessThan(2);
    expect(toneAmplitude(steady, 1000)).toBeGreaterThan(9800);
    expect(toneAmplitude(steady, 1000)).toBeLessThan(10200);
  });

  it('mixes channels to mono', () => {
    const stereo = new Int16Array(320);
    for (let i = 0; i < 160; i++) {
      stereo[2 * i] = 1000;
      stereo[2 * i + 1] = -200;
    }
    const [frame] = new CaptureFrameConverter({ rate: 8000, channels: 2 }).process(bytesOf(stereo));
    expect(frame!.every((v) => v === 400)).toBe(true);
  });

  it('applies the gain to the frames', () => {
    const input = new Int16Array(160).fill(1000);
    const [frame] = new CaptureFrameConverter({ rate: 8000, channels: 1, gainDb: 6 }).process(bytesOf(input));
    expect(frame![0]).toBe(1995);
  });

  it('rejects rates and channel counts the device layer cannot use', () => {
    expect(() => new CaptureFrameConverter({ rate: 1000, channels: 1 })).toThrow(AudioError);
    expect(() => new CaptureFrameConverter({ rate: 8000, channels: 0 })).toThrow(/channels/);
  });
});
