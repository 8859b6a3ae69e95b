import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GpioDriver, InputSpec, Level, OutputSpec } from '../../../src/hw/gpio/digital-io.js';
import type { ExitHook } from '../../../src/hw/gpio/gpio-driver-base.js';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';

/** What the shared suite needs from a driver under test (all levels physical). */
export interface GpioHarness {
  driver: GpioDriver;
  /** Puts a physical level on an input line as a wire would, including the driver's edge notification. */
  setLevel(line: number, level: Level): void;
  /** Every physical level the driver put on an output line since it was first opened, in order. */
  outputHistory(line: number): Level[];
}

/** What the suite hands to a harness factory: the fake clock and exit hook the driver must use. */
export interface HarnessContext {
  now: () => number;
  onProcessExit: ExitHook;
}

const button = (line: number, over: Partial<InputSpec> = {}): InputSpec => ({
  line,
  activeLow: true,
  pull: 'up',
  debounceMs: 30,
  name: `button${line}`,
  ...over,
});
const relay = (line: number, activeLow: boolean): OutputSpec => ({ line, activeLow, name: `relay${line}` });

/**
 * The behaviour every GpioDriver must show. Each driver's test file runs it with
 * a harness that drives the driver's real code down to its module boundary.
 */
export function describeGpioDriverContract(name: string, makeHarness: (ctx: HarnessContext) => Promise<GpioHarness>): void {
  describe(`GpioDriver contract: ${name}`, () => {
    let h: GpioHarness;
    let exitFns: Array<() => void>;

    beforeEach(async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      exitFns = [];
      const onProcessExit: ExitHook = (fn) => {
        exitFns.push(fn);
        return () => {
          exitFns = exitFns.filter((f) => f !== fn);
        };
      };
      h = await makeHarness({ now: () => Date.now(), onProcessExit });
    });

    afterEach(() => {
      h.driver.close();
      vi.useRealTimers();
    });

    it('reads inputs as logical values, polarity applied', () => {
      h.setLevel(17, 0);
      h.setLevel(27, 0);
      const low = h.driver.openInput(button(17));
      const high = h.driver.openInput(button(27, { activeLow: false, pull: 'down' }));
      expect(low.read()).toBe(true);
      expect(high.read()).toBe(false);
    });

    it('reports a change only after the level held for the debounce window', () => {
      h.setLevel(17, 1);
      const input = h.driver.openInput(button(17));
      const seen: Array<[boolean, number]> = [];
      input.on('change', (v, at) => seen.push([v, at]));
      const t0 = Date.now();
      h.setLevel(17, 0);
      vi.advanceTimersByTime(29);
      expect(seen).toEqual([]);
      expect(input.read()).toBe(false);
      vi.advanceTimersByTime(2);
      expect(seen).toEqual([[true, t0]]);
      expect(input.read()).toBe(true);
    });

    it('turns a bounce burst into one change and ignores a glitch shorter than the window', () => {
      h.setLevel(17, 1);
      const input = h.driver.openInput(button(17));
      const seen: boolean[] = [];
      input.on('change', (v) => seen.push(v));
      for (const level of [0, 1, 0, 1, 0] as Level[]) {
        h.setLevel(17, level);
        vi.advanceTimersByTime(3);
      }
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([true]);
      h.setLevel(17, 1); // 10 ms spike, released back to pressed
      vi.advanceTimersByTime(10);
      h.setLevel(17, 0);
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([true]);
    });

    it('passes edges straight through with debounceMs 0', () => {
      h.setLevel(22, 0);
      const input = h.driver.openInput(button(22, { debounceMs: 0, activeLow: false }));
      const seen: boolean[] = [];
      input.on('change', (v) => seen.push(v));
      h.setLevel(22, 1);
      h.setLevel(22, 0);
      expect(seen).toEqual([true, false]);
    });

    it('opens outputs at their inactive level without a pulse of the active level', () => {
      h.driver.openOutput(relay(26, true));
      h.driver.openOutput(relay(16, false));
      expect(h.outputHistory(26)).not.toContain(0);
      expect(h.outputHistory(26).at(-1)).toBe(1);
      expect(h.outputHistory(16)).not.toContain(1);
      expect(h.outputHistory(16).at(-1)).toBe(0);
    });

    it('writes logical values through the polarity and reports changes once', () => {
      const out = h.driver.openOutput(relay(26, true));
      const seen: boolean[] = [];
      out.on('change', (v) => seen.push(v));
      out.write(true);
      expect(h.outputHistory(26).at(-1)).toBe(0);
      expect(out.read()).toBe(true);
      out.write(true);
      out.write(false);
      expect(h.outputHistory(26).at(-1)).toBe(1);
      expect(seen).toEqual([true, false]);
    });

    it('drives an output inactive on close, refuses writes after, and closes idempotently', () => {
      const out = h.driver.openOutput(relay(20, true));
      out.write(true);
      out.close();
      out.close();
      expect(h.outputHistory(20).at(-1)).toBe(1);
      expect(() => out.write(true)).toThrow(expect.objectContaining({ code: GpioErrorCode.Closed }));
    });

    it('drives all outputs inactive on demand and from its exit hook', () => {
      const a = h.driver.openOutput(relay(26, true));
      const b = h.driver.openOutput(relay(16, false));
      a.write(true);
      b.write(true);
      h.driver.driveAllOutputsInactive();
      expect([h.outputHistory(26).at(-1), h.outputHistory(16).at(-1)]).toEqual([1, 0]);
      a.write(true);
      b.write(true);
      expect(exitFns).toHaveLength(1);
      exitFns[0]!();
      expect([h.outputHistory(26).at(-1), h.outputHistory(16).at(-1)]).toEqual([1, 0]);
      expect([a.read(), b.read()]).toEqual([false, false]);
    });

    it('closes every line on driver close and removes its exit hook', () => {
      h.setLevel(17, 1);
      const input = h.driver.openInput(button(17));
      const out = h.driver.openOutput(relay(26, true));
      out.write(true);
      const seen: boolean[] = [];
      input.on('change', (v) => seen.push(v));
      h.driver.close();
      h.driver.close();
      expect(h.outputHistory(26).at(-1)).toBe(1);
      expect(exitFns).toHaveLength(0);
      expect(() => h.driver.openInput(button(17))).toThrow(expect.objectContaining({ code: GpioErrorCode.Closed }));
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([]);
    });

    it('refuses a second open of one line until the first is closed', () => {
      h.setLevel(17, 1);
      const input = h.driver.openInput(button(17));
      expect(() => h.driver.openOutput(relay(17, false))).toThrow(expect.objectContaining({ code: GpioErrorCode.PinBusy }));
      input.close();
      const out = h.driver.openOutput(relay(17, false));
      expect(out.read()).toBe(false);
    });

    it('emits nothing after an input is closed, even for an edge pending in the window', () => {
      h.setLevel(17, 1);
      const input = h.driver.openInput(button(17));
      const seen: boolean[] = [];
      input.on('change', (v) => seen.push(v));
      h.setLevel(17, 0);
      input.close();
      vi.advanceTimersByTime(100);
      expect(seen).toEqual([]);
    });

    it('rejects malformed specs with a typed error', () => {
      expect(() => h.driver.openInput(button(5, { pull: 'sideways' as never }))).toThrow(
        expect.objectContaining({ code: GpioErrorCode.InvalidSpec }),
      );
      expect(() => h.driver.openInput(button(5, { debounceMs: -1 }))).toThrow(
        expect.objectContaining({ code: GpioErrorCode.InvalidSpec }),
      );
      expect(() => h.driver.openOutput({ line: -3, activeLow: false })).toThrow(
        expect.objectContaining({ code: GpioErrorCode.InvalidLine }),
      );
    });
  });
}
