import { describe, expect, it } from 'vitest';
import { PinMapError } from '../../src/app/pin-map.js';
import { pinRequest } from '../../src/app/station-hardware.js';
import { validateConfig } from '../../src/config/validate-config.js';

function config(over: Record<string, unknown> = {}) {
  return validateConfig({
    sip: { accounts: [{ registrar: 'sip:127.0.0.1:5060', username: 'door' }] },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: ['sip:flat@127.0.0.1'] }],
    doors: { relays: [{ name: 'front', output: 'relay1', pulseMs: 300 }, { name: 'gate', output: 'relay2', hold: true }], contact: { input: 'contact1' } },
    tamper: { input: 'tamper1' },
    leds: { status: 'led1' },
    ...over,
  });
}

const doors = (over: Record<string, unknown>) => ({
  relays: [{ name: 'front', output: 'relay1', pulseMs: 300 }, { name: 'gate', output: 'relay2', hold: true }],
  contact: { input: 'contact1' },
  ...over,
});

describe('pinRequest: one role per logical pin', () => {
  it('asks for every pin of a configuration whose pins each have one role', () => {
    expect(pinRequest(config())).toEqual({ inputs: ['bell1', 'contact1', 'tamper1', 'exit_button'], outputs: ['relay1', 'relay2', 'led1', 'chime'] });
  });

  // Each of these typos would drive a door relay from something that is not a door opening
  // (an LED pattern, the ring chime) or open the door from a sensor (tamper, door contact).
  it.each([
    ['an LED on the door relay (the blink pattern would open the door)', { leds: { status: 'relay1' } }, /leds\.status: found "relay1".*doors\.relays\[0\]\.output.*expected an output of its own/],
    ['the chime on a door relay (a ring would open the door)', { doors: doors({ relays: [{ name: 'front', output: 'chime', pulseMs: 300 }] }) }, /doors\.relays\[0\]\.output: found "chime".*chime output.*expected an output of its own/],
    ['two relays on one output', { doors: doors({ relays: [{ name: 'front', output: 'relay1' }, { name: 'gate', output: 'relay1' }] }) }, /doors\.relays\[1\]\.output: found "relay1".*doors\.relays\[0\]\.output/],
    ['tamper on the exit button (prying the cover would open the door)', { tamper: { input: 'exit_button' } }, /tamper\.input: found "exit_button".*exit button.*expected an input of its own/],
    ['the door contact on the exit button', { doors: doors({ contact: { input: 'exit_button' } }) }, /doors\.contact\.input: found "exit_button".*exit button/],
    ['a bell on the exit button (a visitor would open the door)', { buttons: [{ input: 'exit_button', targets: ['sip:flat@127.0.0.1'] }] }, /buttons\[0\]\.input: found "exit_button".*exit button/],
    ['the door contact on a bell', { doors: doors({ contact: { input: 'bell1' } }) }, /doors\.contact\.input: found "bell1".*buttons\[0\]\.input/],
  ])('refuses %s, naming key, value and what was expected', (_what, over, message) => {
    const c = config(over);
    expect(() => pinRequest(c)).toThrow(PinMapError);
    expect(() => pinRequest(c)).toThrow(message);
  });
});
