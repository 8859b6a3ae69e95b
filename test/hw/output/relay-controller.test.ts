import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';
import { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { RelayController } from '../../../src/hw/output/relay-controller.js';

describe('RelayController', () => {
  let sim: SimGpioDriver;
  const now = () => Date.now();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    sim = new SimGpioDriver({ onProcessExit: false, now });
  });
  afterEach(() => {
    sim.close();
    vi.useRealTimers();
  });

  const open = () => {
    const out = sim.openOutput({ line: 26, activeLow: true, name: 'door_relay' });
    return { out, relay: new RelayController(out, { now }) };
  };

  it('starts de-energized even if the line was left active', () => {
    const out = sim.openOutput({ line: 26, activeLow: true });
    out.write(true);
    const relay = new RelayController(out, { now });
    expect(relay.isEnergized).toBe(false);
    expect(sim.levelOf(26)).toBe(1);
  });

  it('pulses for the given time and reports both changes', () => {
    const { relay } = open();
    const log: Array<[boolean, string]> = [];
    relay.on('change', (e, _at, reason) => log.push([e, reason]));
    relay.pulse(3000);
    expect(sim.levelOf(26)).toBe(0);
    vi.advanceTimersByTime(2999);
    expect(relay.isEnergized).toBe(true);
    vi.advanceTimersByTime(1);
    expect(relay.isEnergized).toBe(false);
    expect(sim.levelOf(26)).toBe(1);
    expect(log).toEqual([
      [true, 'pulse'],
      [false, 'pulse-ended'],
    ]);
  });

  it('extends a running pulse to the later end, never shortens it', () => {
    const { relay } = open();
    const changes: boolean[] = [];
    relay.on('change', (e) => changes.push(e));
    relay.pulse(3000);
    vi.advanceTimersByTime(2000);
    relay.pulse(3000); // now ends at 5000
    relay.pulse(500); // would end at 2500: ignored
    expect(relay.pulseEndsAtMs).toBe(Date.now() + 3000);
    vi.advanceTimersByTime(2999);
    expect(relay.isEnergized).toBe(true);
    vi.advanceTimersByTime(1);
    expect(relay.isEnergized).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('caps a pulse at maxPulseMs and rejects non-positive durations', () => {
    const out = sim.openOutput({ line: 20, activeLow: false });
    const relay = new RelayController(out, { now, maxPulseMs: 1000 });
    relay.pulse(1e9);
    vi.advanceTimersByTime(1000);
    expect(relay.isEnergized).toBe(false);
    expect(() => relay.pulse(0)).toThrow(RangeError);
    expect(() => relay.pulse(Number.NaN)).toThrow(RangeError);
  });

  it('holds until release; a pulse during a hold does not end it', () => {
    const { relay } = open();
    relay.hold();
    relay.pulse(100);
    vi.advanceTimersByTime(10_000);
    expect(relay.isEnergized).toBe(true);
    relay.release();
    expect(relay.isEnergized).toBe(false);
    expect(sim.levelOf(26)).toBe(1);
  });

  it('de-energizes on close, cancels the pulse timer, and refuses use after', () => {
    const { relay } = open();
    relay.pulse(5000);
    relay.close();
    relay.close();
    expect(sim.levelOf(26)).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(() => relay.pulse(100)).toThrow(expect.objectContaining({ code: GpioErrorCode.Closed }));
  });

  it('closes quietly when the driver already closed the output', () => {
    const { relay } = open();
    relay.pulse(5000);
    sim.close();
    expect(sim.levelOf(26)).toBe(1);
    expect(() => relay.close()).not.toThrow();
  });
});
