import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage, SipRequest, SipResponse, SipUri, Parameters, parseUri, uriEquals } from '../../../src/sip/messages/index.js';

const tokenChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~';
const token = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 12 });
const label = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 10 });
const hostname = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc.ipV6().map((a) => `[${a}]`);
const host = fc.oneof(hostname, ipv4, ipv6);
const user = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.!~*+$,;?/&='), minLength: 1, maxLength: 12 });
const paramName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 8 });
// RFC 3261 §19.1.1: a parameter name appears at most once (with duplicates, equality is ill-defined).
const params = fc.uniqueArray(fc.tuple(paramName, fc.option(label, { nil: null })), { maxLength: 4, selector: ([name]) => name.toLowerCase() });

const sipUri = fc
  .record({ scheme: fc.constantFrom('sip' as const, 'sips' as const), user: fc.option(user, { nil: undefined }), host, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), params })
  .map((r) => new SipUri({ scheme: r.scheme, user: r.user, host: r.host, port: r.port, params: new Parameters(r.params) }));

// Header values: printable text without CR/LF, trimmed (values are stored trimmed).
const headerValue = fc.string({ unit: fc.constantFrom(...'abcdefghij XYZ0123456789;=,<>"@:/.-_'.split('')), maxLength: 40 }).map((s) => s.trim());
const extraHeaders = fc.array(fc.tuple(token.map((t) => 'X-' + t), headerValue), { maxLength: 8 });
const body = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));

function mandatory(method: string, toUri: SipUri, seq: number): Array<[string, string]> {
  return [
    ['Via', `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK${seq}`],
    ['From', `<sip:caller@example.com>;tag=${seq}`],
    ['To', `<${toUri.toString()}>`],
    ['Call-ID', `call-${seq}`],
    ['CSeq', `${seq} ${method}`],
  ];
}

describe('parse/serialize properties', () => {
  it('URIs survive toString → parse with equality (RFC 3261 §19.1.4)', () => {
    fc.assert(
      fc.property(sipUri, (u) => {
        const back = parseUri(u.toString());
        expect(back.toString()).toBe(u.toString());
        expect(uriEquals(back, u)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('requests: parse(serialize(m)) keeps method, URI, headers and body bytes', () => {
    fc.assert(
      fc.property(token.map((t) => t.toUpperCase()), sipUri, fc.integer({ min: 0, max: 2 ** 31 - 1 }), extraHeaders, body, (method, uri, seq, extra, b) => {
        const m = SipRequest.create({ method, uri, headers: [...mandatory(method, uri, seq), ...extra], body: b });
        const wire = m.serialize();
        const back = parseMessage(wire) as SipRequest;
        expect(back.method).toBe(method);
        expect(back.uri.toString()).toBe(uri.toString());
        expect(back.cseq).toEqual({ seq, method });
        expect(back.body.equals(b)).toBe(true);
        for (const [name, value] of extra) expect(back.getHeaders(name)).toContain(value);
        expect(back.serialize().equals(wire)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('responses: status, reason and body survive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 699 }), fc.string({ unit: fc.constantFrom(...'abc XYZ-é'.split('')), maxLength: 20 }).map((s) => s.trim()), body, (status, reason, b) => {
        const uri = new SipUri({ host: 'example.com', user: 'u' });
        const r = SipResponse.create({ status, reason, headers: mandatory('INVITE', uri, 1), body: b });
        const back = parseMessage(r.serialize()) as SipResponse;
        expect(back.status).toBe(status);
        expect(back.reason).toBe(reason);
        expect(back.body.equals(b)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
