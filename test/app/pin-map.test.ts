import { describe, expect, it } from 'vitest';
import { PinMapError, resolvePinMap } from '../../src/app/pin-map.js';
import type { HardwareConfig } from '../../src/config/portier-config.js';

const hw = (over: Partial<HardwareConfig>): HardwareConfig => ({ driver: 'onoff', board: 'raspberry-pi-generic', pins: {}, longPressMs: 1500, ...over });

describe('resolvePinMap', () => {
  it('maps configuration names onto the board profile through its aliases (bell1 → button1, relay1 → door_relay)', () => {
    const map = resolvePinMap(hw({}), { inputs: ['bell1', 'contact1'], outputs: ['relay1', 'led1'] });
    expect(map.inputs.get('bell1')).toEqual({ name: 'bell1', line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    expect(map.inputs.get('contact1')).toMatchObject({ line: 24, activeLow: false });
    expect(map.outputs.get('relay1')).toEqual({ name: 'relay1', line: 16, activeLow: false });
    expect(map.outputs.get('led1')).toMatchObject({ line: 12 });
  });

  it('applies hardware.pins overrides over the profile, field by field', () => {
    const map = resolvePinMap(hw({ pins: { bell1: { line: 5, debounceMs: 80 }, relay1: { activeLow: true } } }), { inputs: ['bell1'], outputs: ['relay1'] });
    expect(map.inputs.get('bell1')).toEqual({ name: 'bell1', line: 5, activeLow: true, pull: 'up', debounceMs: 80 });
    expect(map.outputs.get('relay1')).toEqual({ name: 'relay1', line: 16, activeLow: true });
  });

  it('follows extends: the Waveshare relay board keeps the generic buttons and has active-low relays', () => {
    const map = resolvePinMap(hw({ board: 'waveshare-rpi-relay-board' }), { inputs: ['bell1'], outputs: ['relay1', 'relay2'] });
    expect(map.inputs.get('bell1')?.line).toBe(17);
    expect(map.outputs.get('relay1')).toEqual({ name: 'relay1', line: 26, activeLow: true });
    expect(map.outputs.get('relay2')).toEqual({ name: 'relay2', line: 21, activeLow: true });
  });

  it('names the fix when a required pin is on no board, and leaves optional ones out', () => {
    expect(() => resolvePinMap(hw({}), { inputs: ['gate9'], outputs: [] })).toThrow(/input 'gate9' is not in the board profile raspberry-pi-generic; add hardware.pins.gate9.line/);
    const map = resolvePinMap(hw({ board: 'raspberry-pi-generic' }), { inputs: [], outputs: [], optionalInputs: ['exit_button', 'nothing'], optionalOutputs: ['chime'] });
    expect([...map.inputs.keys()]).toEqual(['exit_button']);
    expect([...map.outputs.keys()]).toEqual(['chime']);
  });

  it('refuses two names on one line', () => {
    expect(() => resolvePinMap(hw({ pins: { relay1: { line: 17 } } }), { inputs: ['bell1'], outputs: ['relay1'] })).toThrow(PinMapError);
  });

  it('on the simulated board gives every name a free line, inputs idle-inactive (active-low with pull-up)', () => {
    const map = resolvePinMap(hw({ driver: 'sim', board: 'sim', pins: { relay1: { line: 0 } } }), { inputs: ['bell1', 'tamper1'], outputs: ['relay1', 'led1'] });
    const lines = [...map.inputs.values(), ...map.outputs.values()].map((s) => s.line);
    expect(new Set(lines).size).toBe(4);
    expect(map.outputs.get('relay1')!.line).toBe(0);
    expect(map.inputs.get('bell1')).toMatchObject({ activeLow: true, pull: 'up', debounceMs: 30 });
    // No profile file is read for the sim board.
    expect(() => resolvePinMap(hw({ driver: 'sim', board: 'sim' }), { inputs: ['bell1'], outputs: [] }, () => { throw new Error('read'); })).not.toThrow();
  });
});
