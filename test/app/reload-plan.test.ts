import { describe, expect, it } from 'vitest';
import { needsRestart } from '../../src/app/reload-plan.js';
import { diffConfig } from '../../src/config/diff-config.js';
import type { PortierConfig } from '../../src/config/portier-config.js';
import { validateConfig } from '../../src/config/validate-config.js';

const base = () => validateConfig({ doors: { relays: [{ name: 'front', output: 'relay1' }], codes: [{ code: '1234', relay: 'front' }] }, leds: { status: 'led1' } });
const check = (edit: (c: PortierConfig) => void) => {
  const a = base();
  const b = structuredClone(a);
  edit(b);
  return needsRestart(a, b, diffConfig(a, b));
};

describe('needsRestart', () => {
  it('swaps codes, plans, policy, relay timing and LED roles in place', () => {
    expect(check((c) => (c.doors.codes[0]!.code = '9999'))).toBe(false);
    expect(check((c) => (c.buttons[0]!.targets[0]!.uri = 'sip:other@pbx'))).toBe(false);
    expect(check((c) => (c.incoming.mode = 'reject'))).toBe(false);
    expect(check((c) => (c.doors.relays[0]!.pulseMs = 500))).toBe(false);
    expect(check((c) => (c.http.port = 9090))).toBe(false);
  });

  it('rebuilds for SIP, timers, audio, hardware, and for a different set of pins or relays', () => {
    expect(check((c) => (c.sip.accounts[0]!.password = 'x'))).toBe(true);
    expect(check((c) => (c.timers.t1Ms = 400))).toBe(true);
    expect(check((c) => (c.audio.captureGainDb = 3))).toBe(true);
    expect(check((c) => (c.hardware.longPressMs = 2000))).toBe(true);
    expect(check((c) => (c.buttons[0]!.input = 'bell2'))).toBe(true);
    expect(check((c) => (c.leds.call = 'led2'))).toBe(true);
    expect(check((c) => (c.doors.relays[0]!.output = 'relay2'))).toBe(true);
  });
});
