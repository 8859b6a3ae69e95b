import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Debouncer } from '../../../src/hw/input/debouncer.js';
import { type ButtonEvent, PressDetector } from '../../../src/hw/input/press-detector.js';

describe('PressDetector', () => {
  it('reports press and a short release', () => {
    const p = new PressDetector({ longPressMs: 1000 });
    expect(p.process({ value: true, atMs: 100 })).toEqual([{ type: 'press', atMs: 100 }]);
    expect(p.nextDeadline()).toBe(1100);
    expect(p.poll(1099)).toEqual([]);
    expect(p.process({ value: false, atMs: 400 })).toEqual([{ type: 'release', atMs: 400, heldMs: 300, long: false }]);
    expect(p.nextDeadline()).toBeUndefined();
  });

  it('reports a long press once while held, then a long release', () => {
    const p = new PressDetector({ longPressMs: 1000 });
    p.process({ value: true, atMs: 0 });
    expect(p.poll(1000)).toEqual([{ type: 'long-press', atMs: 1000, heldMs: 1000 }]);
    expect(p.poll(5000)).toEqual([]);
    expect(p.nextDeadline()).toBeUndefined();
    expect(p.process({ value: false, atMs: 2500 })).toEqual([{ type: 'release', atMs: 2500, heldMs: 2500, long: true }]);
  });

  it('reports an overdue long press before the release when nobody polled', () => {
    const p = new PressDetector({ longPressMs: 1000 });
    p.process({ value: true, atMs: 0 });
    expect(p.process({ value: false, atMs: 1200 }).map((e) => e.type)).toEqual(['long-press', 'release']);
  });

  it('ignores repeated values and a button already held at start', () => {
    const p = new PressDetector({ initiallyPressed: true });
    expect(p.process({ value: true, atMs: 0 })).toEqual([]);
    expect(p.poll(10_000)).toEqual([]);
    expect(p.process({ value: false, atMs: 10_001 })).toEqual([]);
    expect(p.process({ value: true, atMs: 10_100 })).toEqual([{ type: 'press', atMs: 10_100 }]);
    expect(p.process({ value: true, atMs: 10_150 })).toEqual([]);
    expect(p.process({ value: false, atMs: 10_200 })).toHaveLength(1);
    expect(p.process({ value: false, atMs: 10_300 })).toEqual([]);
  });

  it('waits the settle time before calling a press long, so a late release still counts as short', () => {
    const p = new PressDetector({ longPressMs: 1500, settleMs: 30 });
    p.process({ value: true, atMs: 0 });
    expect(p.nextDeadline()).toBe(1530);
    expect(p.poll(1510)).toEqual([]);
    // Released at 1490, confirmed by the debouncer at 1520.
    expect(p.process({ value: false, atMs: 1490 })).toEqual([{ type: 'release', atMs: 1490, heldMs: 1490, long: false }]);
    p.process({ value: true, atMs: 2000 });
    expect(p.poll(3530)).toEqual([{ type: 'long-press', atMs: 3500, heldMs: 1500 }]);
  });

  it('defaults to 1500 ms and rejects a non-positive long-press time', () => {
    expect(new PressDetector().longPressMs).toBe(1500);
    expect(() => new PressDetector({ longPressMs: 0 })).toThrow(RangeError);
  });

  it('counts exactly the intended presses through a bouncing, glitchy contact', () => {
    // Debouncer + detector on generated presses: each press/release has a bounce burst,
    // and the idle and held phases carry spikes shorter than the window.
    const press = fc.record({
      bounces: fc.integer({ min: 0, max: 6 }),
      holdMs: fc.integer({ min: 40, max: 4000 }),
      idleMs: fc.integer({ min: 40, max: 2000 }),
      spike: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(press, { minLength: 1, maxLength: 10 }), (presses) => {
        const window = 30;
        const longPressMs = 1500;
        const d = new Debouncer({ windowMs: window, initial: false });
        const p = new PressDetector({ longPressMs, settleMs: window });
        const events: ButtonEvent[] = [];
        const feed = (value: boolean, atMs: number) => {
          for (;;) {
            const due = [d.nextDeadline(), p.nextDeadline()].filter((x): x is number => x !== undefined && x <= atMs);
            if (due.length === 0) break;
            const at = Math.min(...due);
            for (const c of d.poll(at)) events.push(...p.process(c));
            events.push(...p.poll(at));
          }
          for (const c of d.sample(value, atMs)) events.push(...p.process(c));
        };
        const burst = (target: boolean, at: number, n: number) => {
          for (let i = 0; i < n; i++) feed(i % 2 === 0 ? target : !target, at + i * 2);
          feed(target, at + n * 2);
          return at + n * 2;
        };
        let t = 0;
        const expectedHeld: number[] = [];
        for (const x of presses) {
          t += x.idleMs;
          const down = burst(true, t, x.bounces);
          if (x.spike && x.holdMs > 3 * window) feed(false, down + window + 1), feed(true, down + window + 3);
          t = down + x.holdMs;
          const up = burst(false, t, x.bounces);
          expectedHeld.push(up - down); // from the last bounce of the press to the last bounce of the release
          t = up;
        }
        feed(false, t + 10_000);
        const releases = events.filter((e) => e.type === 'release');
        expect(events.filter((e) => e.type === 'press')).toHaveLength(presses.length);
        expect(releases.map((r) => r.heldMs)).toEqual(expectedHeld);
        expect(events.filter((e) => e.type === 'long-press')).toHaveLength(expectedHeld.filter((h) => h >= longPressMs).length);
        expect(releases.map((r) => r.long)).toEqual(expectedHeld.map((h) => h >= longPressMs));
      }),
      { numRuns: 200 },
    );
  });
});
