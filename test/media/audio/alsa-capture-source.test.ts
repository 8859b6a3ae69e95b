import { afterEach, describe, expect, it } from 'vitest';
import { AlsaCaptureSource, type AlsaCaptureSourceOptions } from '../../../src/media/audio/alsa-capture-source.js';
import type { AudioDeviceState } from '../../../src/media/audio/audio-device-state.js';
import { ExponentialBackoff } from '../../../src/util/exponential-backoff.js';
import { FakeTimeSource } from '../clock/fake-time-source.js';
import { FakeAlsaCaptureModule } from './fake-alsa-capture.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Emitted {
  at: number;
  frame: Int16Array;
}

function setup(options: Partial<AlsaCaptureSourceOptions> = {}) {
  const time = new FakeTimeSource(0);
  const module = new FakeAlsaCaptureModule();
  const source = new AlsaCaptureSource({
    device: 'plughw:1,0',
    loadModule: module.load,
    backoff: new ExponentialBackoff(500, 4000, 0),
    timeSource: time,
    ...options,
  });
  const frames: Emitted[] = [];
  const states: AudioDeviceState[] = [];
  const skips: number[] = [];
  source.on('frame', (frame) => frames.push({ at: time.now(), frame }));
  source.on('state', (s) => states.push(s));
  source.on('skip', (n) => skips.push(n));
  return { time, module, source, frames, states, skips };
}

/** Plays a device delivering `periods` periods of `size` samples of value `value`, one every period. */
async function runDevice(ctx: ReturnType<typeof setup>, periods: number, size = 160, value = 7): Promise<void> {
  for (let i = 0; i < periods; i++) {
    ctx.time.advance((size / 8000) * 1000);
    ctx.module.last!.deliver(new Int16Array(size).fill(value));
  }
  await flush();
}

let open: { source: AlsaCaptureSource; time: FakeTimeSource } | undefined;
afterEach(async () => {
  if (!open) return;
  const closing = open.source.close();
  open.time.advance(2000); // close() waits at most 1 s for capture threads to end
  await closing;
  open = undefined;
});

