import { describe, expect, it } from 'vitest';
import { GenericUri, parseSipUri, parseUri, SipUri, TelUri, uriEquals } from '../../../src/sip/messages/index.js';
import { SipParseError } from '../../../src/sip/messages/sip-parse-error.js';

describe('parseUri', () => {
  it('parses every part of a sip URI', () => {
    const u = parseSipUri('sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
    expect(u.scheme).toBe('sips');
    expect(u.user).toBe('alice');
    expect(u.password).toBe('secret');
    expect(u.host).toBe('[2001:db8::10]');
    expect(u.hostname).toBe('2001:db8::10');
    expect(u.port).toBe(5061);
    expect(u.transport).toBe('tcp');
    expect(u.params.get('lr')).toBeNull();
    expect(u.headers.get('subject')).toBe('project%20x');
    expect(u.headers.get('Priority')).toBe('urgent');
    expect(u.toString()).toBe('sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?subject=project%20x&priority=urgent');
  });

  it('accepts a user part with ; and escapes (telephone-subscriber)', () => {
    const u = parseSipUri('sip:+1-212-555-1212;postd=pp22@foo.com;user=phone');
    expect(u.user).toBe('+1-212-555-1212;postd=pp22');
    expect(u.host).toBe('foo.com');
    expect(u.params.get('user')).toBe('phone');
    expect(parseSipUri('sip:%61lice@atlanta.com').user).toBe('%61lice');
  });

  it('parses host-only, IPv4 and port forms', () => {
    expect(parseSipUri('sip:biloxi.com').user).toBeUndefined();
    const u = parseSipUri('sip:192.0.2.4:5070');
    expect(u.host).toBe('192.0.2.4');
    expect(u.port).toBe(5070);
  });

  it('gives typed tel and generic URIs', () => {
    const t = parseUri('tel:+1-201-555-0123;ext=22');
    expect(t).toBeInstanceOf(TelUri);
    expect((t as TelUri).number).toBe('+1-201-555-0123');
    const g = parseUri('http://www.example.com/alice/photo.jpg');
    expect(g).toBeInstanceOf(GenericUri);
    expect(g.toString()).toBe('http://www.example.com/alice/photo.jpg');
  });

  it.each([
    ['no scheme', 'alice@atlanta.com'],
    ['bad port', 'sip:alice@atlanta.com:99999'],
    ['non-numeric port', 'sip:alice@atlanta.com:abc'],
    ['empty host', 'sip:alice@'],
    ['space in host', 'sip:alice@atl anta.com'],
    ['unterminated IPv6', 'sip:[2001:db8::1'],
    ['bad IPv6', 'sip:[2001:db8:::1]'],
    ['empty user', 'sip:@atlanta.com'],
    ['bad tel', 'tel:abc-xyz'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const eq = (a: string, b: string) => uriEquals(parseUri(a), parseUri(b));

  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
    ['tel:+1-201-555-0123', 'tel:+1.201.555.0123'],
  ])('%s == %s', (a, b) => {
    expect(eq(a, b)).toBe(true);
    expect(eq(b, a)).toBe(true);
  });

  it.each([
    ['sip:ALICE@AtLanTa.CoM;Transport=udp', 'SIP:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
  ])('%s != %s', (a, b) => {
    expect(eq(a, b)).toBe(false);
    expect(eq(b, a)).toBe(false);
  });

  it('a clone equals its original and serializes identically', () => {
    const u = parseSipUri('sip:a@b.c:5;x=y?h=v');
    expect(u.clone()).toBeInstanceOf(SipUri);
    expect(uriEquals(u, u.clone())).toBe(true);
    expect(u.clone().toString()).toBe(u.toString());
  });
});
