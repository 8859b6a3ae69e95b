import { describe, expect, it, vi } from 'vitest';
import type { Level } from '../../../src/hw/gpio/digital-io.js';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';
import { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { describeGpioDriverContract } from './gpio-driver-contract.js';

describeGpioDriverContract('sim', async (ctx) => {
  const driver = new SimGpioDriver({ now: ctx.now, onProcessExit: ctx.onProcessExit });
  const history = new Map<number, Level[]>();
  driver.events.on('output', (line, _active, level) => {
    history.set(line, [...(history.get(line) ?? []), level]);
  });
  return {
    driver,
    setLevel: (line, level) => driver.simulateLevel(line, level),
    outputHistory: (line) => history.get(line) ?? [],
  };
});

describe('SimGpioDriver', () => {
  it('simulate() takes logical values and respects each input polarity', () => {
    const sim = new SimGpioDriver({ onProcessExit: false });
    const a = sim.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    const b = sim.openInput({ line: 24, activeLow: false, pull: 'up', debounceMs: 0 });
    sim.simulate(17, true);
    sim.simulate(24, true);
    expect([a.read(), b.read()]).toEqual([true, true]);
    expect([sim.levelOf(17), sim.levelOf(24)]).toEqual([0, 1]);
    sim.close();
  });

  it('reports output states and board events for a display', () => {
    const sim = new SimGpioDriver({ onProcessExit: false, now: () => 5 });
    const events: unknown[] = [];
    sim.events.on('output', (...args) => events.push(args));
    const out = sim.openOutput({ line: 26, activeLow: true, name: 'door_relay' });
    out.write(true);
    expect(sim.outputStates()).toEqual([{ line: 26, name: 'door_relay', active: true }]);
    expect(events).toEqual([
      [26, false, 1, 5],
      [26, true, 0, 5],
    ]);
    sim.close();
  });

  it('refuses to simulate a line that is not an open input', () => {
    const sim = new SimGpioDriver({ onProcessExit: false });
    sim.openOutput({ line: 26, activeLow: false });
    expect(() => sim.simulate(3, true)).toThrow(expect.objectContaining({ code: GpioErrorCode.InvalidLine }));
    expect(() => sim.simulateLevel(26, 1)).toThrow(expect.objectContaining({ code: GpioErrorCode.PinBusy }));
    sim.close();
  });

  it('debounces simulated presses like the hardware drivers', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const sim = new SimGpioDriver({ onProcessExit: false, now: () => Date.now() });
      const input = sim.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
      const seen: boolean[] = [];
      sim.events.on('input', (_line, active) => seen.push(active));
      sim.simulate(17, true);
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(30);
      expect(seen).toEqual([true]);
      expect(input.read()).toBe(true);
      sim.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('registers on process exit by default and unregisters on close', () => {
    const before = process.listenerCount('exit');
    const sim = new SimGpioDriver();
    expect(process.listenerCount('exit')).toBe(before + 1);
    sim.close();
    expect(process.listenerCount('exit')).toBe(before);
  });
});

describe('createGpioDriver', () => {
  it('creates the named driver and loads only its module', async () => {
    const { createGpioDriver } = await import('../../../src/hw/gpio/create-gpio-driver.js');
    const sim = await createGpioDriver('sim', { onProcessExit: false });
    expect(sim.name).toBe('sim');
    sim.close();
    await expect(
      createGpioDriver('rpio', { readModel: () => 'Raspberry Pi 5 Model B Rev 1.0', onProcessExit: false }),
    ).rejects.toMatchObject({ code: GpioErrorCode.UnsupportedBoard });
    await expect(createGpioDriver('gpiod' as never)).rejects.toThrow(RangeError);
  });
});
