import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCSeq } from '../../../src/sip/messages/cseq.js';
import { cseqAt, nameAddrAt, sipUriAt, viaAt } from '../../../src/sip/messages/header-byte-scanner.js';
import { NameAddr, parseMessage, parseUri, SipParseError, SipRequest, SipUri, Via, type Parameters } from '../../../src/sip/messages/index.js';

// Pieces that make the usual shapes and the unusual ones next to each other, so that
// the byte scanners meet both what they take and what they must leave to the string parsers.
const pick = (...xs: string[]) => fc.constantFrom(...xs);
const junk = (alphabet: string, maxLength = 12) => fc.string({ unit: fc.constantFrom(...alphabet.split('')), maxLength });
/**
 * Generators of header values: mostly the usual shape (`usualWeight` to 1), sometimes
 * an odd one in some part.
 */
function values(usualWeight: number) {
  const usually = (usual: fc.Arbitrary<string>, odd: fc.Arbitrary<string>) => fc.oneof({ arbitrary: usual, weight: usualWeight }, { arbitrary: odd, weight: 1 });
  const paramValue = usually(pick('z9hG4bK776asdhds', '1928301774', '5060', '192.0.2.10', '', 'x,y', 'x=y', 'a>b'), fc.oneof(pick('a b', '"q;x"', '<u>', ' v', 'v '), junk('ab9.=;,"< \t\\-')));
  const paramName = usually(pick('branch', 'rport', 'received', 'tag', 'lr', 'transport', 'x-Y_1', 'TAG', '+sip.instance', '[x]'), fc.oneof(pick('', 'a b', 'a"', 'br<'), junk('az-.;=, "')));
  const param = fc
    .tuple(usually(pick(';'), pick(' ;', '; ', ',', '', ';;')), paramName, fc.option(fc.tuple(usually(pick('='), pick(' =', '= ')), paramValue), { nil: undefined }))
    .map(([sep, name, v]) => sep + name + (v === undefined ? '' : v[0] + v[1]));
  const params = fc.array(param, { maxLength: 4 }).map((p) => p.join(''));
  const host = usually(pick('192.0.2.10', 'pbx.example.com', 'a_b-c.d', 'H0ST'), fc.oneof(pick('[2001:db8::1]', '[::1', 'h st', ''), junk('az09.-_:[]')));
  const port = usually(pick('', ':5060', ':0', ':65535'), fc.oneof(pick(':65536', ':123456', ':', ': 5060', ':50a'), junk(':09 ', 6)));
  const transport = usually(pick('UDP', 'TCP', 'TLS', 'WS', 'SCTP'), pick('udp', 'U-DP', '', 'UDP '));
  const viaValue = usually(
    fc.tuple(usually(pick('SIP/2.0/'), pick('SIP / 2.0 / ', 'sip/2.0/', 'SIP/3.0/', 'SIP/2.0')), transport, usually(pick(' '), pick('  ', '\t')), host, port, params).map((p) => p.join('')),
    junk('SIP/2.0UDP ;=,"<>:.[]\\1a-\t', 40),
  );
  const uri = usually(pick('sip:door@pbx.example.com', 'sips:a@b:5061;transport=tls', 'tel:+4930123', 'SIP:x@y', 'sip:', 'sip:a,b@c', 'x-y+z.1:abc'), fc.oneof(pick('1sip:x', 'sip:a b', 'sip:a"b', 'x', '', 'sip:a>b'), junk('sip:@a.;=<>" ,', 20)));
  const display = usually(pick('', '"Door" ', '"Front door" ', '"x" ', '"" ', '"a<b" ', '"a,b" '), pick('"A \\"B\\"" ', '"a\\" <sip:x@y>;q" ', 'Door ', '"x"', '"unterminated '));
  const nameAddrValue = usually(
    fc.tuple(display, usually(pick('<'), pick('< ', '')), uri, usually(pick('>'), pick(' >', '')), params).map((p) => p.join('')),
    junk('"<>sip:@a;=, \\t', 30),
  );
  const cseqValue = usually(
    fc
      .tuple(
        usually(pick('1', '4711', '0', '2147483647', '01'), pick('2147483648', '4294967295', '99999999999', '', 'x', '-1')),
        usually(pick(' '), pick('  ', '\t', '')),
        usually(pick('INVITE'), pick('REGISTER', 'FOO', 'inv', 'IN VITE', 'IN"V', '', 'ACK ')),
      )
      .map((p) => p.join('')),
    junk('0129 INVITE\t"', 16),
  );
  const requestUri = usually(
    fc
      .tuple(
        usually(pick('sip:', 'sips:'), pick('SIP:', 'tel:', 'sip', 'sip:/')),
        usually(pick('', 'flat12@', 'door@', 'a.b-c_d~!*()&=+$,%41@'), pick('@', 'a:pw@', 'a b@', 'a"b@', 'x;y@', 'a@b@')),
        host,
        port,
        params,
        usually(pick(''), pick('?subject=x', '?', '?a=b&c')),
      )
      .map((p) => p.join('')),
    junk('sip:@a.;=?&[]:9 ', 24),
  );
  const startLine = fc.oneof(
    { arbitrary: fc.tuple(usually(pick('INVITE'), pick('REGISTER', 'FOO', 'inv', 'IN"V', '')), requestUri, usually(pick(' SIP/2.0'), pick('  SIP/2.0', ' SIP/2.1', ' sip/2.0', ' SIP/2.0 ', '\tSIP/2.0'))).map(([m, u, v]) => `${m} ${u}${v}`), weight: 2 },
    { arbitrary: usually(pick('SIP/2.0 200 OK', 'SIP/2.0 180 Ringing', 'SIP/2.0 401 Unauthorized', 'SIP/2.0 200 ', 'SIP/2.0 699 x y'), pick('SIP/2.0 200', 'SIP/2.0 099 x', 'SIP/2.0 700 x', 'SIP/2.0 20 OK', 'SIP/2.0 200\tOK', 'SIP/2.1 200 OK', 'SIP/2.0  200 OK', 'SIP/2.0 2x0 OK')), weight: 1 },
  );
  return { viaValue, nameAddrValue, cseqValue, requestUri, startLine };
}

