import { describe, expect, it } from 'vitest';
import { CallerAllowList, callerIdentity } from '../../src/intercom/caller-allow-list.js';

describe('callerIdentity', () => {
  it('reads From values and bare URIs, unescaping the user and lower-casing the host', () => {
    expect(callerIdentity('"Flat 1" <sip:%32%30%31@PBX.Example.org:5062>;tag=abc')).toEqual({ user: '201', host: 'pbx.example.org', port: 5062 });
    expect(callerIdentity('sip:201@pbx.example.org')).toEqual({ user: '201', host: 'pbx.example.org' });
    expect(callerIdentity('<tel:+4930123>')).toEqual({ user: '+4930123', host: '' });
    expect(callerIdentity('not a uri <<')).toBeUndefined();
  });
});

describe('CallerAllowList', () => {
  it('allows everyone when empty', () => {
    expect(new CallerAllowList([]).permits('sip:anyone@anywhere')).toBe(true);
    expect(new CallerAllowList([]).permits('garbage')).toBe(true);
  });

  it('matches SIP URI patterns with a wildcard user, case-insensitive on the host only', () => {
    const list = new CallerAllowList(['sip:*@pbx.example.org']);
    expect(list.permits('<sip:201@PBX.example.org>;tag=1')).toBe(true);
    expect(list.permits('sip:201@pbx.example.org.evil.com')).toBe(false);
    expect(list.permits('sip:201@evil.com')).toBe(false);
    expect(list.permits('sips:201@pbx.example.org')).toBe(true);
  });

  it('matches bare user parts with and without wildcards', () => {
    const list = new CallerAllowList(['201', '3*']);
    expect(list.permits('sip:201@pbx')).toBe(true);
    expect(list.permits('sip:2010@pbx')).toBe(false);
    expect(list.permits('sip:305@other-pbx')).toBe(true);
    expect(list.permits('sip:Alice@pbx')).toBe(false);
    expect(list.permits('tel:305')).toBe(true);
  });

  it('compares users case-sensitively (RFC 3261 §19.1.4)', () => {
    const list = new CallerAllowList(['sip:alice@pbx']);
    expect(list.permits('sip:alice@pbx')).toBe(true);
    expect(list.permits('sip:Alice@pbx')).toBe(false);
  });

  it('checks the port only when the pattern names one', () => {
    const list = new CallerAllowList(['sip:201@pbx:5062', 'flat@10.0.0.1']);
    expect(list.permits('sip:201@pbx:5062')).toBe(true);
    expect(list.permits('sip:201@pbx')).toBe(false);
    expect(list.permits('sip:flat@10.0.0.1:5099')).toBe(true);
  });

  it('treats regular-expression characters in patterns literally', () => {
    const list = new CallerAllowList(['sip:a.b@pbx']);
    expect(list.permits('sip:a.b@pbx')).toBe(true);
    expect(list.permits('sip:axb@pbx')).toBe(false);
  });

  it('lets an unparseable caller through only a lone *', () => {
    expect(new CallerAllowList(['201']).permits('???')).toBe(false);
    expect(new CallerAllowList(['*']).permits('???')).toBe(true);
  });
});
