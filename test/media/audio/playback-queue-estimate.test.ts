import { describe, expect, it } from 'vitest';
import { PlaybackQueueEstimate } from '../../../src/media/audio/playback-queue-estimate.js';

describe('PlaybackQueueEstimate', () => {
  it('does not drain until the start threshold is queued, then drains in real time', () => {
    const q = new PlaybackQueueEstimate(140, 60);
    expect(q.admit(0, 20)).toBe(true);
    expect(q.admit(50, 20)).toBe(true);
    expect(q.queuedMs).toBe(40); // nothing played yet: the device waits for 60 ms
    expect(q.admit(60, 20)).toBe(true);
    expect(q.started).toBe(true);
    expect(q.admit(80, 20)).toBe(true);
    expect(q.queuedMs).toBe(60);
  });

  it('refuses frames beyond the bound when written faster than real time', () => {
    const q = new PlaybackQueueEstimate(140, 60);
    const admitted = Array.from({ length: 20 }, () => q.admit(0, 20)).filter(Boolean).length;
    expect(admitted).toBe(7);
    expect(q.queuedMs).toBe(140);
  });

  it('keeps a steady real-time stream admitted, and latency bounded when the writer runs fast', () => {
    const q = new PlaybackQueueEstimate(140, 60);
    let refused = 0;
    // A writer 5 % fast (19 ms apart) for 60 s: the excess is dropped, the queue stays bounded.
    for (let t = 0; t < 60_000; t += 19) if (!q.admit(t, 20)) refused++;
    expect(q.queuedMs).toBeLessThanOrEqual(140);
    expect(refused).toBeGreaterThan(100);
    const steady = new PlaybackQueueEstimate(140, 60);
    for (let t = 0; t < 60_000; t += 20) expect(steady.admit(t, 20)).toBe(true);
  });

  it('runs dry on a gap and needs the threshold again, as ALSA after an underrun', () => {
    const q = new PlaybackQueueEstimate(140, 60);
    for (let t = 0; t < 100; t += 20) q.admit(t, 20);
    q.admit(1000, 20);
    expect(q.started).toBe(false);
    expect(q.queuedMs).toBe(20);
    q.resync(1000);
    expect(q.queuedMs).toBe(0);
  });
});
