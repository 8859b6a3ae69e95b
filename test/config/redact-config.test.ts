import { describe, expect, it } from 'vitest';
import { REDACTED, redactConfig } from '../../src/config/redact-config.js';
import { validateConfig } from '../../src/config/validate-config.js';

describe('redactConfig', () => {
  it('replaces passwords, the API token and door codes, leaving the original intact', () => {
    const config = validateConfig(
      { doors: { codes: [{ code: '8642', relay: 'door' }] }, http: { token: 'tok-0123456789abcdef' } },
      { env: {} },
    );
    const safe = redactConfig(config);
    const text = JSON.stringify(safe);
    expect(text).not.toMatch(/8642|tok-0123456789abcdef|door-demo/);
    expect(safe.doors.codes[0]).toEqual({ code: REDACTED, relay: 'door' });
    expect(safe.sip.accounts[0]?.password).toBe(REDACTED);
    expect(config.doors.codes[0]?.code).toBe('8642');
  });
});