const { viaValue, nameAddrValue, cseqValue, requestUri } = values(5);

/** What a Parameters list holds, or the error its first read throws. */
function paramsShape(p: Parameters): unknown {
  try {
    return [p.entries(), p.toString()];
  } catch (error) {
    return ['error', (error as SipParseError).reason];
  }
}

function viaShape(v: Via): unknown {
  return [v.protocol, v.transport, v.host, v.port, paramsShape(v.params)];
}

function nameAddrShape(a: NameAddr): unknown {
  let uri: unknown;
  try {
    uri = a.uri.toString();
  } catch (error) {
    uri = ['error', (error as SipParseError).reason];
  }
  return [a.displayName, uri, paramsShape(a.params)];
}

/** The value as bytes and text, with the offsets the scanners take (the value placed after a prefix, as in a head). */
function placed(value: string): { b: Buffer; text: string; base: number; s: number; e: number } {
  const prefix = 'X: ';
  const text = prefix + value;
  return { b: Buffer.from('\r\n' + text, 'latin1'), text, base: 2, s: 2 + prefix.length, e: 2 + text.length };
}

function attempt<T>(f: () => T): { value: T } | { error: string } {
  try {
    return { value: f() };
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    return { error: error.reason };
  }
}

describe('header byte scanners agree with the string parsers', () => {
  it('viaAt: whatever it takes, Via.parseAt takes the same way (cut parameters as a checked read would give)', () => {
    let taken = 0;
    fc.assert(
      fc.property(viaValue, fc.boolean(), (value, cut) => {
        const { b, text, base, s, e } = placed(value);
        const quick = viaAt(b, text, base, s, e, cut);
        if (quick === undefined) return;
        taken++;
        // The byte scanner stops at the item's end; the string parser is given the same item.
        const slow = Via.parseAt(value, 0, value.indexOf(',') >= 0 && !/["<]/.test(value.slice(0, value.indexOf(','))) ? value.indexOf(',') : value.length);
        expect(viaShape(quick)).toEqual(viaShape(slow));
        if (cut) expect(() => slow.params.check()).not.toThrow();
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('nameAddrAt (From/To form): whatever it takes, NameAddr.parseLazy takes the same way, and its parameters check', () => {
    let taken = 0;
    fc.assert(
      fc.property(nameAddrValue, (value) => {
        const { b, text, base, s, e } = placed(value.trim());
        const quick = nameAddrAt(b, text, base, s, e, false);
        const slow = attempt(() => NameAddr.parseLazy(value, 0, value.length));
        if (quick === undefined) return;
        taken++;
        expect('value' in slow).toBe(true);
        if ('value' in slow) {
          expect(nameAddrShape(quick)).toEqual(nameAddrShape(slow.value));
          expect(() => slow.value.params.check()).not.toThrow();
        }
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('sipUriAt: whatever it takes, parseUri takes the same way (parameters checked)', () => {
    const shape = (u: SipUri) => [u.scheme, u.user, u.password, u.host, u.port, paramsShape(u.params), paramsShape(u.headers), u.toString()];
    let taken = 0;
    fc.assert(
      fc.property(requestUri, (value) => {
        const { b, text, base, s, e } = placed(value);
        const quick = sipUriAt(b, text, base, s, e);
        if (quick === undefined) return;
        taken++;
        const slow = parseUri(value);
        expect(slow).toBeInstanceOf(SipUri);
        expect(shape(quick)).toEqual(shape(slow as SipUri));
        // What it takes encodes back to the same text (the request line is then copied while its parts are unchanged).
        expect(quick.toString()).toBe(value);
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('cseqAt: whatever it takes, parseCSeq takes the same way', () => {
    let taken = 0;
    fc.assert(
      fc.property(cseqValue, (value) => {
        const { b, text, base, s, e } = placed(value.trim());
        const quick = cseqAt(b, text, base, s, e);
        if (quick === undefined) return;
        taken++;
        expect(attempt(() => parseCSeq(value))).toEqual({ value: quick });
      }),
      { numRuns: 2000 },
    );
    expect(taken).toBeGreaterThan(50);
  });
});

/** What a parsed message gives for the headers the scanners read, or the parse error. */
function messageShape(wire: Buffer): unknown {
  let m;
  try {
    m = parseMessage(wire);
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    return ['parse error', error.reason, error.status, error.request !== undefined];
  }
  const read = (f: () => unknown) => {
    const r = attempt(f);
    return 'value' in r ? r.value : ['error', r.error];
  };
  return {
    startLine: m instanceof SipRequest ? [m.method, m.uri.toString(), m.startLine()] : [m.status, m.reason, m.startLine()],
    serialized: m.serialize().toString('latin1').split('\r\n\r\n')[0],
    headers: m.headers.map((h) => [h.name, h.value]),
    topVia: read(() => viaShape(m.topVia!)),
    vias: read(() => m.vias.map(viaShape)),
    from: read(() => nameAddrShape(m.from)),
    to: read(() => nameAddrShape(m.to)),
    cseq: read(() => m.cseq),
    contacts: read(() => m.contacts.map(nameAddrShape)),
    wildcard: read(() => m.isWildcardContact),
    routes: read(() => m.recordRoutes.map(nameAddrShape)),
  };
}

/**
 * The same head parsed twice: once all ASCII (the byte scanners read it), once with a
 * multi-byte UTF-8 character in the body, which makes the parser cut the head out of
 * the bytes and read every value as a string (the general parsers only).
 */
function bothWays(head: string): [unknown, unknown] {
  const ascii = Buffer.from(`${head}Content-Length: 2\r\n\r\nxy`, 'latin1');
  const utf8 = Buffer.from(`${head}Content-Length: 2\r\n\r\né`, 'utf8');
  return [messageShape(ascii), messageShape(utf8)];
}

describe('parsed messages read the same through the byte scanners and the string parsers', () => {
  // Rarer odd parts here: most messages must get past the parse-time checks.
  const { viaValue, nameAddrValue, cseqValue, startLine } = values(30);
  const contactList = fc.array(fc.oneof(nameAddrValue, pick('*', '<sip:a@b>;expires=60;+sip.instance="<urn:x>"', '<sip:a@b>,<sip:c@d>')), { minLength: 1, maxLength: 3 });
  const joiner = pick(', ', ',', ' , ', ',\t');
  // How a line joins its name and value: mostly `Name: value`, sometimes odd spacing or a folded line.
  const colon = fc.oneof({ arbitrary: pick(': '), weight: 8 }, { arbitrary: pick(':', ' : ', ':  ', ':\t', ' :', ': \r\n '), weight: 1 });
  const named = (names: string[]) => fc.tuple(fc.oneof({ arbitrary: pick(names[0]!), weight: 5 }, { arbitrary: pick(...names), weight: 1 }), colon).map(([n, c]) => n + c);

  it('requests and responses with generated Via, From, To, CSeq, Contact and Record-Route values', () => {
    let parsed = 0;
    fc.assert(
      fc.property(
        startLine,
        fc.array(viaValue, { minLength: 1, maxLength: 3 }),
        joiner,
        nameAddrValue,
        nameAddrValue,
        cseqValue,
        contactList,
        fc.option(contactList, { nil: undefined }),
        fc.tuple(named(['Via', 'v', 'VIA', 'via']), named(['From', 'f', 'from']), named(['To', 't', 'TO']), named(['CSeq', 'cseq']), named(['Contact', 'm', 'CONTACT'])),
        (start, vias, join, from, to, cseq, contacts, routes, [viaName, fromName, toName, cseqName, contactName]) => {
          // The first two Vias share a line when there are three: list items as well as lines.
          const viaLines = vias.length === 3 ? [`${viaName}${vias[0]}${join}${vias[1]}`, `Via: ${vias[2]}`] : vias.map((v) => `${viaName}${v}`);
          const lines = [start, ...viaLines, `${fromName}${from}`, `${toName}${to}`, 'Call-ID: a84b4c76e66710@192.0.2.10', `${cseqName}${cseq}`, `${contactName}${contacts.join(join)}`];
          if (routes !== undefined) lines.push(`Record-Route: ${routes.join(join)}`);
          const [quick, slow] = bothWays(lines.join('\r\n') + '\r\n');
          expect(quick).toEqual(slow);
          if (!Array.isArray(quick)) parsed++;
        },
      ),
      { numRuns: 1500 },
    );
    // Most messages must get past the parser, or the headers read afterwards would go untested.
    expect(parsed).toBeGreaterThan(500);
  });

  it('the usual shapes are read alike (the corpus messages of the benchmark)', () => {
    const head =
      'SIP/2.0 200 OK\r\n' +
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2d4790.1;received=192.0.2.1\r\n' +
      'Via: SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK776asdhds;received=192.0.2.10, SIP/2.0/TCP [2001:db8::1];branch=z9hG4bKx\r\n' +
      'Record-Route: <sip:192.0.2.1;lr;ftag=1928301774>\r\n' +
      'To: "Flat 12" <sip:flat12@pbx.example.com>;tag=a6c85cf\r\n' +
      'From: "Front door" <sip:door@pbx.example.com>;tag=1928301774\r\n' +
      'Call-ID: 3848276298220188511@192.0.2.10\r\n' +
      'CSeq: 1 INVITE\r\n' +
      'Contact: <sip:flat12@192.0.2.4:5062>;expires=60;+sip.instance="<urn:uuid:0000>", "A, B" <sip:b@c>\r\n';
    const [quick, slow] = bothWays(head);
    expect(quick).toEqual(slow);
    expect((quick as { vias: unknown[] }).vias).toHaveLength(3);
    expect((quick as { contacts: unknown[] }).contacts).toHaveLength(2);
  });
});

describe('numbers read from the bytes at parse time', () => {
  const head = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n';

  it('Content-Length with leading zeros is honoured and written anew without them; others copied', () => {
    for (const [written, body] of [['0', ''], ['00', ''], ['000', ''], ['007', 'abcdefg'], ['7', 'abcdefg'], ['0002', 'ab']] as const) {
      const wire = Buffer.from(`${head}Content-Length: ${written}\r\n\r\n${body}`, 'latin1');
      const m = parseMessage(wire);
      expect(m.body.toString('latin1')).toBe(body);
      const out = m.serialize().toString('latin1');
      expect(out).toContain(`\r\nContent-Length: ${body.length}\r\n\r\n`);
      expect(out === wire.toString('latin1')).toBe(String(body.length) === written);
    }
  });

  it('a bad Content-Length or Max-Forwards is refused as before', () => {
    const bad = (extra: string) => attempt(() => parseMessage(Buffer.from(`${head}${extra}\r\n`, 'latin1')));
    expect(bad('Content-Length: 12345678901\r\n')).toEqual({ error: 'bad Content-Length "12345678901"' });
    expect(bad('Content-Length: 5\r\n')).toEqual({ error: 'Content-Length larger than the body' });
    expect(bad('Content-Length: -1\r\n')).toEqual({ error: 'bad Content-Length "-1"' });
    expect(bad('Max-Forwards: 7x\r\n')).toEqual({ error: 'bad Max-Forwards "7x"' });
    expect(bad('Max-Forwards: \r\n')).toEqual({ error: 'bad Max-Forwards ""' });
    expect('value' in bad('Max-Forwards: 70\r\n')).toBe(true);
  });
});

describe('lines copied on serialization', () => {
  it('a tab after the colon is not copied: a fresh encoding writes one space (regression: `From:\\tx` was copied as it was)', () => {
    const wire = Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom:\t<sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n', 'latin1');
    const out = parseMessage(wire).serialize().toString('latin1');
    expect(out).toContain('\r\nFrom: <sip:a@b>;tag=1\r\n');
    expect(out).toBe(wire.toString('latin1').replace('From:\t', 'From: '));
  });
});

describe('the request line of a parsed request', () => {
  const wire = Buffer.from(
    'INVITE sip:flat12@pbx.example.com:5060;transport=udp SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    'latin1',
  );
  const firstLine = (m: SipRequest) => m.serialize().toString('latin1').split('\r\n')[0];

  it('is copied while the Request-URI is unchanged, and encoded anew after any change to it in place', () => {
    expect(parseMessage(wire).serialize().equals(wire)).toBe(true);
    const changes: Array<[(u: SipUri) => void, string]> = [
      [(u) => (u.host = 'other.example.com'), 'INVITE sip:flat12@other.example.com:5060;transport=udp SIP/2.0'],
      [(u) => (u.user = 'flat13'), 'INVITE sip:flat13@pbx.example.com:5060;transport=udp SIP/2.0'],
      [(u) => (u.port = 5062), 'INVITE sip:flat12@pbx.example.com:5062;transport=udp SIP/2.0'],
      [(u) => (u.port = undefined), 'INVITE sip:flat12@pbx.example.com;transport=udp SIP/2.0'],
      [(u) => (u.scheme = 'sips'), 'INVITE sips:flat12@pbx.example.com:5060;transport=udp SIP/2.0'],
      [(u) => u.params.set('lr'), 'INVITE sip:flat12@pbx.example.com:5060;transport=udp;lr SIP/2.0'],
      [(u) => u.params.delete('transport'), 'INVITE sip:flat12@pbx.example.com:5060 SIP/2.0'],
      [(u) => u.headers.set('subject', 'x'), 'INVITE sip:flat12@pbx.example.com:5060;transport=udp?subject=x SIP/2.0'],
      [(u) => (u.password = 'pw'), 'INVITE sip:flat12:pw@pbx.example.com:5060;transport=udp SIP/2.0'],
    ];
    for (const [change, line] of changes) {
      const m = parseMessage(wire) as SipRequest;
      change(m.uri as SipUri);
      expect(firstLine(m)).toBe(line);
    }
    const replaced = parseMessage(wire) as SipRequest;
    replaced.uri = parseUri('sip:flat12@pbx.example.com:5060;transport=udp');
    expect(replaced.serialize().equals(wire)).toBe(true);
    replaced.uri = parseUri('sip:x@y');
    expect(firstLine(replaced)).toBe('INVITE sip:x@y SIP/2.0');
  });

  it('a port written with a leading zero is left to parseUri and the line encoded anew', () => {
    const m = parseMessage(Buffer.from(wire.toString('latin1').replace(':5060;', ':05060;'), 'latin1')) as SipRequest;
    expect((m.uri as SipUri).port).toBe(5060);
    expect(firstLine(m)).toBe('INVITE sip:flat12@pbx.example.com:5060;transport=udp SIP/2.0');
  });
});
