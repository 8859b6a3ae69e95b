/**
 * Parse + serialize throughput of Portier's SIP message layer, side by side in one
 * run with the npm `sip` package parsing to the same depth (Via, From, To, CSeq,
 * Call-ID, Contact as structured values). Prints messages/s (median of rounds) and
 * the ratio. Usage: npm run bench   (or: node --import tsx scripts/bench-sip-parse.ts [rounds])
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parseMessage } from '../src/sip/messages/index.js';

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

function measure(fn: (m: Buffer[]) => number, msgs: Buffer[], ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  let t0 = performance.now();
  while (performance.now() < end) {
    fn(msgs);
    n += msgs.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const rounds = Number(process.argv[2] ?? 7);
  const msgs = Object.values(CORPUS);
  // Both must understand the corpus before we time anything.
  portierRound(msgs);
  sipPackageRound(msgs);
  for (let i = 0; i < 3; i++) {
    measure(portierRound, msgs, 200);
    measure(sipPackageRound, msgs, 200);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate so that machine noise hits both alike.
    ours.push(measure(portierRound, msgs, 400));
    theirs.push(measure(sipPackageRound, msgs, 400));
  }
  const a = median(ours);
  const b = median(theirs);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`corpus: ${Object.keys(CORPUS).join(', ')} (${msgs.reduce((s, m) => s + m.length, 0)} bytes), ${rounds} rounds, medians`);
  console.log(`portier     parse+serialize: ${fmt(a)} msg/s`);
  console.log(`sip (npm)   parse+serialize: ${fmt(b)} msg/s`);
  console.log(`ratio portier/sip: ${(a / b).toFixed(2)}x (target >= 5x)`);
}

main();
