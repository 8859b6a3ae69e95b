import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AplayPlaybackSink, type AplayPlaybackSinkOptions, type SpawnPlayer } from '../../../src/media/audio/aplay-playback-sink.js';
import type { AudioDeviceState } from '../../../src/media/audio/audio-device-state.js';
import { ExponentialBackoff } from '../../../src/util/exponential-backoff.js';

let dir: string;
let sinks: AplayPlaybackSink[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portier-aplay-'));
});
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()));
  sinks = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in player: a node script run with the real aplay arguments. */
function scriptPlayer(script: string, seen: { args?: string[]; pids: number[] }): SpawnPlayer {
  return (_command, args, env) => {
    seen.args = args;
    const child = spawn(process.execPath, ['-e', script, '--', ...args], { stdio: ['pipe', 'ignore', 'pipe'], env });
    if (child.pid) seen.pids.push(child.pid);
    return child;
  };
}

function makeSink(options: AplayPlaybackSinkOptions) {
  const states: AudioDeviceState[] = [];
  const sink = new AplayPlaybackSink({ settleMs: 100, backoff: new ExponentialBackoff(50, 200, 0), ...options });
  sink.on('state', (s) => states.push(s));
  sinks.push(sink);
  return { sink, states };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await delay(10);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('AplayPlaybackSink', () => {
  it('runs aplay raw S16_LE 8 kHz mono on the device and pipes the frames with gain', async () => {
    const out = join(dir, 'out.raw');
    const seen: { args?: string[]; pids: number[] } = { pids: [] };
    const copyStdin = `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(out)}))`;
    const { sink, states } = makeSink({ device: 'plughw:1,0', gainDb: 6, spawnPlayer: scriptPlayer(copyStdin, seen) });
    sink.start();
    await until(() => sink.state.state === 'running');
    expect(seen.args).toEqual(['-t', 'raw', '-f', 'S16_LE', '-r', '8000', '-c', '1', '-D', 'plughw:1,0', '--buffer-time=60000', '--period-time=20000', '-']);
    const frame = new Int16Array(160).fill(1000);
    sink.write(frame);
    sink.write(frame);
    expect(frame[0]).toBe(1000); // the caller's frame is not modified
    await sink.close();
    const bytes = readFileSync(out);
    expect(bytes.length).toBe(640);
    expect(bytes.readInt16LE(0)).toBe(1995);
    expect(bytes.readInt16LE(638)).toBe(1995);
    expect(states.map((s) => s.state)).toEqual(['starting', 'running', 'closed']);
  });

  it('plays at unity gain the exact samples written, in order, without touching the caller\'s frames', async () => {
    const out = join(dir, 'out.raw');
    const copyStdin = `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(out)}))`;
    const { sink } = makeSink({ spawnPlayer: scriptPlayer(copyStdin, { pids: [] }) });
    sink.start();
    await until(() => sink.state.state === 'running');
    const frames = [0, 1, 2].map((k) => Int16Array.from({ length: 160 }, (_, i) => (k * 1000 + i) * (i % 2 ? -1 : 1)));
    for (const frame of frames) sink.write(frame);
    frames[0]!.fill(7); // reusing a frame after write() must not change what was played
    await sink.close();
    const bytes = readFileSync(out);
    expect(bytes.length).toBe(3 * 320);
    for (let k = 0; k < 3; k++) {
      for (const i of [0, 1, 159]) expect(bytes.readInt16LE(k * 320 + i * 2)).toBe((k * 1000 + i) * (i % 2 ? -1 : 1));
    }
    expect(sink.stats).toMatchObject({ framesWritten: 3, droppedForLatency: 0, droppedWhileDown: 0 });
  });

  it('drops frames that would queue more than the latency bound', async () => {
    const out = join(dir, 'out.raw');
    const copyStdin = `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(out)}))`;
    const { sink } = makeSink({ maxLatencyMs: 140, bufferTimeMs: 60, spawnPlayer: scriptPlayer(copyStdin, { pids: [] }) });
    sink.start();
    await until(() => sink.state.state === 'running');
    for (let i = 0; i < 50; i++) sink.write(new Int16Array(160).fill(i));
    expect(sink.stats).toMatchObject({ framesWritten: 7, droppedForLatency: 43 });
    expect(sink.queuedMs).toBeLessThanOrEqual(140);
    await sink.close();
    expect(readFileSync(out).length).toBe(7 * 320);
  });

  it('restarts from empty after an underrun the player reports', async () => {
    const script = `process.stdin.once('data', () => process.stderr.write('underrun!!! (at least 12.5 ms long)\\n')); process.stdin.resume()`;
    const { sink } = makeSink({ spawnPlayer: scriptPlayer(script, { pids: [] }) });
    sink.start();
    await until(() => sink.state.state === 'running');
    sink.write(new Int16Array(160));
    expect(sink.queuedMs).toBe(20);
    await until(() => sink.stats.underruns === 1);
    expect(sink.queuedMs).toBe(0);
  });

  it('reports a player that cannot open the device and retries with growing delays', async () => {
    const script = `process.stderr.write('ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM nodev\\naplay: main:831: audio open error: No such file or directory\\n'); process.exit(1)`;
    const seen = { pids: [] as number[] };
    const { sink, states } = makeSink({ device: 'nodev', spawnPlayer: scriptPlayer(script, seen) });
    const errors: Error[] = [];
    sink.on('error', (e) => errors.push(e));
    sink.start();
    await until(() => states.filter((s) => s.state === 'retrying').length >= 4);
    const retries = states.filter((s) => s.state === 'retrying');
    expect(retries.slice(0, 4).map((s) => (s.state === 'retrying' ? s.retryInMs : 0))).toEqual([50, 100, 200, 200]);
    expect(retries[0]).toMatchObject({
      error: { code: 'PORTIER_ERR_AUDIO_DEVICE', message: expect.stringContaining("'nodev' exited: aplay: main:831: audio open error: No such file or directory") },
    });
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(seen.pids.length).toBeGreaterThanOrEqual(4);
    // Frames written while the player is down are dropped, never thrown.
    sink.write(new Int16Array(160));
    expect(sink.stats.droppedWhileDown).toBeGreaterThanOrEqual(1);
  });

  it('recovers when the player dies and a new one works', async () => {
    const seen = { pids: [] as number[] };
    const script = `process.stdin.resume()`;
    const { sink, states } = makeSink({ spawnPlayer: scriptPlayer(script, seen) });
    sink.start();
    await until(() => sink.state.state === 'running');
    process.kill(seen.pids[0]!, 'SIGKILL'); // the USB card went away and aplay died
    await until(() => sink.state.state === 'retrying');
    expect(states.at(-1)).toMatchObject({ error: { message: expect.stringContaining('killed by SIGKILL') } });
    await until(() => sink.state.state === 'running');
    expect(seen.pids).toHaveLength(2);
  });

  it('names the package when aplay is not installed', async () => {
    const { sink, states } = makeSink({ command: '/nonexistent/aplay' });
    sink.start();
    await until(() => sink.state.state === 'retrying');
    expect(states.at(-1)).toMatchObject({
      error: { code: 'PORTIER_ERR_AUDIO_PROGRAM', message: expect.stringContaining('apt install alsa-utils') },
    });
  });

  it('kills the player on close, idempotently', async () => {
    const seen = { pids: [] as number[] };
    // A player that ignores SIGTERM still goes, by SIGKILL after the grace time.
    const { sink } = makeSink({ spawnPlayer: scriptPlayer(`process.on('SIGTERM', () => {}); process.stdin.resume(); setInterval(() => {}, 1000)`, seen) });
    sink.start();
    await until(() => sink.state.state === 'running');
    const closing = sink.close();
    expect(sink.close()).toBe(closing);
    await closing;
    await until(() => !alive(seen.pids[0]!));
    expect(sink.state).toEqual({ state: 'closed' });
  });

  it('rejects a latency bound that cannot hold the ALSA buffer', () => {
    expect(() => new AplayPlaybackSink({ bufferTimeMs: 100, maxLatencyMs: 100 })).toThrow(/maxLatencyMs/);
  });
});
