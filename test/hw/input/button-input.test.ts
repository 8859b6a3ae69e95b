import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { ButtonInput } from '../../../src/hw/input/button-input.js';

describe('ButtonInput', () => {
  let sim: SimGpioDriver;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    sim = new SimGpioDriver({ onProcessExit: false, now: () => Date.now() });
  });
  afterEach(() => {
    sim.close();
    vi.useRealTimers();
  });

  it('reports press, a long press while still held, and the release', () => {
    const input = sim.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    const button = new ButtonInput(input, { longPressMs: 1000, now: () => Date.now() });
    const log: string[] = [];
    const t0 = Date.now();
    button.on('press', (at) => log.push(`press@${at - t0}`));
    button.on('longPress', (at) => log.push(`long@${at - t0}`));
    button.on('release', (at, held, long) => log.push(`release@${at - t0}:${held}:${long}`));
    sim.simulate(17, true);
    vi.advanceTimersByTime(1029); // long press confirmed after 1000 ms + the 30 ms debounce settle
    expect(log).toEqual(['press@0']);
    vi.advanceTimersByTime(10);
    expect(log).toEqual(['press@0', 'long@1000']);
    sim.simulate(17, false);
    vi.advanceTimersByTime(30);
    expect(log).toEqual(['press@0', 'long@1000', 'release@1039:1039:true']);
    button.close();
  });

  it('does not report a button held at start, and stops on close', () => {
    const input = sim.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    sim.simulate(17, true);
    const listenersBefore = (input as unknown as { listenerCount(e: string): number }).listenerCount('change');
    const button = new ButtonInput(input, { longPressMs: 100, now: () => Date.now() });
    const log: string[] = [];
    button.on('press', () => log.push('press'));
    button.on('longPress', () => log.push('long'));
    vi.advanceTimersByTime(500);
    sim.simulate(17, false);
    sim.simulate(17, true);
    expect(log).toEqual(['press']);
    button.close();
    button.close();
    vi.advanceTimersByTime(500);
    expect(log).toEqual(['press']);
    expect((input as unknown as { listenerCount(e: string): number }).listenerCount('change')).toBe(listenersBefore);
  });
});
