/**
 * Throughput of Portier's SIP message layer, side by side in one run with the npm
 * `sip` package. Two workloads, each printed with its own ratio:
 *
 * 1. parse + serialize of received messages: parse, read the structured headers
 *    (Via list, From, To, CSeq, Call-ID, Contact list — the `sip` package structures
 *    these in its parse as well), serialize to wire bytes. Portier copies the lines of
 *    a parsed message that did not change, so for an unchanged message this is mostly
 *    parsing plus one copy.
 * 2. build + serialize of messages made in code (an INVITE with SDP, a REGISTER with
 *    credentials): Portier from its typed values (SipUri, Via, NameAddr, Parameters,
 *    serializeDigestAuthorization) through SipRequest.create + serialize(), the `sip`
 *    package from the equivalent object through stringify(). Nothing can be copied here:
 *    every line is encoded from text.
 *
 * Each round times both sides back to back; the ratio printed is the median of the
 * per-round ratios (21 paired rounds by default), which holds up better on a busy machine than a ratio of medians.
 * Usage: npm run bench   (or: node --import tsx scripts/bench-sip-parse.ts [rounds])
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { serializeDigestAuthorization } from '../src/sip/auth/digest-response.js';
import { NameAddr, Parameters, parseMessage, SipRequest, SipUri, Via } from '../src/sip/messages/index.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sipPackage = require('sip') as { parse(s: Buffer | string): unknown; stringify(m: unknown): string };

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const sdp = 'v=0\no=portier 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 40000 RTP/AVP 0 8 101\na=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na=ptime:20\na=sendrecv\n';

export const CORPUS: Record<string, Buffer> = {
  register: crlf(`REGISTER sip:pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK4b43c2ff8.1
Max-Forwards: 70
From: "Door" <sip:door@pbx.example.com>;tag=1928301774
To: "Door" <sip:door@pbx.example.com>
Call-ID: a84b4c76e66710@192.0.2.10
CSeq: 3 REGISTER
Contact: <sip:door@192.0.2.10:5060;transport=udp>;expires=600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"
Authorization: Digest username="door", realm="pbx.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:pbx.example.com", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"
Expires: 600
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK
Supported: replaces, 100rel, timer
User-Agent: Portier/0.1.0
Content-Length: 0

`),
  invite: crlf(`INVITE sip:flat12@pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: "Flat 12" <sip:flat12@pbx.example.com>
From: "Front door" <sip:door@pbx.example.com>;tag=1928301774
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 INVITE
Contact: <sip:door@192.0.2.10:5060>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK
Supported: replaces, 100rel, timer
Session-Expires: 1800
Min-SE: 90
User-Agent: Portier/0.1.0
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(sdp.replace(/\n/g, '\r\n'))}

${sdp}`),
  ok200: crlf(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2d4790.1;received=192.0.2.1
Via: SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK776asdhds;received=192.0.2.10
Record-Route: <sip:192.0.2.1;lr;ftag=1928301774>
To: "Flat 12" <sip:flat12@pbx.example.com>;tag=a6c85cf
From: "Front door" <sip:door@pbx.example.com>;tag=1928301774
Call-ID: 3848276298220188511@192.0.2.10
CSeq: 1 INVITE
Contact: <sip:flat12@192.0.2.4:5062>
Content-Type: application/sdp
Content-Length: ${Buffer.byteLength(sdp.replace(/\n/g, '\r\n'))}

${sdp}`),
  challenge401: crlf(`SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 192.0.2.10:5060;rport=5060;branch=z9hG4bK4b43c2ff8.1;received=192.0.2.10
From: "Door" <sip:door@pbx.example.com>;tag=1928301774
To: "Door" <sip:door@pbx.example.com>;tag=5f8c9a2e7b3d1
Call-ID: a84b4c76e66710@192.0.2.10
CSeq: 2 REGISTER
WWW-Authenticate: Digest realm="pbx.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop="auth", algorithm=MD5, stale=FALSE
Server: kamailio (5.6.3 (x86_64/linux))
Content-Length: 0

`),
};

/** Portier: parse, read the structured headers, serialize. */
function portierRound(msgs: Buffer[]): number {
  let sink = 0;
  for (const b of msgs) {
    const m = parseMessage(b);
    sink += m.vias.length + m.from.params.size + m.to.params.size + m.cseq.seq + m.callId.length + m.contacts.length;
    sink += m.serialize().length;
  }
  return sink;
}

