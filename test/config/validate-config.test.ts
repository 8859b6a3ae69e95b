import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { validateConfig } from '../../src/config/validate-config.js';

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateConfig(input, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(({ path, message }) => ({ path, message }));
  }
  return [];
}

describe('validateConfig without a source file', () => {
  it('reports paths without positions', () => {
    const error = (() => {
      try {
        validateConfig({ hardware: { driver: 'gpio' } }, { env: {} });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error.issues).toEqual([{ path: 'hardware.driver', message: 'found "gpio", expected one of sim, onoff, rpio' }]);
    expect(error.message).toBe('invalid configuration:\nhardware.driver: found "gpio", expected one of sim, onoff, rpio');
  });

  it('checks the shape of collections', () => {
    expect(issuesOf({ buttons: { input: 'x' } })).toEqual([{ path: 'buttons', message: 'found a mapping, expected a list' }]);
    expect(issuesOf({ sip: { accounts: [] } })).toEqual([{ path: 'sip.accounts', message: 'found 0 item(s), expected at least 1' }]);
    expect(issuesOf({ buttons: [null] })).toEqual([{ path: 'buttons[0]', message: 'found an empty item, expected a mapping' }]);
    expect(issuesOf({ buttons: [{ input: 'b', targets: [{ ringSeconds: 3 }] }] })).toEqual([
      { path: 'buttons[0].targets[0].uri', message: 'missing, expected a SIP URI or an extension' },
    ]);
  });

  it('checks pin override names and fields', () => {
    expect(issuesOf({ hardware: { pins: { '9bad': { line: 1 }, bell1: { line: 600, pull: 'sideways' } } } })).toEqual([
      { path: 'hardware.pins["9bad"]', message: 'found key "9bad", expected a logical pin name of letters, digits, - and _' },
      { path: 'hardware.pins.bell1.line', message: 'found 600, expected an integer from 0 to 511' },
      { path: 'hardware.pins.bell1.pull', message: 'found "sideways", expected one of up, down, none' },
    ]);
  });

  it('applies the cross-section rules', () => {
    expect(issuesOf({ timers: { t1Ms: 5000, t2Ms: 4000 } })).toEqual([{ path: 'timers.t1Ms', message: 'found 5000, expected at most timers.t2Ms (4000)' }]);
    expect(issuesOf({ audio: { sim: { source: 'file' } } })[0]?.path).toBe('audio.sim.file');
    expect(issuesOf({ sip: { listen: [{ transport: 'tls', port: 5061 }] } }).map((i) => i.path)).toEqual(['sip.tls.cert', 'sip.tls.key']);
    expect(issuesOf({ doors: { relays: [{ name: 'a', output: 'r1' }, { name: 'a', output: 'r2' }] } })[0]?.path).toBe('doors.relays[1].name');
    expect(issuesOf({ buttons: [{ input: 'b', targets: ['1'], callLimitSeconds: 10, callLimitWarningSeconds: 10 }] })[0]?.path).toBe(
      'buttons[0].callLimitWarningSeconds',
    );
    expect(issuesOf({ sip: { accounts: [{ id: 'x', registrar: 'sip:a', username: 'u' }, { id: 'x', registrar: 'sip:b', username: 'v' }] } })[0]?.path).toBe(
      'sip.accounts[1].id',
    );
  });

  it('checks incoming.trustedSources: IP addresses and CIDR ranges, both families', () => {
    const ok = validateConfig({ incoming: { trustedSources: ['192.0.2.10', '198.51.100.0/24', '2001:db8::/32', '::1'] } }, { env: {} });
    expect(ok.incoming.trustedSources).toEqual(['192.0.2.10', '198.51.100.0/24', '2001:db8::/32', '::1']);
    expect(validateConfig({}, { env: {} }).incoming.trustedSources).toEqual([]);
    const expected = 'expected an IP address or a CIDR range (e.g. 192.0.2.10, 192.0.2.0/24, 2001:db8::/32)';
    expect(issuesOf({ incoming: { trustedSources: ['pbx.example.org', '10.0.0.0/33', '2001:db8::/129', '10.0.0.1/', '10.0.0.0/8/8', ''] } })).toEqual([
      { path: 'incoming.trustedSources[0]', message: `found "pbx.example.org", ${expected}` },
      { path: 'incoming.trustedSources[1]', message: `found "10.0.0.0/33", ${expected}` },
      { path: 'incoming.trustedSources[2]', message: `found "2001:db8::/129", ${expected}` },
      { path: 'incoming.trustedSources[3]', message: `found "10.0.0.1/", ${expected}` },
      { path: 'incoming.trustedSources[4]', message: `found "10.0.0.0/8/8", ${expected}` },
      { path: 'incoming.trustedSources[5]', message: `found "", ${expected}` },
    ]);
    expect(issuesOf({ incoming: { trustedSources: '192.0.2.10' } })).toEqual([{ path: 'incoming.trustedSources', message: 'found "192.0.2.10", expected a list' }]);
  });

  it('fails only with ConfigError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        try {
          validateConfig({ sip: value, doors: value, buttons: value }, { env: {} });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
