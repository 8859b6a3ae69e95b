import { describe, expect, it } from 'vitest';
import type { DoorsConfig } from '../../src/config/portier-config.js';
import { type DigitOutcome, DoorUnlockController, type DtmfSource } from '../../src/intercom/door-unlock-controller.js';
import { LineLogger } from '../../src/log/logger.js';
import { BruteForceGuard } from '../../src/door/brute-force-guard.js';

const CODE = '4711';

function doors(overrides: Partial<DoorsConfig['bruteForce']> = {}): DoorsConfig {
  return {
    relays: [{ name: 'front', output: 'relay1', pulseMs: 3000, hold: false }],
    codes: [{ code: CODE, relay: 'front' }, { code: '999', relay: 'gate' }],
    codeEntry: { terminator: '#', interDigitTimeoutMs: 5000 },
    bruteForce: { wrongCodesPerCall: 3, globalLimit: 10, windowSeconds: 600, lockoutSeconds: 300, ...overrides },
    contact: { openTooLongSeconds: 60 },
  };
}

function setup(overrides: Partial<DoorsConfig['bruteForce']> = {}) {
  let t = 1_000;
  const lines: string[] = [];
  const events: unknown[] = [];
  const controller = DoorUnlockController.fromConfig(doors(overrides), {
    scheduler: { now: () => t },
    logger: new LineLogger('debug', (l) => lines.push(l)),
  });
  controller.on('open', (e) => events.push({ open: e }));
  controller.on('rejected', (e) => events.push({ rejected: e }));
  controller.on('lockout', (e) => events.push({ lockout: e }));
  const type = (callId: string, keys: string, source: DtmfSource = 'rfc4733', stepMs = 300): DigitOutcome[] =>
    [...keys].map((digit) => {
      t += stepMs;
      return controller.digit(callId, { digit, source });
    });
  return { controller, lines, events, type, advance: (ms: number) => (t += ms), now: () => t };
}

