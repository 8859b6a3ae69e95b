import { describe, expect, it } from 'vitest';
import { registrationOptions, targetUri } from '../../src/app/sip-service.js';
import { ACCOUNT_DEFAULTS } from '../../src/config/default-config.js';
import type { SipAccountConfig } from '../../src/config/portier-config.js';

const account = (over: Partial<SipAccountConfig> = {}): SipAccountConfig => ({ id: 'door', registrar: 'sip:pbx.example.org:5080', username: '2001', ...ACCOUNT_DEFAULTS, ...over });

describe('targetUri', () => {
  it('keeps SIP and tel URIs as written', () => {
    expect(targetUri('sip:flat@10.0.0.2:5062', account())).toBe('sip:flat@10.0.0.2:5062');
    expect(targetUri('tel:+4930123', account())).toBe('tel:+4930123');
  });
  it('dials a bare extension at the registrar (host and port), with the account transport', () => {
    expect(targetUri('201', account())).toBe('sip:201@pbx.example.org:5080');
    expect(targetUri('201', account({ transport: 'tcp' }))).toBe('sip:201@pbx.example.org:5080;transport=tcp');
    expect(targetUri('201', account({ domain: 'example.org' }))).toBe('sip:201@example.org');
  });
  it('throws on a malformed URI', () => {
    expect(() => targetUri('sip:', account())).toThrow();
  });
});

describe('registrationOptions', () => {
  it('uses the auth user name for digest and the domain for the AoR', () => {
    const o = registrationOptions(account({ password: 'pw', authUsername: 'door2001', domain: 'example.org' }));
    expect(o.aor.toString()).toBe('sip:2001@example.org');
    expect(o.credentials).toEqual({ username: 'door2001', password: 'pw' });
    expect(o.registrar.toString()).toBe('sip:pbx.example.org:5080');
  });
});
