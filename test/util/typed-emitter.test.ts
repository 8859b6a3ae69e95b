import { afterEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/util/typed-emitter.js';

class Thing extends TypedEmitter<{ tick: [n: number]; done: [] }> {}

const originalOnError = TypedEmitter.onListenerError;
afterEach(() => {
  TypedEmitter.onListenerError = originalOnError;
});

describe('TypedEmitter', () => {
  it('calls listeners in order with the arguments, and reports whether anyone listened', () => {
    const t = new Thing();
    expect(t.emit('tick', 1)).toBe(false);
    const seen: string[] = [];
    t.on('tick', (n) => seen.push(`a${n}`));
    t.on('tick', (n) => seen.push(`b${n}`));
    expect(t.emit('tick', 7)).toBe(true);
    expect(seen).toEqual(['a7', 'b7']);
    expect(t.listenerCount('tick')).toBe(2);
    expect(t.listenerCount('done')).toBe(0);
  });

  it('once listeners run once; off removes one registration; removeAllListeners clears', () => {
    const t = new Thing();
    const seen: number[] = [];
    const f = (n: number): void => void seen.push(n);
    t.once('tick', f);
    t.on('tick', f);
    t.emit('tick', 1);
    t.emit('tick', 2);
    expect(seen).toEqual([1, 1, 2]);
    t.off('tick', f);
    t.emit('tick', 3);
    expect(seen).toEqual([1, 1, 2]);
    t.on('tick', f).on('done', () => seen.push(0));
    t.removeAllListeners('tick');
    expect(t.emit('tick', 4)).toBe(false);
    expect(t.emit('done')).toBe(true);
    t.removeAllListeners();
    expect(t.emit('done')).toBe(false);
  });

  it('a throwing listener is reported and the others still run', () => {
    const t = new Thing();
    const errors: string[] = [];
    TypedEmitter.onListenerError = (event, error) => errors.push(`${event}: ${(error as Error).message}`);
    const seen: number[] = [];
    t.on('tick', () => {
      throw new Error('boom');
    });
    t.on('tick', (n) => seen.push(n));
    expect(t.emit('tick', 5)).toBe(true);
    expect(seen).toEqual([5]);
    expect(errors).toEqual(['tick: boom']);
  });

  it('listeners added or removed during an emit take effect from the next emit', () => {
    const t = new Thing();
    const seen: string[] = [];
    const late = (): void => void seen.push('late');
    const second = (): void => void seen.push('second');
    t.on('tick', () => {
      seen.push('first');
      t.on('tick', late);
      t.off('tick', second);
    });
    t.on('tick', second);
    t.emit('tick', 1);
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    t.emit('tick', 2);
    expect(seen).toEqual(['first', 'late']);
  });

  it('a once listener runs once even when an earlier listener emits the same event again', () => {
    const t = new Thing();
    const seen: number[] = [];
    let nested = false;
    t.on('tick', (n) => {
      if (!nested) {
        nested = true;
        t.emit('tick', n + 100);
      }
    });
    t.once('tick', (n) => seen.push(n));
    t.emit('tick', 1);
    expect(seen).toEqual([101]);
    expect(t.listenerCount('tick')).toBe(1);
  });

  it('wait() resolves with the next emit and then stops listening', async () => {
    const t = new Thing();
    const next = t.wait('tick');
    t.emit('tick', 9);
    await expect(next).resolves.toEqual([9]);
    expect(t.listenerCount('tick')).toBe(0);
  });
});