/** The `sip` package: its parse already structures Via, From, To, CSeq, Contact. */
function sipPackageRound(msgs: Buffer[]): number {
  let sink = 0;
  for (const b of msgs) {
    const m = sipPackage.parse(b) as { headers: Record<string, unknown> };
    const h = m.headers as { via: unknown[]; from: { params: object }; to: { params: object }; cseq: { seq: number }; 'call-id': string; contact?: unknown[] };
    sink += h.via.length + Object.keys(h.from.params).length + Object.keys(h.to.params).length + h.cseq.seq + h['call-id'].length + (h.contact?.length ?? 0);
    // Wire bytes, as Portier's serialize() returns them: the package's own UDP transport
    // sends `Buffer.from(stringify(m), 'binary')` (sip.js, makeUdpTransport).
    sink += Buffer.from(sipPackage.stringify(m), 'binary').length;
  }
  return sink;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK';
const SUPPORTED = 'replaces, 100rel, timer';
const USER_AGENT = 'Portier/0.1.0';
const SDP = sdp.replace(/\n/g, '\r\n');
const INSTANCE = '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"';

/** Portier: an INVITE with SDP and a REGISTER with credentials, built from typed values and serialized. */
function portierBuild(): [Buffer, Buffer] {
  const invite = SipRequest.create({
    method: 'INVITE',
    uri: new SipUri({ user: 'flat12', host: 'pbx.example.com' }),
    headers: [
      ['Via', new Via({ transport: 'UDP', host: '192.0.2.10', port: 5060, params: new Parameters([['rport', null], ['branch', 'z9hG4bK776asdhds']]) }).toString()],
      ['Max-Forwards', '70'],
      ['To', new NameAddr(new SipUri({ user: 'flat12', host: 'pbx.example.com' }), 'Flat 12').toString()],
      ['From', new NameAddr(new SipUri({ user: 'door', host: 'pbx.example.com' }), 'Front door', new Parameters([['tag', '1928301774']])).toString()],
      ['Call-ID', '3848276298220188511@192.0.2.10'],
      ['CSeq', `${1} INVITE`],
      ['Contact', new NameAddr(new SipUri({ user: 'door', host: '192.0.2.10', port: 5060 })).toString()],
      ['Allow', ALLOW],
      ['Supported', SUPPORTED],
      ['Session-Expires', String(1800)],
      ['Min-SE', String(90)],
      ['User-Agent', USER_AGENT],
      ['Content-Type', 'application/sdp'],
    ],
    body: SDP,
  });
  const register = SipRequest.create({
    method: 'REGISTER',
    uri: new SipUri({ host: 'pbx.example.com' }),
    headers: [
      ['Via', new Via({ transport: 'UDP', host: '192.0.2.10', port: 5060, params: new Parameters([['rport', null], ['branch', 'z9hG4bK4b43c2ff8.1']]) }).toString()],
      ['Max-Forwards', '70'],
      ['From', new NameAddr(new SipUri({ user: 'door', host: 'pbx.example.com' }), 'Door', new Parameters([['tag', '1928301774']])).toString()],
      ['To', new NameAddr(new SipUri({ user: 'door', host: 'pbx.example.com' }), 'Door').toString()],
      ['Call-ID', 'a84b4c76e66710@192.0.2.10'],
      ['CSeq', `${3} REGISTER`],
      [
        'Contact',
        new NameAddr(
          new SipUri({ user: 'door', host: '192.0.2.10', port: 5060, params: new Parameters([['transport', 'udp']]) }),
          undefined,
          new Parameters([['expires', String(600)], ['+sip.instance', INSTANCE]]),
        ).toString(),
      ],
      [
        'Authorization',
        serializeDigestAuthorization({
          username: 'door',
          realm: 'pbx.example.com',
          nonce: 'ea9c8e88df84f1cec4341ae6cbe5a359',
          uri: 'sip:pbx.example.com',
          response: 'dfe56131d1958046689d83306477ecc',
          algorithm: 'MD5',
          cnonce: '0a4f113b',
          qop: 'auth',
          nc: 1,
        }),
      ],
      ['Expires', String(600)],
      ['Allow', ALLOW],
      ['Supported', SUPPORTED],
      ['User-Agent', USER_AGENT],
    ],
  });
  return [invite.serialize(), register.serialize()];
}

/** The `sip` package: the same two messages as its objects, stringified to wire bytes (as its UDP transport sends them). */
function sipPackageBuild(): [Buffer, Buffer] {
  const invite = {
    method: 'INVITE',
    uri: 'sip:flat12@pbx.example.com',
    version: '2.0',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '192.0.2.10', port: 5060, params: { rport: null, branch: 'z9hG4bK776asdhds' } }],
      'max-forwards': 70,
      to: { name: '"Flat 12"', uri: 'sip:flat12@pbx.example.com', params: {} },
      from: { name: '"Front door"', uri: 'sip:door@pbx.example.com', params: { tag: '1928301774' } },
      'call-id': '3848276298220188511@192.0.2.10',
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: 'sip:door@192.0.2.10:5060', params: {} }],
      allow: ALLOW,
      supported: SUPPORTED,
      'session-expires': 1800,
      'min-se': 90,
      'user-agent': USER_AGENT,
      'content-type': 'application/sdp',
    },
    content: SDP,
  };
  const register = {
    method: 'REGISTER',
    uri: 'sip:pbx.example.com',
    version: '2.0',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '192.0.2.10', port: 5060, params: { rport: null, branch: 'z9hG4bK4b43c2ff8.1' } }],
      'max-forwards': 70,
      from: { name: '"Door"', uri: 'sip:door@pbx.example.com', params: { tag: '1928301774' } },
      to: { name: '"Door"', uri: 'sip:door@pbx.example.com', params: {} },
      'call-id': 'a84b4c76e66710@192.0.2.10',
      cseq: { seq: 3, method: 'REGISTER' },
      contact: [{ uri: 'sip:door@192.0.2.10:5060;transport=udp', params: { expires: 600, '+sip.instance': INSTANCE } }],
      authorization: [
        {
          scheme: 'Digest',
          username: '"door"',
          realm: '"pbx.example.com"',
          nonce: '"ea9c8e88df84f1cec4341ae6cbe5a359"',
          uri: '"sip:pbx.example.com"',
          response: '"dfe56131d1958046689d83306477ecc"',
          algorithm: 'MD5',
          cnonce: '"0a4f113b"',
          qop: 'auth',
          nc: '00000001',
        },
      ],
      expires: 600,
      allow: ALLOW,
      supported: SUPPORTED,
      'user-agent': USER_AGENT,
    },
  };
  return [Buffer.from(sipPackage.stringify(invite), 'binary'), Buffer.from(sipPackage.stringify(register), 'binary')];
}

