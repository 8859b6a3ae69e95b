import { describe, expect, it } from 'vitest';
import { ACCOUNT_DEFAULTS, BUTTON_DEFAULTS, DEFAULT_CONFIG, RELAY_DEFAULTS } from '../../src/config/default-config.js';
import { validateConfig } from '../../src/config/validate-config.js';

describe('default configuration', () => {
  it('is what no configuration at all gives: a simulation on loopback', () => {
    const config = validateConfig(undefined, { env: {} });
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.hardware.driver).toBe('sim');
    expect(config.audio.driver).toBe('sim');
    expect(config.sip.accounts[0]?.registrar).toMatch(/^sip:127\.0\.0\.1/);
    expect(config.http.bind).toBe('127.0.0.1');
    expect(config.doors.codes).toEqual([]); // no code that would open a real door
  });

  it('passes its own validation', () => {
    expect(() => validateConfig(structuredClone(DEFAULT_CONFIG), { env: {} })).not.toThrow();
  });

  it('is cloned, so a loaded config can be changed without touching the defaults', () => {
    const config = validateConfig({}, { env: {} });
    config.sip.accounts[0]!.username = 'changed';
    config.buttons[0]!.targets.push({ uri: 'x', ringSeconds: 1 });
    expect(DEFAULT_CONFIG.sip.accounts[0]?.username).toBe('door');
    expect(DEFAULT_CONFIG.buttons[0]?.targets).toHaveLength(1);
  });

  it('fills the keys a list item leaves out and keeps the given ones', () => {
    const config = validateConfig(
      {
        sip: { accounts: [{ registrar: 'sip:pbx', username: 'a', ptime: 30 }, { id: 'b', registrar: 'sip:pbx2', username: 'b' }] },
        buttons: [{ input: 'bell2', targets: ['sip:x@y'], mode: 'sequential' }],
        doors: { relays: [{ name: 'gate', output: 'relay2', hold: true }] },
        timers: { t1Ms: 250 },
      },
      { env: {} },
    );
    expect(config.sip.accounts[0]).toEqual({ id: 'account1', registrar: 'sip:pbx', username: 'a', ...ACCOUNT_DEFAULTS, ptime: 30 });
    expect(config.sip.accounts[1]?.id).toBe('b');
    expect(config.buttons).toEqual([{ input: 'bell2', targets: [{ uri: 'sip:x@y', ringSeconds: 30 }], ...BUTTON_DEFAULTS, mode: 'sequential' }]);
    expect(config.doors.relays).toEqual([{ name: 'gate', output: 'relay2', ...RELAY_DEFAULTS, hold: true }]);
    expect(config.timers).toEqual({ t1Ms: 250, t2Ms: 4000, t4Ms: 5000 });
    expect(config.doors.bruteForce).toEqual(DEFAULT_CONFIG.doors.bruteForce);
  });

  it('treats an empty value (`key:`) as absent', () => {
    const config = validateConfig({ logging: null, http: { port: null } }, { env: {} });
    expect(config.logging).toEqual(DEFAULT_CONFIG.logging);
    expect(config.http.port).toBe(DEFAULT_CONFIG.http.port);
  });
});
