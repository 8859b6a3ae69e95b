import { describe, expect, it } from 'vitest';
import type { AudioDeviceState } from '../../../src/media/audio/audio-device-state.js';
import { DeviceSupervisor, type DeviceAttempt } from '../../../src/media/audio/device-supervisor.js';
import { ExponentialBackoff } from '../../../src/util/exponential-backoff.js';
import { FakeTimeSource } from '../clock/fake-time-source.js';

function setup(open: (attempt: DeviceAttempt) => void | Promise<void>, stableMs = 10_000) {
  const time = new FakeTimeSource(0);
  const states: AudioDeviceState[] = [];
  const attempts: DeviceAttempt[] = [];
  let releases = 0;
  const supervisor = new DeviceSupervisor({
    name: 'test',
    open: (attempt) => {
      attempts.push(attempt);
      return open(attempt);
    },
    release: () => void releases++,
    onState: (s) => states.push(s),
    backoff: new ExponentialBackoff(500, 4000, 0),
    stableMs,
    timeSource: time,
  });
  return { time, states, attempts, supervisor, releases: () => releases };
}

describe('DeviceSupervisor', () => {
  it('retries a failing device with capped exponential backoff, reporting each delay', () => {
    const { time, states, attempts, supervisor } = setup(() => {
      throw new Error('no such device');
    });
    supervisor.start();
    time.advance(20_000);
    const retries = states.filter((s) => s.state === 'retrying');
    expect(retries.slice(0, 7).map((s) => (s.state === 'retrying' ? s.retryInMs : 0))).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000]);
    expect(retries[0]).toMatchObject({ attempt: 1, retryAtMs: 500, error: { message: 'no such device' } });
    // Attempts at 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5 s.
    expect(attempts).toHaveLength(8);
  });

  it('treats a rejected open like a thrown one', async () => {
    const { time, states, supervisor } = setup(() => Promise.reject(new Error('busy')));
    supervisor.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(states.at(-1)).toMatchObject({ state: 'retrying', error: { message: 'busy' } });
    expect(time.pending).toBe(1);
  });

  it('goes running on the attempt’s report and retries from the shortest delay after a stable run', () => {
    let fail = true;
    const { time, states, attempts, supervisor } = setup((attempt) => {
      if (fail) throw new Error('down');
      attempt.running();
    }, 5000);
    supervisor.start(); // fails, retry in 500
    time.advance(500); // fails, retry in 1000
    fail = false;
    time.advance(1000); // runs
    expect(supervisor.state.state).toBe('running');
    time.advance(6000);
    attempts.at(-1)!.failed(new Error('unplugged'));
    expect(states.at(-1)).toMatchObject({ state: 'retrying', retryInMs: 500, attempt: 1 });
  });

  it('keeps growing the delay for a device that fails soon after running', () => {
    const { time, states, attempts, supervisor } = setup((attempt) => attempt.running(), 5000);
    supervisor.start();
    attempts.at(-1)!.failed(new Error('flaky'));
    time.advance(500);
    attempts.at(-1)!.failed(new Error('flaky'));
    expect(states.filter((s) => s.state === 'retrying').map((s) => (s.state === 'retrying' ? s.retryInMs : 0))).toEqual([500, 1000]);
  });

  it('ignores reports from a superseded attempt, and everything after close', () => {
    const { time, states, attempts, supervisor, releases } = setup(() => undefined);
    supervisor.start();
    const first = attempts[0]!;
    first.failed(new Error('gone'));
    expect(first.current).toBe(false);
    first.failed(new Error('again')); // stale: no second retry
    first.running();
    expect(states.filter((s) => s.state === 'retrying')).toHaveLength(1);
    time.advance(500);
    supervisor.close();
    supervisor.close();
    attempts[1]!.running();
    expect(states.at(-1)).toEqual({ state: 'closed' });
    expect(states.filter((s) => s.state === 'closed')).toHaveLength(1);
    expect(time.pending).toBe(0);
    expect(releases()).toBe(2);
  });
});