/** Both sides must build the same messages: same header names, From, Contacts and body, both parseable by Portier. */
function checkBuiltAlike(): void {
  const shape = (wire: Buffer) => {
    const m = parseMessage(wire);
    return JSON.stringify([m.headers.map((h) => h.name.toLowerCase()).sort(), m.from.toString(), m.contacts.map(String), m.cseq, m.body.toString('latin1')]);
  };
  const ours = portierBuild();
  const theirs = sipPackageBuild();
  for (let i = 0; i < ours.length; i++) {
    if (shape(ours[i]!) !== shape(theirs[i]!)) throw new Error(`built messages differ:\n${shape(ours[i]!)}\n${shape(theirs[i]!)}`);
  }
}

/** Messages per second of `fn` (which handles `count` messages per call) over about `ms` milliseconds. */
function measure(fn: () => number, count: number, ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    sink += fn();
    n += count;
  }
  if (sink === 0) throw new Error('nothing measured');
  return n / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Times both sides back to back, round after round (alternating which goes first), after a warm-up. */
function compare(ours: () => number, theirs: () => number, count: number, rounds: number): { ours: number; theirs: number; ratio: number } {
  for (let i = 0; i < 3; i++) {
    measure(ours, count, 150);
    measure(theirs, count, 150);
  }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let x: number;
    let y: number;
    if (r % 2 === 0) {
      x = measure(ours, count, 300);
      y = measure(theirs, count, 300);
    } else {
      y = measure(theirs, count, 300);
      x = measure(ours, count, 300);
    }
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { ours: median(a), theirs: median(b), ratio: median(ratios) };
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 21);
  const msgs = Object.values(CORPUS);
  // Both must understand the corpus, and build alike, before anything is timed.
  portierRound(msgs);
  sipPackageRound(msgs);
  checkBuiltAlike();
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const parsed = compare(() => portierRound(msgs), () => sipPackageRound(msgs), msgs.length, rounds);
  const built = compare(
    () => portierBuild().reduce((s, m) => s + m.length, 0),
    () => sipPackageBuild().reduce((s, m) => s + m.length, 0),
    2,
    rounds,
  );
  console.log(`corpus: ${Object.keys(CORPUS).join(', ')} (${msgs.reduce((s, m) => s + m.length, 0)} bytes); built: INVITE with SDP, REGISTER with Authorization; ${rounds} rounds, medians`);
  console.log(`parse+serialize  portier ${fmt(parsed.ours)} msg/s, sip (npm) ${fmt(parsed.theirs)} msg/s, ratio ${parsed.ratio.toFixed(2)}x (target >= 5x)`);
  console.log(`build+serialize  portier ${fmt(built.ours)} msg/s, sip (npm) ${fmt(built.theirs)} msg/s, ratio ${built.ratio.toFixed(2)}x (messages made in code: nothing to copy)`);
}

main();
