import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import {
  DEFAULT_LED_STATE_PATTERNS,
  LED_PATTERNS,
  LedPatternPlayer,
  ledLevelAt,
} from '../../../src/hw/output/led-pattern-player.js';

describe('ledLevelAt', () => {
  it('follows the steps of a repeating pattern', () => {
    const p = LED_PATTERNS['double-flash'];
    expect([0, 99, 100, 249, 250, 349, 350, 1199, 1200].map((t) => ledLevelAt(p, t))).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(ledLevelAt(LED_PATTERNS.off, 5)).toBe(false);
    expect(ledLevelAt(LED_PATTERNS.on, 12345)).toBe(true);
  });

  it('gives every door-station state its own pattern', () => {
    const patterns = Object.values(DEFAULT_LED_STATE_PATTERNS);
    expect(new Set(patterns).size).toBe(patterns.length);
  });
});

describe('LedPatternPlayer', () => {
  let sim: SimGpioDriver;
  let levels: Array<[number, boolean]>;
  let t0: number;
  const now = () => Date.now();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    sim = new SimGpioDriver({ onProcessExit: false, now });
    levels = [];
    t0 = Date.now();
    sim.events.on('output', (_line, active, _level, at) => levels.push([at - t0, active]));
  });
  afterEach(() => {
    sim.close();
    vi.useRealTimers();
  });

  it('blinks on the pattern grid without drift', () => {
    const out = sim.openOutput({ line: 12, activeLow: false, name: 'status_led' });
    const led = new LedPatternPlayer(out, { now });
    led.play('slow-blink');
    vi.advanceTimersByTime(99_999);
    const edges = levels.slice(1); // skip the open-time inactive drive
    expect(edges).toHaveLength(200);
    expect(edges.at(-1)).toEqual([99_500, false]);
    expect(edges.every(([at, on], i) => at === i * 500 && on === (i % 2 === 0))).toBe(true);
  });

  it('shows states through the configured table and does not restart the running pattern', () => {
    const out = sim.openOutput({ line: 12, activeLow: false });
    const led = new LedPatternPlayer(out, { now, statePatterns: { registered: 'wink' } });
    led.show('calling');
    expect(led.patternName).toBe('double-flash');
    vi.advanceTimersByTime(120);
    led.show('calling');
    expect(out.read()).toBe(false);
    vi.advanceTimersByTime(140); // still on the original grid: off at 100, on again at 250
    expect(out.read()).toBe(true);
    led.show('registered');
    expect(led.patternName).toBe('wink');
    led.show('not-registered');
    expect(led.patternName).toBe('slow-blink');
  });

  it('holds steady patterns without a timer and turns off on close', () => {
    const out = sim.openOutput({ line: 12, activeLow: true });
    const led = new LedPatternPlayer(out, { now });
    led.play('on');
    expect(out.read()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    led.play('fast-blink');
    expect(vi.getTimerCount()).toBe(1);
    led.close();
    led.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(out.read()).toBe(false);
    expect(sim.levelOf(12)).toBe(1);
    led.play('on');
    expect(out.read()).toBe(false);
  });
});