describe('AlsaCaptureSource', () => {
  it('opens S16_LE mono at 8 kHz with a 20 ms period on the configured device', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    expect(ctx.module.last!.options).toEqual({ device: 'plughw:1,0', channels: 1, rate: 8000, format: 'S16_LE', periodSize: 160 });
  });

  it('emits silence on its own clock until the device delivers, then the device’s frames, re-chunked', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    ctx.time.advance(100);
    expect(ctx.frames.map((f) => f.at)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ctx.frames.every((f) => f.frame.every((v) => v === 0))).toBe(true);
    expect(ctx.states.map((s) => s.state)).toEqual(['starting']);

    // A card that settled on 100-sample periods: 8 periods = 5 frames.
    const device = ctx.module.last!;
    for (let i = 0; i < 8; i++) {
      ctx.time.advance(12.5);
      device.deliver(Int16Array.from({ length: 100 }, (_, k) => i * 100 + k));
    }
    expect(ctx.states.at(-1)).toEqual({ state: 'running' });
    const deviceFrames = ctx.frames.slice(6);
    expect(deviceFrames).toHaveLength(5);
    expect(deviceFrames.every((f) => f.frame.length === 160)).toBe(true);
    expect(deviceFrames.map((f) => f.frame[0])).toEqual([0, 160, 320, 480, 640]);
    // The silence clock stopped: no frames without device audio (short of the stall timeout).
    ctx.time.advance(200);
    expect(ctx.frames).toHaveLength(11);
  });

  it('resamples when the device runs at 48 kHz', async () => {
    const ctx = setup({ rate: 48000 });
    open = ctx;
    ctx.source.start();
    await flush();
    expect(ctx.module.last!.options).toMatchObject({ rate: 48000, periodSize: 960 });
    await runDevice(ctx, 50, 960);
    const deviceFrames = ctx.frames.filter((f) => f.frame.some((v) => v !== 0));
    expect(deviceFrames.length).toBeGreaterThanOrEqual(48);
    expect(deviceFrames.at(-1)!.frame[80]).toBe(7);
  });

  it('follows the rate the card actually picked', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    ctx.module.last!.emit('rateDeviating', '16000');
    await runDevice(ctx, 10, 320); // 10 periods of 20 ms at 16 kHz
    expect(ctx.source.stats.deviceFrames).toBeGreaterThanOrEqual(9);
    expect(ctx.source.stats.deviceFrames).toBeLessThanOrEqual(10);
  });

  it('uses only the samples a short read delivered', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    const device = ctx.module.last!;
    device.emit('shortRead', '60');
    device.deliver(new Int16Array(160).fill(5)); // only 60 valid
    device.deliver(new Int16Array(160).fill(9));
    const last = ctx.frames.at(-1)!.frame;
    expect(last.slice(0, 60).every((v) => v === 5)).toBe(true);
    expect(last.slice(60).every((v) => v === 9)).toBe(true);
    expect(ctx.source.stats.shortReads).toBe(1);
  });

  it('drops the stale buffer after an overrun, and gives up a device that overruns on every read', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    const device = ctx.module.last!;
    device.deliver(new Int16Array(160).fill(1));
    device.emit('overrun', 'overrun occurred');
    device.deliver(new Int16Array(160).fill(666)); // what the module sends along: not new audio
    device.deliver(new Int16Array(160).fill(2));
    expect(ctx.frames.filter((f) => f.frame[0] !== 0).map((f) => f.frame[0])).toEqual([1, 2]);
    expect(ctx.source.state.state).toBe('running');
    // A sound server that died: overrun, stale buffer, overrun, … in a tight loop.
    for (let i = 0; i < 3; i++) {
      device.emit('overrun', 'overrun occurred');
      device.deliver(new Int16Array(160).fill(666));
    }
    expect(ctx.states.at(-1)).toMatchObject({ state: 'retrying', error: { message: expect.stringContaining('overruns on every read') } });
    expect(ctx.frames.some((f) => f.frame[0] === 666)).toBe(false);
    expect(device.closeCalls).toBe(1);
  });

  it('on a read error keeps the 20 ms cadence with silence, reports retrying and reopens after the backoff', async () => {
    const ctx = setup();
    open = ctx;
    ctx.source.start();
    await flush();
    await runDevice(ctx, 10); // t = 20 … 200
    const device = ctx.module.last!;
    device.emit('readError', 'No such device');
    device.deliver(new Int16Array(160).fill(1234)); // the garbage buffer the module sends along
    expect(device.closeCalls).toBe(1);
    expect(ctx.states.at(-1)).toMatchObject({
      state: 'retrying',
      attempt: 1,
      retryInMs: 500,
      error: { code: 'PORTIER_ERR_AUDIO_DEVICE', message: expect.stringContaining("'plughw:1,0'") },
    });
    ctx.time.advance(400);
    const times = ctx.frames.map((f) => f.at);
    const afterLoss = times.filter((t) => t > 200);
    expect(afterLoss).toEqual(Array.from({ length: 20 }, (_, i) => 220 + 20 * i));
    expect(ctx.frames.some((f) => f.frame.includes(1234))).toBe(false);
    expect(ctx.frames.filter((f) => f.at > 200).every((f) => f.frame.every((v) => v === 0))).toBe(true);

    ctx.time.advance(100); // t = 700: second attempt
    await flush();
    expect(ctx.module.instances).toHaveLength(2);
    device.end(); // the first thread finally ends
    await runDevice(ctx, 5, 160, 3);
    expect(ctx.states.at(-1)).toEqual({ state: 'running' });
    expect(ctx.frames.at(-1)!.frame[0]).toBe(3);
  });

  it('backs off further on each failed reopen and keeps 50 silence frames per second meanwhile', async () => {
    const ctx = setup();
    open = ctx;
    ctx.module.onCreate = (capture) => queueMicrotask(() => capture.failOpen());
    ctx.source.start();
    for (let t = 0; t < 12_000; t += 100) {
      ctx.time.advance(100);
      await flush();
    }
    const delays = ctx.states.flatMap((s) => (s.state === 'retrying' ? [s.retryInMs] : []));
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]); // attempts at 0, 0.5, 1.5, 3.5, 7.5, 11.5 s
    expect(ctx.states.find((s) => s.state === 'retrying')).toMatchObject({
      error: { code: 'PORTIER_ERR_AUDIO_DEVICE', message: expect.stringContaining('No such file or directory') },
    });
    // No close() on instances whose thread already ended (the fake throws if so).
    expect(ctx.module.instances.every((c) => c.closeCalls === 0)).toBe(true);
    expect(ctx.frames.length).toBe(601); // 0 … 12 000 ms inclusive
  });

  it('reports a missing module with the fix and still emits silence', async () => {
    const ctx = setup({ loadModule: () => Promise.reject(new Error("Cannot find module 'alsa-capture'")) });
    open = ctx;
    const errors: Error[] = [];
    ctx.source.on('error', (e) => errors.push(e));
    ctx.source.start();
    await flush();
    expect(ctx.states.at(-1)).toMatchObject({
      state: 'retrying',
      error: { code: 'PORTIER_ERR_AUDIO_MODULE', message: expect.stringContaining('apt install libasound2-dev && npm ci') },
    });
    expect(errors).toHaveLength(1);
    ctx.time.advance(1000);
    expect(ctx.frames).toHaveLength(51);
  });

  it('declares a silent device lost after the stall timeout and accounts the missed periods as skipped', async () => {
    const ctx = setup({ stallTimeoutMs: 500 });
    open = ctx;
    ctx.source.start();
    await flush();
    await runDevice(ctx, 5); // last device frame at t = 100
    ctx.time.advance(800);
    expect(ctx.states.at(-1)).toMatchObject({ state: 'retrying', error: { code: 'PORTIER_ERR_AUDIO_STALLED' } });
    const stalledAt = (ctx.states.at(-1) as { retryAtMs: number }).retryAtMs - 500;
    // Every 20 ms period from the last device frame to now is either a frame or a skip.
    const periods = Math.floor((stalledAt - 100) / 20);
    expect(ctx.skips[0]).toBe(periods - 1);
    const fill = ctx.frames.filter((f) => f.at >= stalledAt);
    expect(fill[0]!.at).toBe(stalledAt);
    expect(ctx.source.stats.skippedPeriods).toBe(periods - 1);
  });

  it('fails a device that never delivers within the open timeout', async () => {
    const ctx = setup({ openTimeoutMs: 1000 });
    open = ctx;
    ctx.source.start();
    await flush();
    ctx.time.advance(1000);
    expect(ctx.states.at(-1)).toMatchObject({ state: 'retrying', error: { message: expect.stringContaining('within 1000 ms') } });
  });

  it('stops opening new capture threads while older ones hang', async () => {
    const ctx = setup({ openTimeoutMs: 200, maxPendingCloses: 2 });
    open = ctx;
    ctx.source.start();
    for (let t = 0; t < 4000; t += 50) {
      ctx.time.advance(50);
      await flush();
    }
    expect(ctx.module.instances).toHaveLength(2);
    expect(ctx.states.at(-1)).toMatchObject({ state: 'retrying', error: { message: expect.stringContaining('seems hung') } });
    ctx.module.instances.forEach((c) => c.end());
    ctx.time.advance(4000);
    await flush();
    expect(ctx.module.instances).toHaveLength(3);
  });

  it('survives a device constructor that throws', async () => {
    const ctx = setup();
    open = ctx;
    ctx.module.onCreate = () => {
      throw new Error('period_size has to be a positive number');
    };
    ctx.source.start();
    await flush();
    expect(ctx.states.at(-1)).toMatchObject({ state: 'retrying', error: { message: 'period_size has to be a positive number' } });
  });

  it('closes idempotently: device closed once, no timers left, no frames after', async () => {
    const ctx = setup();
    ctx.source.start();
    await flush();
    await runDevice(ctx, 3);
    const device = ctx.module.last!;
    const closing = ctx.source.close();
    expect(ctx.source.close()).toBe(closing);
    device.end();
    await closing;
    expect(device.closeCalls).toBe(1);
    expect(ctx.states.at(-1)).toEqual({ state: 'closed' });
    const count = ctx.frames.length;
    device.deliver(new Int16Array(160));
    ctx.time.advance(5000);
    expect(ctx.frames).toHaveLength(count);
    expect(ctx.time.pending).toBe(0);
  });
});
