import { describe, expect, it } from 'vitest';
import { statusLedState } from '../../src/app/station-leds.js';

describe('statusLedState', () => {
  it('shows the most urgent state: door open > in call > calling > registered / not registered', () => {
    expect(statusLedState({ registered: false, call: 'idle', doorOpen: false })).toBe('not-registered');
    expect(statusLedState({ registered: true, call: 'idle', doorOpen: false })).toBe('registered');
    expect(statusLedState({ registered: true, call: 'ringing', doorOpen: false })).toBe('calling');
    expect(statusLedState({ registered: false, call: 'connected', doorOpen: false })).toBe('in-call');
    expect(statusLedState({ registered: true, call: 'connected', doorOpen: true })).toBe('door-open');
  });
});
