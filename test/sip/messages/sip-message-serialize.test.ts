import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  headerKey,
  isRequest,
  parseMessage,
  SipRequest,
  SipResponse,
  SipUri,
  Via,
  type SipMessageAny,
} from '../../../src/sip/messages/index.js';
import { TORTURE, wire } from './torture-messages.js';

// A parsed message copies its unchanged lines from the received bytes on serialize();
// everything here checks that the bytes are exactly those of the same logical message
// built afresh in code (where every line is encoded from its text), whatever changed.

/** The same logical message, built in code: nothing of it can be copied from a source. */
function fresh(m: SipMessageAny): Buffer {
  const headers = m.headers.map((h): [string, string] => [h.name, h.value]);
  const body = Buffer.from(m.body);
  const built = isRequest(m)
    ? SipRequest.create({ method: m.method, uri: m.uri.clone(), headers, body })
    : SipResponse.create({ status: m.status, reason: m.reason, headers, body });
  return Buffer.from(built.serialize());
}

function expectSame(m: SipMessageAny, compareTypedViews = true): Buffer {
  const out = Buffer.from(m.serialize());
  expect(out.toString('latin1')).toBe(fresh(m).toString('latin1'));
  // And the bytes mean what the message says: its fields, with one Content-Length stating the body length.
  const expected: Array<[string, string]> = [];
  let sawLength = false;
  for (const h of m.headers) {
    if (headerKey(h.name) !== 'content-length') expected.push([h.name, h.value]);
    else if (!sawLength) {
      sawLength = true;
      expected.push([h.name, String(m.body.length)]);
    }
  }
  if (!sawLength) expected.push(['Content-Length', String(m.body.length)]);
  const back = parseMessage(out);
  expect(back.headers.map((h) => [h.name, h.value])).toEqual(expected);
  expect(back.body.equals(m.body)).toBe(true);
  // The typed views of the changed message agree with those of its bytes parsed afresh.
  const typed = (x: SipMessageAny) => [
    x.vias.map(String), x.from.toString(), x.to.toString(), x.callId, x.cseq, x.contacts.map(String), x.maxForwards, x.getHeaders('via'),
  ];
  if (compareTypedViews) expect(typed(m)).toEqual(typed(back));
  expect(back.contentLength).toBe(m.body.length);
  return out;
}

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

const INVITE = crlf(`INVITE sip:flat12@pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK776asdhds
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2d4790.1, SIP/2.0/TCP 192.0.2.2;branch=z9hG4bKx
Max-Forwards: 70
To: "Flat 12" <sip:flat12@pbx.example.com>
From: "Front door" <sip:door@pbx.example.com>;tag=1928301774
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 INVITE
Contact: <sip:door@192.0.2.10:5060>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(SDP)}

`);
const INVITE_WIRE = Buffer.concat([INVITE, Buffer.from(SDP)]);

