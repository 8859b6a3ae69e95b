import { describe, expect, it } from 'vitest';
import { diffConfig } from '../../src/config/diff-config.js';
import { validateConfig } from '../../src/config/validate-config.js';

const base = (): ReturnType<typeof validateConfig> =>
  validateConfig({ doors: { codes: [{ code: '1234', relay: 'door' }] } }, { env: {} });

describe('diffConfig', () => {
  it('finds nothing between equal configurations', () => {
    const d = diffConfig(base(), base());
    expect(d.sections).toEqual([]);
    expect(d.paths).toEqual([]);
  });

  it('names changed sections and paths, not values', () => {
    const next = base();
    next.sip.accounts[0]!.password = 'new-secret';
    next.doors.codes[0]!.code = '9999';
    next.logging.level = 'debug';
    const d = diffConfig(base(), next);
    expect(d.sections).toEqual(['sip', 'doors', 'logging']);
    expect(d.paths).toEqual(['sip.accounts[0].password', 'doors.codes[0].code', 'logging.level']);
    expect(d.changed('doors.codes')).toBe(true);
    expect(d.changed('doors.relays')).toBe(false);
    expect(d.changed('sip.accounts')).toBe(true);
    expect(d.changed('sip.listen')).toBe(false);
    expect(d.changed('http')).toBe(false);
    expect(JSON.stringify(d)).not.toMatch(/new-secret|9999/);
  });

  it('treats a list of another length as changed as a whole, and added optional keys as changes', () => {
    const next = base();
    next.doors.codes.push({ code: '5555', relay: 'door' });
    next.tamper.input = 'tamper1';
    const d = diffConfig(base(), next);
    expect(d.paths).toEqual(['doors.codes', 'tamper.input']);
  });
});
