import { describe, expect, it } from 'vitest';
import { NameAddr, Parameters, SipParseError, Via } from '../../../src/sip/messages/index.js';

describe('NameAddr', () => {
  it('parses quoted display names with escapes', () => {
    const a = NameAddr.parse('"Bob \\"the\\" Builder" <sip:bob@biloxi.com>;tag=a48s');
    expect(a.displayName).toBe('Bob "the" Builder');
    expect(a.tag).toBe('a48s');
    expect(a.toString()).toBe('"Bob \\"the\\" Builder" <sip:bob@biloxi.com>;tag=a48s');
  });

  it('parses token display names and addr-spec with header params', () => {
    expect(NameAddr.parse('Anonymous  User <sip:c8oqz84zk7z@privacy.org>').displayName).toBe('Anonymous User');
    const a = NameAddr.parse('sip:alice@atlanta.com;tag=88sja8x');
    expect(a.tag).toBe('88sja8x');
    expect(a.uri.toString()).toBe('sip:alice@atlanta.com');
  });

  it('keeps URI params inside <> apart from header params', () => {
    const a = NameAddr.parse('<sip:alice@10.0.0.1;transport=tcp>;expires=3600;+sip.instance="<urn:uuid:1>"');
    expect(a.params.get('expires')).toBe('3600');
    expect(a.params.get('+sip.instance')).toBe('"<urn:uuid:1>"');
    expect(a.uri.toString()).toBe('sip:alice@10.0.0.1;transport=tcp');
  });

  it.each(['', '<sip:alice@atlanta.com', '"unterminated <sip:a@b>', 'Bob <sip:a@b> junk', 'a b@c'])('rejects %j', (t) => {
    expect(() => NameAddr.parse(t)).toThrow(SipParseError);
  });
});

describe('Via', () => {
  it('parses protocol, sent-by and parameters with odd white space', () => {
    const v = Via.parse('SIP / 2.0 / udp  192.0.2.1 : 5060 ;received=192.0.2.207;branch=z9hG4bK77asjd;rport');
    expect(v.transport).toBe('UDP');
    expect(v.host).toBe('192.0.2.1');
    expect(v.port).toBe(5060);
    expect(v.branch).toBe('z9hG4bK77asjd');
    expect(v.received).toBe('192.0.2.207');
    expect(v.rport).toBeNull();
  });

  it('reads rport values and IPv6 hosts, and writes changes back', () => {
    const v = Via.parse('SIP/2.0/TLS [2001:db8::9:1]:5061;branch=z9hG4bKas3;rport=4711');
    expect(v.hostname).toBe('2001:db8::9:1');
    expect(v.rport).toBe(4711);
    v.received = '2001:db8::9:255';
    v.rport = 5000;
    expect(v.toString()).toBe('SIP/2.0/TLS [2001:db8::9:1]:5061;branch=z9hG4bKas3;rport=5000;received=2001:db8::9:255');
  });

  it.each(['SIP/2.0/UDP', 'SIP/2.0 UDP host', 'SIP/2.0/UDP host:port', 'SIP/2.0/UDP [::1', 'SIP/2.0/UDP bad_host!'])('rejects %j', (t) => {
    expect(() => Via.parse(t)).toThrow(SipParseError);
  });
});

describe('Parameters', () => {
  it('keeps order, finds names case-insensitively, and round-trips', () => {
    const p = Parameters.parse(';A=1;b;c="x;y"');
    expect(p.get('a')).toBe('1');
    expect(p.get('B')).toBeNull();
    expect(p.get('c')).toBe('"x;y"');
    expect(p.get('d')).toBeUndefined();
    p.set('a', '2').set('d', 'z');
    p.delete('b');
    expect(p.toString()).toBe(';A=2;c="x;y";d=z');
  });
});