const OK = crlf(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK776asdhds;received=192.0.2.10
To: "Flat 12" <sip:flat12@pbx.example.com>;tag=a6c85cf
From: "Front door" <sip:door@pbx.example.com>;tag=1928301774
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 INVITE
Contact: <sip:flat12@192.0.2.4:5062>
Content-Length: 0

`);

/**
 * A parsed table has room for 16 fields before its lists grow (HeaderTable): messages
 * with 15, 16, 17 and 24 fields put the room's end before, at and after each change.
 */
const LONG = [8, 9, 10, 17].map((extra) => {
  const lines = Array.from({ length: extra }, (_, k) => `X-Extra-${k}: ${k}`).join('\n');
  return crlf(OK.toString('latin1').replace('Content-Length: 0', `${lines}\nContent-Length: 0`));
});

/** Every valid message we have: canonical ones, and torture cases full of odd spacing, folding, compact forms. */
const SOURCES: Buffer[] = [INVITE_WIRE, OK, ...LONG, ...TORTURE.filter((t) => t.valid).map(wire)];

describe('serialize of a parsed message', () => {
  it('gives back a canonical message byte for byte', () => {
    expect(parseMessage(INVITE_WIRE).serialize().equals(INVITE_WIRE)).toBe(true);
    expect(parseMessage(OK).serialize().equals(OK)).toBe(true);
    for (const long of LONG) {
      const m = parseMessage(long);
      expect(m.serialize().equals(long)).toBe(true);
      expect(m.headers.map((h) => h.name)).toEqual(long.toString('latin1').split('\r\n').slice(1, -2).map((l) => l.slice(0, l.indexOf(':'))));
      // The last extra field (past the room in the longest) reads back, and Content-Length after it is found by its slot.
      const extras = m.headers.length - 7;
      expect(m.getHeader(`x-extra-${extras - 1}`)).toBe(String(extras - 1));
      expect(m.contentLength).toBe(0);
    }
  });

  it('writes odd input (spacing, folding, bare LF, compact names, leading CRLF, UTF-8, cut bodies) exactly as a fresh encoding would', () => {
    for (const src of SOURCES) expectSame(parseMessage(src));
  });

  it('copies an unchanged message whole only when its source is exactly what serialize would write', () => {
    const wire = INVITE_WIRE.toString('latin1');
    // Bytes beyond Content-Length are dropped (RFC 3261 §18.3), so the copy ends at the body's end.
    const trailing = parseMessage(Buffer.concat([INVITE_WIRE, Buffer.from('garbage')]));
    expect(trailing.serialize().equals(INVITE_WIRE)).toBe(true);
    // A second Content-Length line is not written: the source cannot be copied as one piece.
    const twice = parseMessage(Buffer.from(wire.replace('Content-Length:', 'Content-Length: ' + Buffer.byteLength(SDP) + '\r\nContent-Length:'), 'latin1'));
    expect(twice.getHeaders('content-length')).toHaveLength(2);
    expect(expectSame(twice).equals(INVITE_WIRE)).toBe(true);
    // The empty line as a bare LF: written as CRLF.
    const bareLf = parseMessage(Buffer.from(wire.replace('\r\n\r\n', '\r\n\n'), 'latin1'));
    expect(expectSame(bareLf).equals(INVITE_WIRE)).toBe(true);
    // One changed header: the rest still copied, that line written anew.
    const changed = parseMessage(INVITE_WIRE).setHeader('Max-Forwards', '69');
    expect(expectSame(changed).toString('latin1')).toBe(wire.replace('Max-Forwards: 70', 'Max-Forwards: 69'));
  });

  it('encodes lines with an invalid UTF-8 byte afresh instead of copying the raw byte', () => {
    const text = INVITE.toString('latin1').replace('Front door', 'Front \xffdoor');
    const m = parseMessage(Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(SDP)]));
    expect(m.from.displayName).toBe('Front \ufffddoor');
    const out = expectSame(m);
    expect(out.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(true);
  });

  it('rewrites a Content-Length that does not state the body length as serialize would write it', () => {
    const padded = Buffer.from(INVITE_WIRE.toString('latin1').replace(/Content-Length: (\d+)/, 'Content-Length: 0$1'), 'latin1');
    const m = parseMessage(padded);
    expect(m.getHeader('content-length')).toMatch(/^0\d+$/);
    const out = expectSame(m);
    expect(out.toString()).toContain(`\r\nContent-Length: ${Buffer.byteLength(SDP)}\r\n`);
    // A second Content-Length line is dropped, as a fresh encoding drops it.
    const twice = parseMessage(Buffer.from(OK.toString().replace('Content-Length: 0', 'Content-Length: 0\r\nl: 0')));
    expect(expectSame(twice).toString().match(/Content-Length|\r\nl:/g)).toHaveLength(1);
  });
});

/** One change through the public API; each returns a label for failure messages. */
type Mutation = (m: SipMessageAny) => string;

const MUTATIONS: Mutation[] = [
  () => 'nothing',
  (m) => (m.setHeader('Max-Forwards', '69'), 'setHeader existing'),
  (m) => (m.setHeader('X-New', 'a, b'), 'setHeader new'),
  (m) => (m.setHeader('Via', 'SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKset'), 'setHeader over several Via lines'),
  (m) => (m.appendHeader('X-Tail', 'zz'), 'appendHeader'),
  (m) => (m.prependHeader('Record-Route', '<sip:p.example.com;lr>'), 'prependHeader'),
  (m) => (m.removeHeader('Contact'), 'removeHeader'),
  (m) => (m.removeHeader('max-forwards'), 'removeHeader by another spelling'),
  (m) => (m.removeHeader('Content-Length'), 'remove Content-Length'),
  (m) => (m.setHeader('Content-Length', '12345'), 'set a wrong Content-Length'),
  (m) => (m.setHeader('l', String(m.body.length)), 'set Content-Length by compact name'),
  (m) => {
    // A typed object obtained from a getter, changed, then written back.
    const top = m.topVia;
    if (top === undefined) return 'no Via left';
    top.received = '203.0.113.7';
    top.rport = 5070;
    m.setTopVia(top);
    return 'setTopVia from the getter';
  },
  (m) => (m.setTopVia(new Via({ transport: 'TCP', host: 'relay.example.com', port: 5061, params: undefined })), 'setTopVia new'),
  (m) => (m.vias.length > 1 ? (m.removeTopVia(), 'removeTopVia') : 'only one Via'),
  (m) => {
    const from = m.from.clone();
    from.params.set('tag', 'changed');
    m.setHeader('From', from.toString());
    return 'From from the getter written back';
  },
  (m) => {
    const contacts = m.contacts.map((c) => c.clone());
    for (const c of contacts) c.params.set('expires', '30');
    if (contacts.length > 0) m.setHeader('Contact', contacts.map((c) => c.toString()).join(', '));
    return 'Contacts written back';
  },
  (m) => ((m.body = Buffer.from('longer body than before, with ünïcode')), 'body assigned longer'),
  (m) => ((m.body = Buffer.alloc(0)), 'body assigned empty'),
  (m) => ((m.body = Buffer.alloc(m.body.length, 0x41)), 'body assigned, same length'),
  (m) => (m.body.fill(0x42), 'body changed in place'),
  (m) => ((m.body = m.body.subarray(0, Math.max(0, m.body.length - 1))), 'body shortened by a view of itself'),
  (m) => {
    if (isRequest(m)) {
      // (CSeq follows, or the result would not parse again.)
      m.method = 'X' + m.method;
      m.setHeader('CSeq', `${m.cseq.seq} ${m.method}`);
    } else m.status = m.status === 200 ? 202 : 200;
    return 'method or status assigned';
  },
  (m) => {
    if (isRequest(m)) m.uri = new SipUri({ host: 'other.example.com', user: 'x' });
    else m.reason = m.reason + ' indeed';
    return 'uri or reason assigned';
  },
  (m) => {
    // The Request-URI changed in place, through the object the getter handed out.
    if (isRequest(m) && m.uri instanceof SipUri) m.uri.host = 'moved.example.com';
    return 'uri changed in place';
  },
  (m) => {
    if (isRequest(m) && m.uri instanceof SipUri) m.uri.params.set('transport', 'tcp');
    return 'uri parameter set in place';
  },
];

describe('every change reaches the wire', () => {
  it('each mutation alone, on every source message', () => {
    for (const src of SOURCES) {
      for (const mutate of MUTATIONS) {
        const m = parseMessage(src);
        const what = mutate(m);
        try {
          expectSame(m);
        } catch (error) {
          throw new Error(`after "${what}" on ${src.toString('latin1', 0, 40)}: ${(error as Error).message}`);
        }
      }
    }
  });

  it('random sequences of mutations, serialized in between', () => {
    fc.assert(
      fc.property(fc.nat(SOURCES.length - 1), fc.array(fc.nat(MUTATIONS.length - 1), { maxLength: 6 }), fc.boolean(), (s, ops, between) => {
        const m = parseMessage(SOURCES[s]!);
        for (const op of ops) {
          MUTATIONS[op]!(m);
          if (between) expectSame(m);
        }
        expectSame(m);
      }),
      { numRuns: 300 },
    );
  });

  it('a clone and its original change independently', () => {
    const m = parseMessage(INVITE_WIRE) as SipRequest;
    const c = m.clone();
    expect(c.serialize().equals(INVITE_WIRE)).toBe(true);
    c.setHeader('Max-Forwards', '1');
    c.body.fill(0x43);
    expect(m.serialize().equals(INVITE_WIRE)).toBe(true);
    expectSame(c);
    expect(c.serialize().toString()).toContain('Max-Forwards: 1\r\n');
    m.appendHeader('X-Only-Original', '1');
    expect(c.hasHeader('X-Only-Original')).toBe(false);
    expectSame(m);
  });
});

describe('the header list cannot be changed behind the message', () => {
  it('hands out frozen fields and a frozen list', () => {
    const m = parseMessage(INVITE_WIRE);
    const headers = m.headers;
    expect(() => {
      (headers[0] as { value: string }).value = 'SIP/2.0/UDP evil;branch=z9hG4bKevil';
    }).toThrow(TypeError);
    expect(() => (headers as Array<{ name: string; value: string }>).push({ name: 'X', value: 'y' })).toThrow(TypeError);
    expect(m.serialize().equals(INVITE_WIRE)).toBe(true);
  });

  it('gives a new snapshot after a change, and the old one stays as it was', () => {
    const m = parseMessage(OK);
    const before = m.headers;
    m.setHeader('CSeq', '2 INVITE');
    expect(before.find((h) => h.name === 'CSeq')!.value).toBe('1 INVITE');
    expect(m.headers.find((h) => h.name === 'CSeq')!.value).toBe('2 INVITE');
  });

  it('leaves typed views that were changed but not written back out of the wire bytes, as for a built message', () => {
    const m = parseMessage(OK);
    m.topVia!.received = '198.51.100.99';
    m.from.params.set('tag', 'x');
    expect(m.serialize().equals(OK)).toBe(true);
    expectSame(m, false);
    // Written back, they count.
    m.setTopVia(m.topVia!);
    expect(m.serialize().toString()).toContain(';received=198.51.100.99\r\n');
  });
});

describe('messages built in code', () => {
  it('serialize as before: every line from its text, Content-Length from the body', () => {
    const r = SipRequest.create({
      method: 'MESSAGE',
      uri: 'sip:a@b.c',
      headers: [['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1'], ['From', '<sip:x@y>;tag=1'], ['To', '<sip:a@b.c>'], ['Call-ID', 'c'], ['CSeq', '1 MESSAGE'], ['Subject', 'Grüße']],
      body: 'hi',
    });
    expect(r.serialize().toString()).toBe(
      'MESSAGE sip:a@b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b.c>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\nSubject: Grüße\r\nContent-Length: 2\r\n\r\nhi',
    );
    const back = parseMessage(r.serialize());
    expect(back.serialize().equals(r.serialize())).toBe(true);
  });
});