describe('DoorUnlockController', () => {
  it('opens the relay of a matching code on a permitted call, naming the method', () => {
    const { controller, events, type, advance } = setup();
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    expect(type('c1', `${CODE}#`)).toEqual(['pending', 'pending', 'pending', 'pending', 'open']);
    expect(events).toEqual([{ open: { relay: 'front', method: 'dtmf', caller: 'sip:201@pbx', callId: 'c1' } }]);
    // Another out-of-band source is taken once the first has been quiet for a while.
    advance(2500);
    expect(type('c1', '999#', 'info').at(-1)).toBe('open');
    expect(events.at(-1)).toEqual({ open: { relay: 'gate', method: 'info', caller: 'sip:201@pbx', callId: 'c1' } });
  });

  it('ignores digits on unknown, ended and unpermitted calls', () => {
    const { controller, events, type } = setup();
    expect(type('nope', `${CODE}#`)).toEqual(Array(5).fill('ignored'));
    controller.callEstablished('stranger', { caller: 'sip:x@evil', permitted: false });
    expect(type('stranger', `${CODE}#`)).toEqual(Array(5).fill('ignored'));
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    type('c1', '47');
    controller.callEnded('c1');
    expect(type('c1', '11#')).toEqual(Array(3).fill('ignored'));
    expect(events).toEqual([]);
  });

  it('keeps each call\'s entry apart', () => {
    const { controller, type } = setup();
    controller.callEstablished('a', { caller: 'sip:a@pbx', permitted: true });
    controller.callEstablished('b', { caller: 'sip:b@pbx', permitted: true });
    type('a', '47');
    type('b', '11');
    expect(type('a', '11#').at(-1)).toBe('open');
    expect(type('b', '#').at(-1)).toBe('rejected');
  });

  it('blocks a call after its wrong codes and locks out all calls at the global limit', () => {
    const { controller, events, type } = setup({ wrongCodesPerCall: 2, globalLimit: 3 });
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    expect(type('c1', '1#').at(-1)).toBe('rejected');
    expect(type('c1', '2#').at(-1)).toBe('rejected');
    expect(events.at(-1)).toEqual({ rejected: { callId: 'c1', caller: 'sip:201@pbx', callBlocked: true } });
    expect(type('c1', `${CODE}#`)).toEqual(Array(5).fill('refused'));

    controller.callEstablished('c2', { caller: 'sip:202@pbx', permitted: true });
    expect(type('c2', '3#').at(-1)).toBe('rejected');
    expect(events.at(-1)).toMatchObject({ lockout: { callId: 'c2' } });
    expect(type('c2', `${CODE}#`)).toEqual(Array(5).fill('refused'));
  });

  it('accepts codes again after the lockout ends', () => {
    const { controller, type, advance } = setup({ wrongCodesPerCall: 5, globalLimit: 1, lockoutSeconds: 60 });
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    type('c1', '0#');
    expect(type('c1', `${CODE}#`).at(-1)).toBe('refused');
    advance(60_000);
    expect(type('c1', `${CODE}#`).at(-1)).toBe('open');
  });

  it('drops the in-band copy of a digit that also came out of band', () => {
    const { controller, events, now } = setup();
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    // In-band first (the tone detector was quicker), then the RFC 4733 event of the same press.
    expect(controller.digit('c1', { digit: '4', source: 'inband' })).toBe('pending');
    expect(controller.digit('c1', { digit: '4', source: 'rfc4733' })).toBe('ignored');
    for (const d of '711#') {
      expect(controller.digit('c1', { digit: d, source: 'rfc4733' })).not.toBe('ignored');
      expect(controller.digit('c1', { digit: d, source: 'inband' })).toBe('ignored');
    }
    expect(events).toEqual([{ open: { relay: 'front', method: 'dtmf', caller: 'sip:201@pbx', callId: 'c1' } }]);
    expect(now()).toBe(1_000);
  });

  it('keeps to the first out-of-band source of a call when a PBX relays each press as both RFC 4733 and INFO', () => {
    const { controller, events, advance } = setup();
    controller.callEstablished('c1', { caller: 'sip:flat@pbx', permitted: true });
    const outcomes: DigitOutcome[] = [];
    for (const d of `${CODE}#`) {
      // INFO at key-down, the RFC 4733 event at key-up 400 ms later: too far apart for a time window.
      outcomes.push(controller.digit('c1', { digit: d, source: 'info' }));
      advance(400);
      outcomes.push(controller.digit('c1', { digit: d, source: 'rfc4733' }));
      advance(200);
    }
    expect(outcomes.filter((o) => o === 'ignored')).toHaveLength(5);
    expect(outcomes.at(-2)).toBe('open');
    expect(events).toHaveLength(1);
  });

  it('counts a repeated digit from one source twice', () => {
    const { controller, type } = setup();
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    expect(type('c1', '999#', 'rfc4733', 50).at(-1)).toBe('open');
  });

  it('never writes a code or its digits to logs or events', () => {
    const { controller, lines, events, type } = setup({ globalLimit: 2 });
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    type('c1', `${CODE}#`);
    type('c1', '8642#');
    type('c1', '8642#');
    const text = lines.join('\n') + JSON.stringify(events);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain(CODE);
    expect(text).not.toContain('8642');
  });

  it('stops after close()', () => {
    const { controller, type } = setup();
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    controller.close();
    controller.close();
    expect(type('c1', `${CODE}#`)).toEqual(Array(5).fill('ignored'));
  });

  it('rejects an unusable code list at construction', () => {
    const bad = doors();
    bad.codes = [{ code: '12a', relay: 'front' }];
    expect(() => DoorUnlockController.fromConfig(bad)).toThrow(expect.objectContaining({ code: 'PORTIER_ERR_DOOR_CODE' }));
  });

  it('reconfigure() swaps the codes for calls in progress and keeps their wrong-code counts and the lockout', () => {
    const { controller, type, advance } = setup({ wrongCodesPerCall: 2, globalLimit: 3, lockoutSeconds: 60 });
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    controller.callEstablished('c2', { caller: 'sip:202@pbx', permitted: true });
    type('c1', '1#2#');
    type('c2', '47');
    controller.reconfigure({ ...doors({ wrongCodesPerCall: 2, globalLimit: 3, lockoutSeconds: 60 }), codes: [{ code: '8642', relay: 'front' }] });
    // c1 stays blocked; c2's half-typed entry is gone and the old code no longer opens.
    expect(type('c1', '8642#').at(-1)).toBe('refused');
    expect(type('c2', '11#').at(-1)).toBe('rejected');
    expect(controller.lockedUntil()).toBeDefined();
    controller.reconfigure(doors({ wrongCodesPerCall: 2, globalLimit: 3, lockoutSeconds: 1 }));
    expect(type('c2', `${CODE}#`).at(-1)).toBe('refused');
    advance(60_000);
    expect(controller.lockedUntil()).toBeUndefined();
    expect(type('c2', `${CODE}#`).at(-1)).toBe('open');
  });

  it('a guard handed to fromConfig() outlives the controller: a new controller starts locked out', () => {
    const guard = new BruteForceGuard({ wrongCodesPerCall: 1, globalLimit: 1, windowMs: 1000, lockoutMs: 1000 });
    let t = 0;
    const first = DoorUnlockController.fromConfig(doors({ globalLimit: 1, lockoutSeconds: 60 }), { scheduler: { now: () => t }, guard });
    first.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    for (const d of '0#') first.digit('c1', { digit: d, source: 'rfc4733' });
    first.close();
    const second = DoorUnlockController.fromConfig(doors({ globalLimit: 1, lockoutSeconds: 60 }), { scheduler: { now: () => t }, guard });
    second.callEstablished('c2', { caller: 'sip:201@pbx', permitted: true });
    t = 30_000;
    expect([...`${CODE}#`].map((d) => second.digit('c2', { digit: d, source: 'rfc4733' })).at(-1)).toBe('refused');
    t = 60_000;
    expect([...`${CODE}#`].map((d) => second.digit('c2', { digit: d, source: 'rfc4733' })).at(-1)).toBe('open');
  });

  it('setPermitted() withdraws door access from a call in progress', () => {
    const { controller, type } = setup();
    controller.callEstablished('c1', { caller: 'sip:201@pbx', permitted: true });
    controller.setPermitted('c1', false);
    expect(type('c1', `${CODE}#`)).toEqual(Array(5).fill('ignored'));
  });
});
