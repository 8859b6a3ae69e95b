import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlsaCaptureSource } from '../../src/media/audio/alsa-capture-source.js';
import { AplayPlaybackSink } from '../../src/media/audio/aplay-playback-sink.js';
import type { AudioDeviceState } from '../../src/media/audio/audio-device-state.js';
import { ToneSource, steadyTone } from '../../src/media/audio/tone-source.js';
import { ExponentialBackoff } from '../../src/util/exponential-backoff.js';
import { dominantFrequency, toneAmplitude } from '../support/tone-analysis.js';
import { pulseAudioUnavailableReason, startPulseAudio, type PulseAudioInstance } from './support/pulseaudio.js';

const unavailable = pulseAudioUnavailableReason();
if (unavailable) console.warn(`skipping ALSA device tests: ${unavailable}`);

function samplesOf(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => out.set(f, i * 160));
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe.skipIf(unavailable !== undefined)('ALSA devices through a real PulseAudio null sink', () => {
  let pulse: PulseAudioInstance;
  let restoreEnv: () => void = () => undefined;

  beforeAll(async () => {
    pulse = await startPulseAudio({ rate: 8000, channels: 1 });
    // The alsa-capture thread runs in this process: it finds the daemon through our env.
    restoreEnv = pulse.applyEnv();
  });
  afterAll(async () => {
    restoreEnv();
    await pulse?.stop();
  });

  it('a 1 kHz tone played with aplay comes back through alsa-capture from the monitor, at 8 and 48 kHz', async () => {
    const capture8k = new AlsaCaptureSource({ device: pulse.alsaDevice });
    const capture48k = new AlsaCaptureSource({ device: pulse.alsaDevice, rate: 48000, channels: 2 });
    const sink = new AplayPlaybackSink({ device: pulse.alsaDevice });
    const tone = new ToneSource(steadyTone(1000, -10));
    const got8k: Int16Array[] = [];
    const got48k: Int16Array[] = [];
    capture8k.on('frame', (f) => capture8k.state.state === 'running' && got8k.push(f));
    capture48k.on('frame', (f) => capture48k.state.state === 'running' && got48k.push(f));
    tone.on('frame', (f) => sink.write(f));
    try {
      sink.start();
      capture8k.start();
      capture48k.start();
      await waitFor(() => sink.state.state === 'running', 5000, `the player (${JSON.stringify(sink.state)})`);
      tone.start();
      await waitFor(() => got8k.length >= 125 && got48k.length >= 125, 10_000, 'captured audio');
    } finally {
      await tone.close();
      await Promise.all([sink.close(), capture8k.close(), capture48k.close()]);
    }
    for (const [name, frames] of [['8 kHz', got8k], ['48 kHz', got48k]] as const) {
      const last = samplesOf(frames.slice(-50)); // the last second, well after start-up
      const frequency = dominantFrequency(last);
      expect(Math.abs(frequency - 1000), `${name} capture: dominant ${frequency} Hz`).toBeLessThan(5);
      // −10 dBm0 ≈ 7180 peak; allow for the path's resampling and a dropped frame.
      expect(toneAmplitude(last, 1000), `${name} capture level`).toBeGreaterThan(4000);
    }
    expect(sink.stats.framesWritten).toBeGreaterThan(100);
  });

  it('capture delivers frames from the device at real-time pace (50 per second ±5 % over 3 s)', async () => {
    const capture = new AlsaCaptureSource({ device: pulse.alsaDevice });
    let frames = 0;
    capture.on('frame', () => frames++);
    try {
      capture.start();
      await waitFor(() => capture.state.state === 'running', 5000, 'capture running');
      await delay(500); // past the plugin's start-up
      const fillBefore = capture.stats.fillFrames;
      const start = performance.now();
      frames = 0;
      await delay(3000);
      const elapsed = (performance.now() - start) / 1000;
      const rate = frames / elapsed;
      expect(rate, `${frames} frames in ${elapsed.toFixed(3)} s`).toBeGreaterThan(47.5);
      expect(rate).toBeLessThan(52.5);
      expect(capture.stats.fillFrames, 'all of them from the device').toBe(fillBefore);
    } finally {
      await capture.close();
    }
  });

  it('keeps 50 frames per second of silence while the sound server is gone, and recovers when it is back', async () => {
    const states: AudioDeviceState[] = [];
    const capture = new AlsaCaptureSource({ device: pulse.alsaDevice, backoff: new ExponentialBackoff(200, 1000, 0) });
    const sink = new AplayPlaybackSink({ device: pulse.alsaDevice, backoff: new ExponentialBackoff(200, 1000, 0) });
    const sinkStates: AudioDeviceState[] = [];
    let frames = 0;
    // The capture clock feeds the player too, as a call's audio would (an idle aplay never notices a lost device).
    capture.on('frame', (f) => {
      frames++;
      sink.write(f);
    });
    capture.on('state', (s) => states.push(s));
    sink.on('state', (s) => sinkStates.push(s));
    try {
      capture.start();
      sink.start();
      await waitFor(() => capture.state.state === 'running' && sink.state.state === 'running', 5000, 'devices running');
      pulse.kill('SIGKILL'); // the "sound card" disappears
      await waitFor(() => capture.state.state === 'retrying', 3000, 'capture to notice');
      await waitFor(() => sink.state.state === 'retrying', 3000, 'playback to notice');
      frames = 0;
      const start = performance.now();
      await delay(2000);
      const rate = frames / ((performance.now() - start) / 1000);
      expect(rate, 'silence frames while the device is gone').toBeGreaterThan(47.5);
      expect(rate).toBeLessThan(52.5);
      expect(states.find((s) => s.state === 'retrying')).toMatchObject({ error: { code: expect.stringMatching(/^PORTIER_ERR_AUDIO_/) } });

      await pulse.restart();
      await waitFor(() => capture.state.state === 'running', 10_000, 'capture to recover');
      await waitFor(() => sink.state.state === 'running', 10_000, 'playback to recover');
      expect(states.filter((s) => s.state === 'running').length).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all([capture.close(), sink.close()]);
    }
  });
});
