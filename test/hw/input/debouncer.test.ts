import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DebouncedChange, Debouncer } from '../../../src/hw/input/debouncer.js';

/** Drives a debouncer over raw edges the way the timer adapter does: polls at each deadline before the next edge. */
function run(window: number, initial: boolean, edges: Array<{ atMs: number; value: boolean }>): DebouncedChange[] {
  const d = new Debouncer({ windowMs: window, initial });
  const out: DebouncedChange[] = [];
  for (const e of edges) {
    const deadline = d.nextDeadline();
    if (deadline !== undefined && deadline <= e.atMs) out.push(...d.poll(deadline));
    out.push(...d.sample(e.value, e.atMs));
  }
  const last = d.nextDeadline();
  if (last !== undefined) out.push(...d.poll(last));
  return out;
}

describe('Debouncer', () => {
  it('reports a new state only after it held for the whole window, timed at its start', () => {
    const d = new Debouncer({ windowMs: 30, initial: false });
    expect(d.sample(true, 100)).toEqual([]);
    expect(d.nextDeadline()).toBe(130);
    expect(d.poll(129)).toEqual([]);
    expect(d.poll(130)).toEqual([{ value: true, atMs: 100 }]);
    expect(d.value).toBe(true);
    expect(d.nextDeadline()).toBeUndefined();
  });

  it('defaults to a 30 ms window and rejects negative windows', () => {
    expect(new Debouncer({ initial: false }).windowMs).toBe(30);
    expect(() => new Debouncer({ windowMs: -1, initial: false })).toThrow(RangeError);
  });

  it('restarts the window on every bounce and ignores a single-sample spike', () => {
    expect(
      run(30, false, [
        { atMs: 0, value: true },
        { atMs: 2, value: false },
        { atMs: 5, value: true },
        { atMs: 9, value: false },
        { atMs: 12, value: true },
      ]),
    ).toEqual([{ value: true, atMs: 12 }]);
    expect(
      run(30, true, [
        { atMs: 500, value: false },
        { atMs: 501, value: true },
      ]),
    ).toEqual([]);
  });

  it('confirms an overdue edge when the next sample arrives before any poll', () => {
    const d = new Debouncer({ windowMs: 30, initial: false });
    d.sample(true, 0);
    expect(d.sample(false, 50)).toEqual([{ value: true, atMs: 0 }]);
    expect(d.poll(80)).toEqual([{ value: false, atMs: 50 }]);
  });

  it('passes every edge through with a 0 ms window', () => {
    const d = new Debouncer({ windowMs: 0, initial: false });
    expect(d.sample(true, 1)).toEqual([{ value: true, atMs: 1 }]);
    expect(d.sample(false, 1)).toEqual([{ value: false, atMs: 1 }]);
  });

  it('recovers the intended presses from generated bounce bursts and glitches', () => {
    const window = 30;
    // A segment: the intended state flips, after a burst of bounces (each gap < window),
    // then holds; optional glitches (< window) inside the hold.
    const segment = fc.record({
      bounceGaps: fc.array(fc.integer({ min: 0, max: window - 1 }), { maxLength: 8 }),
      holdMs: fc.integer({ min: window, max: 3000 }),
      glitches: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 3000 }), width: fc.integer({ min: 0, max: window - 1 }) }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 12 }), (initial, segments) => {
        const edges: Array<{ atMs: number; value: boolean }> = [];
        const expected: DebouncedChange[] = [];
        let t = 10;
        let state = initial;
        for (const s of segments) {
          const target = !state;
          // Bounce: alternate starting with the target, always ending on the target.
          const toggles = s.bounceGaps.length % 2 === 0 ? s.bounceGaps : s.bounceGaps.slice(1);
          let v = target;
          edges.push({ atMs: t, value: v });
          for (const gap of toggles) {
            t += gap;
            v = !v;
            edges.push({ atMs: t, value: v });
          }
          expect(v).toBe(target);
          expected.push({ value: target, atMs: t });
          // Glitches strictly inside the hold, each shorter than the window, non-overlapping.
          let cursor = t + window;
          for (const g of [...s.glitches].sort((a, b) => a.offset - b.offset)) {
            const start = Math.max(cursor, t + g.offset);
            const end = start + Math.max(1, g.width);
            if (end >= t + s.holdMs) break;
            edges.push({ atMs: start, value: !target }, { atMs: end, value: target });
            cursor = end + window;
          }
          t += s.holdMs;
          state = target;
        }
        expect(run(window, initial, edges)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('never reports a state the raw signal did not hold for the window, and always settles', () => {
    const window = 25;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 80 }), value: fc.boolean() }), { maxLength: 60 }),
        (initial, steps) => {
          let t = 0;
          const edges = steps.map((s) => ({ atMs: (t += s.gap), value: s.value }));
          const out = run(window, initial, edges);
          const rawAt = (ms: number) => {
            let v = initial;
            for (const e of edges) if (e.atMs <= ms) v = e.value;
            return v;
          };
          let last = initial;
          for (const c of out) {
            expect(c.value).toBe(!last); // alternates: no duplicate reports
            last = c.value;
            // Held for the whole window from its start (edges at the same ms: the last one wins).
            for (const e of edges) {
              if (e.atMs > c.atMs && e.atMs < c.atMs + window) expect(e.value).toBe(c.value);
            }
            expect(rawAt(c.atMs)).toBe(c.value);
          }
          // The final raw value holds forever, so it must end up reported.
          expect(last).toBe(edges.length ? edges.at(-1)!.value : initial);
        },
      ),
      { numRuns: 300 },
    );
  });
});
