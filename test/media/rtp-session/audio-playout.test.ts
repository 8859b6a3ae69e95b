import { describe, expect, it } from 'vitest';
import { PcmuCodec } from '../../../src/media/codec/pcmu-codec.js';
import { AudioPlayout } from '../../../src/media/rtp-session/audio-playout.js';

const pcmu = new PcmuCodec();
const level = (v: number) => pcmu.decode(pcmu.encode(new Int16Array([v])))[0]!;

describe('AudioPlayout', () => {
  it('plays decoded frames in order after the jitter delay, reordered packets included', () => {
    const playout = new AudioPlayout(pcmu, { jitter: { initialDelayMs: 40 } });
    const order = [0, 1, 3, 2, 4, 5, 6, 7];
    for (const i of order) {
      playout.push(1000 + i, 8000 + i * 160, pcmu.encode(new Int16Array(160).fill(100 * (i + 1))), 0, i === 0, 42);
    }
    const values: number[] = [];
    for (let t = 0; t < 12; t++) {
      const frame = playout.read(t * 20);
      expect(frame).toHaveLength(160);
      if (frame[0] !== 0) values.push(frame[0]!);
    }
    expect(values.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => level(100 * n)));
    // After the stream ends, the last frame fades out (concealment), then silence.
    expect(values.slice(8).every((v) => Math.abs(v) < level(800))).toBe(true);
  });

  it('re-frames 30 ms packets into 20 ms reads without losing samples', () => {
    const playout = new AudioPlayout(pcmu, { jitter: { initialDelayMs: 30 } });
    const samples: number[] = [];
    for (let i = 0; i < 4; i++) {
      const pcm = new Int16Array(240);
      for (let s = 0; s < 240; s++) pcm[s] = (i * 240 + s) * 8;
      playout.push(i, i * 240, pcmu.encode(pcm), 0, false, 7);
    }
    for (let t = 0; t < 8; t++) samples.push(...playout.read(t * 20));
    const start = samples.findIndex((v) => v !== 0);
    const heard = samples.slice(start, start + 900);
    const expected = Array.from({ length: 900 }, (_, s) => level((s + 1) * 8));
    // Sample 0 of the stream is 0 (silence), so the first non-zero sample is stream sample 1.
    expect(heard).toEqual(expected);
  });

  it('conceals a lost packet instead of stopping', () => {
    const playout = new AudioPlayout(pcmu, { jitter: { initialDelayMs: 20 } });
    for (const i of [0, 1, 3, 4]) playout.push(i, i * 160, pcmu.encode(new Int16Array(160).fill(4000)), 0, false, 7);
    const frames = Array.from({ length: 6 }, (_, t) => playout.read(t * 20));
    expect(frames.every((f) => f.length === 160)).toBe(true);
    expect(playout.stats.lost).toBe(1);
  });
});
