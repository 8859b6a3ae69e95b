import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AudioDeviceState } from '../../../src/media/audio/audio-device-state.js';
import type { AudioSink, AudioSinkEvents } from '../../../src/media/audio/audio-sink.js';
import { LocalTonePlayer, type LocalTone, type LocalToneEnd } from '../../../src/media/audio/local-tone-player.js';
import { encodeWav } from '../../../src/media/wav/wav-writer.js';
import { TypedEmitter } from '../../../src/util/typed-emitter.js';
import { dominantFrequency, toneShare } from '../../support/tone-analysis.js';
import { FakeTimeSource } from '../clock/fake-time-source.js';

/** A sink that keeps what it is written, stamped with the time. */
class CollectingSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  readonly frames: Array<{ at: number; frame: Int16Array }> = [];
  state: AudioDeviceState = { state: 'idle' };
  constructor(private readonly time: FakeTimeSource) {
    super();
  }
  start(): void {
    this.state = { state: 'running' };
    this.emit('state', this.state);
  }
  write(frame: Int16Array): void {
    this.frames.push({ at: this.time.now(), frame: Int16Array.from(frame) });
  }
  close(): Promise<void> {
    this.state = { state: 'closed' };
    return Promise.resolve();
  }
  samples(from = 0): Int16Array {
    const frames = this.frames.slice(from);
    const out = new Int16Array(frames.length * 160);
    frames.forEach((f, i) => out.set(f.frame, i * 160));
    return out;
  }
}

function setup(options: ConstructorParameters<typeof LocalTonePlayer>[1] = {}) {
  const time = new FakeTimeSource(0);
  const sink = new CollectingSink(time);
  const player = new LocalTonePlayer(sink, { timeSource: time, ...options });
  const ended: Array<[LocalTone, LocalToneEnd]> = [];
  player.on('toneEnded', (tone, reason) => ended.push([tone, reason]));
  return { time, sink, player, ended };
}

const voice = () => new Int16Array(160).fill(1111);

describe('LocalTonePlayer', () => {
  it('plays EU ringback (425 Hz, 1 s on, 4 s off) on its own 20 ms clock until stopped', async () => {
    const { time, sink, player, ended } = setup();
    player.start();
    player.play('ringback');
    time.advance(5980);
    expect(sink.frames).toHaveLength(300);
    expect(sink.frames.every((f, k) => f.at === k * 20)).toBe(true);
    const on = sink.samples(0).subarray(0, 8000);
    expect(Math.abs(dominantFrequency(on) - 425)).toBeLessThan(1);
    expect(sink.samples(0).subarray(8000, 40000).every((v) => v === 0)).toBe(true);
    expect(Math.abs(dominantFrequency(sink.samples(250)) - 425)).toBeLessThan(2); // the second ring at 5 s
    player.stop();
    expect(ended).toEqual([['ringback', 'stopped']]);
    time.advance(1000);
    expect(sink.frames).toHaveLength(300);
    await player.close();
  });

  it('uses the US tone plan when asked', () => {
    const { time, sink, player } = setup({ region: 'us' });
    player.play('busy');
    time.advance(480);
    expect(toneShare(sink.samples(1), [480, 620])).toBeGreaterThan(0.95);
  });

  it('replaces call audio while a tone plays and lets it through again when a chime finishes', () => {
    const { time, sink, player, ended } = setup();
    player.write(voice());
    expect(sink.frames).toHaveLength(1);
    player.play('confirmation'); // 320 ms: 16 frames
    for (let t = 0; t < 600; t += 20) {
      player.write(voice()); // call audio keeps arriving at 50 frames/s
      time.advance(20);
    }
    expect(ended).toEqual([['confirmation', 'finished']]);
    expect(player.playing).toBeUndefined();
    const toneFrames = sink.frames.slice(1, 17);
    expect(toneFrames.every((f) => !f.frame.includes(1111))).toBe(true);
    expect(Math.abs(dominantFrequency(sink.samples(1).subarray(0, 960)) - 660)).toBeLessThan(3);
    expect(player.replacedFrames).toBeGreaterThanOrEqual(15);
    // After the chime, call audio flows again.
    expect(sink.frames.at(-1)!.frame[0]).toBe(1111);
  });

  it('a new tone replaces the one playing', () => {
    const { time, sink, player, ended } = setup();
    player.play('ringback');
    time.advance(100);
    player.play('error');
    expect(ended).toEqual([['ringback', 'replaced']]);
    time.advance(200);
    expect(Math.abs(dominantFrequency(sink.samples(sink.frames.length - 7)) - 330)).toBeLessThan(3);
  });

  it('plays a configured WAVE clip instead of the generated tone, looping ringback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-tones-'));
    try {
      const path = join(dir, 'ring.wav');
      const clip = Int16Array.from({ length: 1600 }, (_, i) => Math.round(5000 * Math.sin((2 * Math.PI * 750 * i) / 16000)));
      writeFileSync(path, encodeWav(clip, 16000)); // 0.1 s at 16 kHz
      const time = new FakeTimeSource(0);
      const sink = new CollectingSink(time);
      const player = await LocalTonePlayer.create(sink, { timeSource: time, wavFiles: { ringback: path } });
      player.play('ringback');
      time.advance(1000);
      expect(sink.frames.length).toBeGreaterThanOrEqual(50);
      expect(Math.abs(dominantFrequency(sink.samples(10)) - 750)).toBeLessThan(3);
      await player.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes its clock and the sink', async () => {
    const { time, sink, player, ended } = setup();
    player.play('busy');
    await player.close();
    expect(ended).toEqual([['busy', 'closed']]);
    expect(sink.state).toEqual({ state: 'closed' });
    player.play('busy');
    player.write(voice());
    time.advance(1000);
    expect(sink.frames).toHaveLength(1);
    expect(time.pending).toBe(0);
  });
});
