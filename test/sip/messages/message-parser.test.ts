import { describe, expect, it } from 'vitest';
import {
  createResponse,
  parseMessage,
  SipParseError,
  SipRequest,
  SipResponse,
  Via,
} from '../../../src/sip/messages/index.js';
import { TORTURE, wire } from './torture-messages.js';

describe('torture set (RFC 4475 / RFC 5118 spirit)', () => {
  for (const c of TORTURE.filter((t) => t.valid)) {
    it(`accepts ${c.name}, and parse(serialize(m)) is stable`, () => {
      const m = parseMessage(wire(c));
      const once = m.serialize();
      const again = parseMessage(once).serialize();
      expect(again.equals(once)).toBe(true);
      // Typed access to what every layer reads must work on valid input.
      expect(m.topVia).toBeInstanceOf(Via);
      expect(m.callId.length).toBeGreaterThan(0);
      expect(m.cseq.seq).toBeGreaterThanOrEqual(0);
    });
  }

  for (const c of TORTURE.filter((t) => !t.valid)) {
    it(`rejects ${c.name} with a typed error`, () => {
      let error: unknown;
      try {
        parseMessage(wire(c));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SipParseError);
      const e = error as SipParseError;
      expect(e.code).toBe('SIP_ERR_PARSE');
      if (c.reason) expect(e.reason).toMatch(c.reason);
      if (c.answerable !== undefined) expect(e.request !== undefined).toBe(c.answerable);
      if (c.status !== undefined) expect(e.status).toBe(c.status);
    });
  }
});

