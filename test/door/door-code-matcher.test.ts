import crypto from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DoorCodeError, DoorCodeMatcher, type CodeMatchResult } from '../../src/door/door-code-matcher.js';

const codes = [
  { code: '1234', relay: 'front' },
  { code: '0815', relay: 'front' },
  { code: '99', relay: 'gate' },
];

/** Feeds each character of `digits`, 100 ms apart from `start`; returns the results. */
function feedAll(m: DoorCodeMatcher, digits: string, start = 0, step = 100): CodeMatchResult[] {
  return [...digits].map((d, i) => m.feed(d, start + i * step));
}
const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];

afterEach(() => vi.restoreAllMocks());

describe('DoorCodeMatcher with # terminator', () => {
  const make = (): DoorCodeMatcher => new DoorCodeMatcher({ codes, terminator: '#', interDigitTimeoutMs: 3000 });

  it('matches a code ended by # and names its relay', () => {
    const m = make();
    const results = feedAll(m, '1234#');
    expect(results.slice(0, 4)).toEqual(Array(4).fill({ kind: 'pending' }));
    expect(last(results)).toEqual({ kind: 'match', relay: 'front' });
    expect(last(feedAll(m, '99#', 1000))).toEqual({ kind: 'match', relay: 'gate' });
    expect(last(feedAll(m, '0815#', 2000))).toEqual({ kind: 'match', relay: 'front' });
  });

  it('rejects wrong codes, prefixes and extensions of codes', () => {
    const m = make();
    expect(last(feedAll(m, '1235#'))).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '123#', 1000))).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '12345#', 2000))).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '9#', 3000))).toEqual({ kind: 'reject' });
  });

  it('does not submit without #, and ignores a lone #', () => {
    const m = make();
    expect(feedAll(m, '1234')).toEqual(Array(4).fill({ kind: 'pending' }));
    expect(m.hasPendingEntry(400)).toBe(true);
    const fresh = make();
    expect(fresh.feed('#', 0)).toEqual({ kind: 'pending' });
  });

  it('clears the entry on *', () => {
    const m = make();
    expect(last(feedAll(m, '55*1234#'))).toEqual({ kind: 'match', relay: 'front' });
    expect(last(feedAll(m, '12*#', 5000))).toEqual({ kind: 'pending' });
  });

  it('starts over when the inter-digit timeout passes', () => {
    const m = make();
    m.feed('5', 0);
    m.feed('5', 1000);
    expect(m.hasPendingEntry(4001)).toBe(false);
    // 3001 ms after the last digit: "55" is dropped and "1234" alone is the code.
    expect(last(feedAll(m, '1234#', 4001))).toEqual({ kind: 'match', relay: 'front' });
    // Exactly the timeout still counts as in time.
    m.feed('1', 10_000);
    expect(m.feed('2', 13_000)).toEqual({ kind: 'pending' });
    expect(last(feedAll(m, '34#', 13_100))).toEqual({ kind: 'match', relay: 'front' });
  });

  it('rejects an overlong entry at once and then starts fresh', () => {
    const m = make();
    const results = feedAll(m, '12345678901234567');
    expect(results.slice(0, 16)).toEqual(Array(16).fill({ kind: 'pending' }));
    expect(results[16]).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '1234#', 5000))).toEqual({ kind: 'match', relay: 'front' });
  });

  it('treats A-D as non-matching digits and ignores other characters', () => {
    const m = make();
    expect(last(feedAll(m, '12A34#'))).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '12x34#', 1000))).toEqual({ kind: 'match', relay: 'front' });
  });

  it('clear() forgets a partial entry', () => {
    const m = make();
    feedAll(m, '77');
    m.clear();
    expect(last(feedAll(m, '1234#', 300))).toEqual({ kind: 'match', relay: 'front' });
  });

  it('with no codes rejects everything', () => {
    const m = new DoorCodeMatcher({ codes: [], terminator: '#', interDigitTimeoutMs: 1000 });
    expect(last(feedAll(m, '1234#'))).toEqual({ kind: 'reject' });
  });
});

describe('DoorCodeMatcher with fixed length', () => {
  const make = (): DoorCodeMatcher =>
    new DoorCodeMatcher({ codes: [{ code: '1234', relay: 'a' }, { code: '5678', relay: 'b' }], terminator: 'length', interDigitTimeoutMs: 3000 });

  it('decides when the length is reached, without #', () => {
    const m = make();
    expect(feedAll(m, '5678')).toEqual([...Array(3).fill({ kind: 'pending' }), { kind: 'match', relay: 'b' }]);
    expect(last(feedAll(m, '1235', 1000))).toEqual({ kind: 'reject' });
    expect(last(feedAll(m, '1234', 2000))).toEqual({ kind: 'match', relay: 'a' });
  });

  it('still lets # submit a short entry early', () => {
    expect(last(feedAll(make(), '12#'))).toEqual({ kind: 'reject' });
  });

  it('refuses codes of different lengths without naming them', () => {
    const build = (): DoorCodeMatcher =>
      new DoorCodeMatcher({ codes: [{ code: '1234', relay: 'a' }, { code: '56789', relay: 'b' }], terminator: 'length', interDigitTimeoutMs: 1 });
    expect(build).toThrow(DoorCodeError);
    try {
      build();
    } catch (error) {
      expect((error as DoorCodeError).code).toBe('PORTIER_ERR_DOOR_CODE');
      expect((error as Error).message).not.toMatch(/1234|56789|\b[45]\b/);
    }
  });

  it('refuses a malformed code without echoing it', () => {
    expect(() => new DoorCodeMatcher({ codes: [{ code: '12a4', relay: 'a' }], terminator: '#', interDigitTimeoutMs: 1 })).toThrow(
      /^door code #1 is not 1 to 16 digits$/,
    );
  });
});

describe('DoorCodeMatcher comparison', () => {
  it('compares fixed-size digests with timingSafeEqual against every code, whatever the entry length', () => {
    const spy = vi.spyOn(crypto, 'timingSafeEqual');
    const m = new DoorCodeMatcher({ codes, terminator: '#', interDigitTimeoutMs: 3000 });
    for (const [i, entry] of ['1#', '1234#', '1234567890123456#'].entries()) {
      spy.mockClear();
      feedAll(m, entry, i * 10_000);
      expect(spy).toHaveBeenCalledTimes(codes.length);
      for (const [a, b] of spy.mock.calls) {
        expect((a as Buffer).length).toBe(32);
        expect((b as Buffer).length).toBe(32);
      }
    }
  });

  it('keeps no plaintext code in the object', () => {
    const m = new DoorCodeMatcher({ codes: [{ code: '86420', relay: 'x' }], terminator: '#', interDigitTimeoutMs: 3000 });
    feedAll(m, '8642');
    expect(inspect(m, { depth: 10, showHidden: true })).not.toContain('86420');
    expect(JSON.stringify(m)).not.toContain('86420');
  });

  it('matches exactly the configured codes (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[0-9]{1,8}$/), { minLength: 1, maxLength: 5 }), fc.stringMatching(/^[0-9]{1,8}$/), (list, entry) => {
        const m = new DoorCodeMatcher({ codes: list.map((code, i) => ({ code, relay: `r${i}` })), terminator: '#', interDigitTimeoutMs: 1000 });
        const result = last(feedAll(m, `${entry}#`, 0, 1));
        const index = list.indexOf(entry);
        expect(result).toEqual(index >= 0 ? { kind: 'match', relay: `r${index}` } : { kind: 'reject' });
      }),
      { numRuns: 100 },
    );
  });
});
