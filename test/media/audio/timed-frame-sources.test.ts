import { describe, expect, it } from 'vitest';
import { SilenceSource } from '../../../src/media/audio/silence-source.js';
import { ToneSource, steadyTone } from '../../../src/media/audio/tone-source.js';
import { WavFileSource } from '../../../src/media/audio/wav-file-source.js';
import type { TimedFrameSource } from '../../../src/media/audio/timed-frame-source.js';
import { CONFIRMATION_CHIME } from '../../../src/media/tones/tone-cadences.js';
import { encodeWav } from '../../../src/media/wav/wav-writer.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dominantFrequency, toneAmplitude } from '../../support/tone-analysis.js';
import { FakeTimeSource } from '../clock/fake-time-source.js';

function collect(source: TimedFrameSource, time: FakeTimeSource) {
  const frames: Array<{ at: number; frame: Int16Array }> = [];
  const skips: number[] = [];
  source.on('frame', (frame) => frames.push({ at: time.now(), frame }));
  source.on('skip', (n) => skips.push(n));
  return { frames, skips };
}

function join8k(frames: Array<{ frame: Int16Array }>): Int16Array {
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => out.set(f.frame, i * 160));
  return out;
}

describe('generated sources', () => {
  it('SilenceSource emits 50 zero frames per second on absolute deadlines', async () => {
    const time = new FakeTimeSource(0);
    // An event loop that wakes 0–7 ms late every time must not make the cadence drift.
    let n = 0;
    time.wakeLatency = () => (n++ * 7) % 8;
    const source = new SilenceSource({ timeSource: time });
    const { frames } = collect(source, time);
    source.start();
    time.advance(10_000);
    expect(frames.length).toBeGreaterThanOrEqual(500);
    expect(frames.length).toBeLessThanOrEqual(501);
    expect(frames.every((f) => f.frame.length === 160 && f.frame.every((v) => v === 0))).toBe(true);
    // Frame k is never emitted before its deadline k·20 ms.
    expect(frames.every((f, k) => f.at >= k * 20)).toBe(true);
    await source.close();
    time.advance(1000);
    expect(frames.length).toBeLessThanOrEqual(501);
    expect(source.state).toEqual({ state: 'closed' });
  });

  it('sleeps the final approach to each deadline only while someone listens for frames', async () => {
    const time = new FakeTimeSource(0);
    const source = new SilenceSource({ timeSource: time });
    source.start();
    time.advanceTo(100); // idle microphone: timers only
    expect(time.sleeps).toEqual([]);
    const at: number[] = [];
    const listener = (): void => void at.push(time.now());
    source.on('frame', listener);
    time.advanceTo(200);
    // From the tick that saw the listener on, each deadline is slept to exactly.
    expect(time.sleeps.length).toBeGreaterThanOrEqual(4);
    expect(time.sleeps.every((d) => d % 20 === 0)).toBe(true);
    expect(at.every((t) => t % 20 === 0)).toBe(true);
    source.off('frame', listener);
    const slept = time.sleeps.length;
    time.advanceTo(300);
    expect(time.sleeps.length).toBeLessThanOrEqual(slept + 1);
    await source.close();
  });

  it('ToneSource plays a steady 1 kHz tone at its level, and silence after a one-shot cadence', async () => {
    const time = new FakeTimeSource(0);
    const tone = new ToneSource(steadyTone(1000, -10), { timeSource: time });
    const { frames } = collect(tone, time);
    tone.start();
    time.advance(2000);
    const samples = join8k(frames);
    expect(Math.abs(dominantFrequency(samples) - 1000)).toBeLessThan(1);
    expect(toneAmplitude(samples, 1000)).toBeGreaterThan(7000); // −10 dBm0 ≈ 7180 peak
    expect(toneAmplitude(samples, 1000)).toBeLessThan(7400);
    await tone.close();

    const chime = new ToneSource(CONFIRMATION_CHIME, { timeSource: time });
    const out = collect(chime, time);
    chime.start();
    time.advance(1000);
    expect(chime.finished).toBe(true);
    expect(out.frames.at(-1)!.frame.every((v) => v === 0)).toBe(true);
    await chime.close();
  });

  it('skips periods the clock could not deliver, and the tone stays in step with time', async () => {
    const time = new FakeTimeSource(0);
    const source = new SilenceSource({ timeSource: time, maxCatchUpFrames: 5 });
    const { frames, skips } = collect(source, time);
    source.start();
    time.advance(100);
    time.stall(1000); // the process was stopped for 1 s
    time.advance(0);
    expect(skips.reduce((a, b) => a + b, 0) + frames.length).toBe(56); // periods 0 … 1100 ms
    await source.close();
  });

  it('WavFileSource loops a 16 kHz file resampled to 8 kHz, with gain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-wavsrc-'));
    try {
      const rate = 16000;
      const samples = Int16Array.from({ length: rate / 2 }, (_, i) => Math.round(4000 * Math.sin((2 * Math.PI * 500 * i) / rate)));
      const path = join(dir, 'door.wav');
      writeFileSync(path, encodeWav(samples, rate));
      const time = new FakeTimeSource(0);
      const source = await WavFileSource.open(path, { timeSource: time, gainDb: 6 });
      const { frames } = collect(source, time);
      source.start();
      time.advance(2000); // four loops of a 0.5 s clip
      const out = join8k(frames);
      expect(frames.length).toBeGreaterThanOrEqual(100);
      expect(Math.abs(dominantFrequency(out) - 500)).toBeLessThan(1);
      expect(toneAmplitude(out.subarray(4000, 8000), 500)).toBeGreaterThan(7700); // 4000 · 2 (6 dB)
      expect(toneAmplitude(out.subarray(4000, 8000), 500)).toBeLessThan(8200);
      await source.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('WavFileSource plays once and then silence when not looping', async () => {
    const time = new FakeTimeSource(0);
    const source = new WavFileSource(new Int16Array(200).fill(100), { timeSource: time, loop: false });
    const { frames } = collect(source, time);
    source.start();
    time.advance(60);
    expect(frames.map((f) => f.frame.filter((v) => v === 100).length)).toEqual([160, 40, 0, 0]);
    await source.close();
  });

  it('WavFileSource loops sample-exact across the clip end, in fresh frames the listener may keep', async () => {
    const time = new FakeTimeSource(0);
    const clip = Int16Array.from({ length: 250 }, (_, i) => i + 1); // not a whole number of frames
    const source = new WavFileSource(clip, { timeSource: time });
    const { frames } = collect(source, time);
    source.start();
    time.advance(80); // 5 frames: 800 samples, the clip 3.2 times
    const out = join8k(frames);
    expect(frames).toHaveLength(5);
    expect(Array.from(out)).toEqual(Array.from({ length: 800 }, (_, i) => (i % 250) + 1));
    frames[0]!.frame.fill(0); // a listener keeping and changing its frame changes neither the clip nor later frames
    time.advance(20);
    expect(Array.from(frames[5]!.frame.subarray(0, 3))).toEqual([51, 52, 53]);
    expect(clip[0]).toBe(1);
    await source.close();
  });
});
