import { describe, expect, it } from 'vitest';
import { NameAddr, Parameters, SipParseError, SipUri, Via } from '../../../src/sip/messages/index.js';

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

describe('NameAddr.parseLazy (URI parsed on first access)', () => {
  const text = 'X-Junk, "Front door" <sip:door@pbx.example.com;transport=tcp>;tag=19;expires=60 , more';

  it('parses a slice of a longer value, leaving the URI for later', () => {
    const start = text.indexOf('"');
    const end = text.indexOf(' ,');
    const a = NameAddr.parseLazy(text, start, end);
    expect(a.displayName).toBe('Front door');
    expect(a.tag).toBe('19');
    expect(a.uri).toBeInstanceOf(SipUri);
    expect((a.uri as SipUri).transport).toBe('tcp');
    expect(a.toString()).toBe('"Front door" <sip:door@pbx.example.com;transport=tcp>;tag=19;expires=60');
  });

  it('serializes right when the params change before the URI is first read', () => {
    const a = NameAddr.parseLazy('<sip:u@10.0.0.1:5062;lr>;expires=60', 0, 36);
    a.params.set('expires', '0');
    a.params.set('q', '0.5');
    expect(a.toString()).toBe('<sip:u@10.0.0.1:5062;lr>;expires=0;q=0.5');
    expect((a.uri as SipUri).port).toBe(5062);
  });

  it('a clone taken before the URI is read parses it on its own', () => {
    const a = NameAddr.parseLazy('Bob <sip:bob@biloxi.com>', 0, 24);
    const b = a.clone();
    (a.uri as SipUri).user = 'alice';
    expect(b.toString()).toBe('"Bob" <sip:bob@biloxi.com>');
    expect(a.toString()).toBe('"Bob" <sip:alice@biloxi.com>');
  });

  it('replacing the URI before it was read drops the unparsed text', () => {
    const a = NameAddr.parseLazy('<sip:bad host>', 0, 14);
    a.uri = new SipUri({ host: 'example.com' });
    expect(a.toString()).toBe('<sip:example.com>');
  });

  it('refuses garbage without a scheme at once, and a malformed URI on first access', () => {
    expect(() => NameAddr.parseLazy('*', 0, 1)).toThrow(SipParseError);
    const a = NameAddr.parseLazy('<sip:alice@atl anta.com>;tag=1', 0, 30);
    expect(a.tag).toBe('1');
    expect(() => a.uri).toThrow(SipParseError);
    expect(() => a.toString()).toThrow(SipParseError);
    expect(() => NameAddr.parse('<sip:alice@atl anta.com>;tag=1')).toThrow(SipParseError);
  });

  it('takes the same parts on the quick path and the full grammar', () => {
    const quick = NameAddr.parse('"A B" <sip:a@b.c>;tag=1');
    const full = NameAddr.parse('  "A B"\t  <  sip:a@b.c >  ;  tag = 1 ');
    expect([full.displayName, full.uri.toString(), full.tag, full.toString()]).toEqual([quick.displayName, quick.uri.toString(), quick.tag, quick.toString()]);
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

  it('reads the usual shape and the odd-but-legal shapes alike', () => {
    const shapes = [
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
      'SIP / 2.0 / UDP 192.0.2.1 : 5060 ;branch=z9hG4bK1;rport',
      'SIP/2.0/udp\t192.0.2.1:5060;branch=z9hG4bK1;rport',
      '  SIP/2.0/UDP  192.0.2.1:5060;branch=z9hG4bK1;rport  ',
    ];
    for (const t of shapes) {
      const v = Via.parse(t);
      expect([v.protocol, v.transport, v.host, v.port, v.branch, v.rport]).toEqual(['SIP/2.0', 'UDP', '192.0.2.1', 5060, 'z9hG4bK1', null]);
    }
    const v6 = Via.parse('SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK2');
    expect([v6.host, v6.port, v6.branch]).toEqual(['[2001:db8::1]', 5070, 'z9hG4bK2']);
    expect(Via.parse('SIP/3.0/SCTP h').toString()).toBe('SIP/3.0/SCTP h');
  });

  it('Via.parse checks the parameters at once; Via.parseAt leaves them for the first read', () => {
    expect(() => Via.parse('SIP/2.0/UDP h;;branch=z9hG4bK1')).toThrow(/empty Via parameter/);
    const text = 'SIP/2.0/UDP h;;branch=z9hG4bK1, SIP/2.0/UDP g';
    const v = Via.parseAt(text, 0, text.indexOf(','));
    expect(v.host).toBe('h');
    expect(() => v.branch).toThrow(SipParseError);
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