describe('parseMessage details', () => {
  const wsinv = TORTURE[0]!;

  it('unfolds, keeps header order and names as written, and finds compact forms', () => {
    const m = parseMessage(wire(wsinv)) as SipRequest;
    expect(m.method).toBe('INVITE');
    expect(m.headers[0]!.name).toBe('TO');
    expect(m.getHeader('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(m.getHeader('subject')).toBe('');
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.to.tag).toBe('1918181833n');
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.from.tag).toBe('98asjd8');
    expect(m.vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    expect(m.contacts[0]!.params.get('q')).toBe('0.33');
    expect(m.routes[0]!.uri.toString()).toBe('sip:services.example.com;lr;unknownwith=value;unknown-no-value');
    expect(m.getHeader('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    expect(m.body.length).toBe(150);
  });

  it('reads Contact lists, wildcard, Expires, Supported and Allow', () => {
    const reg = parseMessage(
      Buffer.from(
        'REGISTER sip:r.example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\nFrom: <sip:u@r.example.com>;tag=1\r\nTo: <sip:u@r.example.com>\r\nCall-ID: r1\r\nCSeq: 2 REGISTER\r\n' +
          'Contact: <sip:u@10.0.0.1>;expires=60, "X" <sip:u@10.0.0.2>\r\nm: <sip:u@10.0.0.3>\r\nExpires: 120\r\nSupported: path, OUTBOUND\r\nk: gruu\r\nAllow: invite, ACK\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    expect(reg.contacts.map((c) => c.uri.toString())).toEqual(['sip:u@10.0.0.1', 'sip:u@10.0.0.2', 'sip:u@10.0.0.3']);
    expect(reg.contacts[0]!.params.get('expires')).toBe('60');
    expect(reg.isWildcardContact).toBe(false);
    expect(reg.expires).toBe(120);
    expect(reg.supported).toEqual(['path', 'outbound', 'gruu']);
    expect(reg.allow).toEqual(['INVITE', 'ACK']);
    reg.setHeader('Contact', '*');
    expect(reg.isWildcardContact).toBe(true);
    expect(reg.contacts).toEqual([]);
  });

  it('enforces size, header-count and line-length limits', () => {
    const big = Buffer.alloc(70_000, 'a');
    expect(() => parseMessage(big)).toThrow(/larger than 65536/);
    const many = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'X-A: 1\r\n'.repeat(300) + '\r\n';
    expect(() => parseMessage(Buffer.from(many))).toThrow(/more than 256 header/);
    const long = 'OPTIONS sip:a@b SIP/2.0\r\nX-Long: ' + 'b'.repeat(9000) + '\r\n\r\n';
    expect(() => parseMessage(Buffer.from(long))).toThrow(/longer than 8192/);
  });

  it('never lets anything but SipParseError escape, whatever the bytes', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const base = wire(TORTURE[0]!);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(rnd() * 8);
      for (let j = 0; j < flips; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        const m = parseMessage(b);
        m.serialize();
      } catch (e) {
        expect(e).toBeInstanceOf(SipParseError);
      }
    }
  });
});

describe('typed views of a parsed message', () => {
  const head = (extra: string) =>
    'REGISTER sip:r.example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\nFrom: <sip:u@r.example.com>;tag=1\r\nTo: <sip:u@r.example.com>\r\nCall-ID: r1\r\nCSeq: 2 REGISTER\r\n' +
    extra;
  const msg = (extra: string, body = '') => parseMessage(Buffer.from(head(extra) + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body));

  it('hands out the checked top Via again as the first of vias', () => {
    const m = msg('v: SIP/2.0/TCP p2.example.com;branch=z9hG4bK2, SIP/2.0/UDP p3.example.com;branch=z9hG4bK3\r\n');
    expect(m.vias[0]).toBe(m.topVia);
    expect(m.vias.map((v) => v.host)).toEqual(['h', 'p2.example.com', 'p3.example.com']);
    m.removeTopVia();
    expect(m.vias.map((v) => v.host)).toEqual(['p2.example.com', 'p3.example.com']);
  });

  it('refuses malformed top-Via and From/To parameters at parse time, other parameters on first read', () => {
    const bad = (from: string, to: string) => head('').replace(from, to) + 'Content-Length: 0\r\n\r\n';
    expect(() => parseMessage(Buffer.from(bad('branch=z9hG4bKr', 'branch=z9hG4bKr;;')))).toThrow(/empty Via parameter/);
    expect(() => parseMessage(Buffer.from(bad(';tag=1', ';tag=1;')))).toThrow(/empty header parameter/);
    const m = msg('Contact: <sip:u@10.0.0.1>;expires=60;;q=1\r\n');
    expect(m.contacts).toHaveLength(1);
    expect(() => m.contacts[0]!.params.get('expires')).toThrow(SipParseError);
  });

  it('leaves a From URI for its first reader, which gets a SipParseError if it is malformed', () => {
    const m = parseMessage(Buffer.from(head('').replace('From: <sip:u@r.example.com>', 'From: <sip:u@bad host>') + 'Content-Length: 0\r\n\r\n'));
    expect(m.from.tag).toBe('1');
    expect(() => m.from.uri).toThrow(SipParseError);
    expect(m.to.uri.toString()).toBe('sip:u@r.example.com');
  });

  it('splits Contact lists at commas outside quotes and <…>, and knows a lone * across fields', () => {
    const m = msg('Contact: "Doe, John" <sip:j@10.0.0.1;x=a,b>;expires=60, <sip:k@10.0.0.2>\r\n');
    expect(m.contacts.map((c) => [c.displayName, c.uri.toString()])).toEqual([
      ['Doe, John', 'sip:j@10.0.0.1;x=a,b'],
      [undefined, 'sip:k@10.0.0.2'],
    ]);
    expect(msg('Contact: *\r\nContact: \r\n').isWildcardContact).toBe(true);
    expect(msg('Contact: *, <sip:k@10.0.0.2>\r\n').isWildcardContact).toBe(false);
  });

  it('finds headers under any spelling, compact form or unknown name', () => {
    const m = msg('X-Custom-Thing: a\r\nSUPPORTED: path\r\nk: gruu\r\nallow-events: presence\r\n');
    expect(m.getHeader('x-custom-thing')).toBe('a');
    expect(m.getHeader('X-CUSTOM-THING')).toBe('a');
    expect(m.getHeaders('Supported')).toEqual(['path', 'gruu']);
    expect(m.getHeader('u')).toBe('presence');
    expect(m.hasHeader('i')).toBe(true);
    expect(m.getHeader('l')).toBe('0');
    expect(m.headers.map((h) => h.name)).toContain('SUPPORTED');
  });

  it('keeps byte offsets right when the head holds UTF-8 or the body non-ASCII bytes', () => {
    const utf8 = parseMessage(Buffer.from(head('').replace('From: <', 'From: "Grüße" <') + 'Content-Length: 5\r\n\r\nhällo'));
    expect(utf8.from.displayName).toBe('Grüße');
    expect(utf8.body.toString()).toBe('häll');
    const bin = Buffer.concat([Buffer.from(head('') + 'Content-Length: 4\r\n\r\n'), Buffer.from([0xff, 0x00, 0xc3, 0x0d])]);
    const m = parseMessage(bin);
    expect([...m.body]).toEqual([0xff, 0x00, 0xc3, 0x0d]);
    expect(m.serialize().equals(bin)).toBe(true);
  });
});

describe('serialize', () => {
  it('writes Content-Length in bytes, not characters', () => {
    const req = SipRequest.create({
      method: 'MESSAGE',
      uri: 'sip:a@b.c',
      headers: [['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1'], ['From', '<sip:x@y>;tag=1'], ['To', '<sip:a@b.c>'], ['Call-ID', 'c'], ['CSeq', '1 MESSAGE'], ['Content-Length', '999']],
      body: 'Grüße',
    });
    const text = req.serialize().toString('utf8');
    expect(text).toContain('Content-Length: 7\r\n');
    expect(text.match(/Content-Length/g)).toHaveLength(1);
    expect(parseMessage(req.serialize()).body.toString()).toBe('Grüße');
  });

  it('adds a Content-Length when missing and keeps a compact one compact', () => {
    const m = parseMessage(wire(TORTURE.find((t) => t.name.startsWith('compact'))!));
    expect(m.serialize().toString()).toMatch(/\r\nl: 5\r\n/);
    const r = SipResponse.create({ status: 200, headers: [['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1']] });
    expect(r.serialize().toString()).toBe('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n');
  });

  it('setTopVia and removeTopVia rewrite combined Via lines', () => {
    const m = parseMessage(wire(TORTURE.find((t) => t.name.startsWith('multiple Via'))!));
    const top = m.topVia!;
    top.received = '192.0.2.9';
    m.setTopVia(top);
    expect(m.getHeaders('via')[0]).toBe('SIP/2.0/UDP p1.example.com;branch=z9hG4bK1;received=192.0.2.9, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2');
    m.removeTopVia();
    expect(m.vias.map((v) => v.branch)).toEqual(['z9hG4bK2', 'z9hG4bK3']);
    m.removeTopVia();
    expect(m.vias.map((v) => v.branch)).toEqual(['z9hG4bK3']);
  });
});

describe('createResponse (RFC 3261 §8.2.6.2)', () => {
  it('copies Via, From, To, Call-ID, CSeq and adds the To tag', () => {
    const req = parseMessage(wire(TORTURE[0]!)) as SipRequest;
    const res = createResponse(req, 486, { toTag: 'ignored-because-present' });
    expect(res.reason).toBe('Busy Here');
    expect(res.getHeaders('via')).toEqual(req.getHeaders('via'));
    expect(res.to.tag).toBe('1918181833n');
    expect(res.callId).toBe(req.callId);
    const opt = parseMessage(wire(TORTURE[1]!)) as SipRequest;
    expect(createResponse(opt, 200, { toTag: 'abc' }).to.tag).toBe('abc');
    expect(createResponse(opt, 100, { toTag: 'abc' }).to.tag).toBeUndefined();
  });

  it('answers a broken but answerable request with the parser reason', () => {
    const bad = TORTURE.find((t) => t.name.startsWith('mismatch01'))!;
    try {
      parseMessage(wire(bad));
      expect.unreachable();
    } catch (e) {
      const err = e as SipParseError;
      const res = createResponse(err.request!, 400, { reason: err.reason });
      const again = parseMessage(res.serialize()) as SipResponse;
      expect(again.status).toBe(400);
      expect(again.reason).toMatch(/does not match/);
      expect(again.callId).toBe('transports.kijh4akdnaqjkwendsasfdj');
    }
  });
});
