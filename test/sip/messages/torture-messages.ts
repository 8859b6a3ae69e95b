/**
 * A torture set in the spirit of RFC 4475 and RFC 5118, written for Portier: each
 * entry is raw wire text (\n is turned into CRLF unless `raw`), with what the parser
 * must make of it.
 */
export interface TortureCase {
  name: string;
  text: string;
  /** Keep line ends exactly as written. */
  raw?: boolean;
  valid: boolean;
  /** For invalid requests: whether the error carries enough to answer with a 400. */
  answerable?: boolean;
  /** For invalid input: a fragment of the expected reason. */
  reason?: RegExp;
  /** For invalid requests: the status to answer with. */
  status?: number;
}

const basic = (extra = '', startLine = 'OPTIONS sip:user@example.com SIP/2.0', cseq = 'OPTIONS') =>
  `${startLine}\nVia: SIP/2.0/UDP host1.example.com;branch=z9hG4bK-t1\nTo: <sip:user@example.com>\nFrom: <sip:caller@example.net>;tag=323\nMax-Forwards: 70\nCall-ID: transports.kijh4akdnaqjkwendsasfdj\nCSeq: 60 ${cseq}\n${extra}Content-Length: 0\n\n`;

export const TORTURE: TortureCase[] = [
  // ---- valid ----
  {
    name: 'wsinv: odd white space, folding and escapes',
    valid: true,
    text:
      'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\n' +
      'TO :\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\n' +
      'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>\n  ;\n  tag = 98asjd8\n' +
      'MaX-fOrWaRdS: 0068\nCall-ID: wsinv.ndaksdj@192.0.2.1\nContent-Length   : 150\ncseq: 0009\n  INVITE\n' +
      'Via  : SIP  /   2.0\n /UDP\n    192.0.2.2;branch=390skdjuw\ns :\nNewFangledHeader:   newfangled value\n continued newfangled value\n' +
      'UnknownHeaderWithUnusualValue: ;;,,;;,;\nContent-Type: application/sdp\n' +
      'Route:\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n' +
      'v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n  branch  =   z9hG4bK9ikj8  ,\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n z9hG4bK30239\n' +
      'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =\n      newvalue ;\n  secondparam ; q = 0.33\n\n' +
      'v=0\no=mhandley 29739 7272939 IN IP4 192.0.2.3\ns=-\nc=IN IP4 192.0.2.4\nt=0 0\nm=audio 49217 RTP/AVP 0 12\nm=video 3227 RTP/AVP 31\na=rtpmap:31 LPC\n',
  },
  { name: 'intmeth: unusual method and tokens', valid: true, text: basic('', 'newmethod sip:user@example.com SIP/2.0', 'newmethod') },
  { name: 'esc01: escaped user and Request-URI', valid: true, text: basic('', 'OPTIONS sip:sips%3Auser%40example.com@example.net SIP/2.0') },
  { name: 'lwsdisp: no space between display name and <', valid: true, text: basic('Contact: caller<sip:caller@example.com;lr>\n') },
  { name: 'semiuri: ; in the user part', valid: true, text: basic('Contact: <sip:user;par=u%40example.net@example.com>\n') },
  { name: 'noreason: status line without a reason phrase', valid: true, text: 'SIP/2.0 100\nVia: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\nCall-ID: noreason.asndj203insdf99223ndf\nCSeq: 35 INVITE\nFrom: <sip:user@example.com>;tag=39ansfi3\nTo: <sip:user@example.edu>;tag=902jndnke3\nContent-Length: 0\n\n' },
  { name: 'unreason: UTF-8 reason phrase', valid: true, text: 'SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое\nVia: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\nCall-ID: unreason.1234ksdfak3j2erwedfsASdf\nCSeq: 35 INVITE\nFrom: sip:user@example.com;tag=11141343\nTo: sip:user@example.edu;tag=2229\nContent-Length: 0\n\n' },
  { name: 'compact forms everywhere', valid: true, text: 'MESSAGE sip:a@b.c SIP/2.0\nv: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKx\nf: <sip:c@d.e>;tag=1\nt: <sip:a@b.c>\ni: abc\nCSeq: 1 MESSAGE\nc: text/plain\nk: 100rel\nl: 5\n\nhello' },
  { name: 'leading CRLFs before the start line', valid: true, text: '\n\n' + basic() },
  { name: 'bare LF line ends', valid: true, raw: true, text: basic().replace(/\r\n/g, '\n') },
  { name: 'RFC 5118 ipv6-good: IPv6 Request-URI and Via', valid: true, text: basic('', 'REGISTER sip:[2001:db8::10] SIP/2.0', 'REGISTER').replace('host1.example.com', '[2001:db8::9:1]:5060') },
  { name: 'RFC 5118 port-ambiguous: [2001:db8::10:5070] is an address, no port', valid: true, text: basic('', 'REGISTER sip:[2001:db8::10:5070] SIP/2.0', 'REGISTER') },
  { name: 'RFC 5118 ipv4-mapped IPv6', valid: true, text: basic('', 'OPTIONS sip:user@[::ffff:192.0.2.10] SIP/2.0') },
  { name: 'multiple Via lines and comma lists', valid: true, text: 'BYE sip:a@b.c SIP/2.0\nVia: SIP/2.0/UDP p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK2\nVia: SIP/2.0/UDP p3.example.com;branch=z9hG4bK3\nFrom: <sip:c@d.e>;tag=1\nTo: <sip:a@b.c>;tag=2\nCall-ID: x\nCSeq: 2 BYE\n\n' },
  { name: 'unknown scheme in the Request-URI (416 is for the TU)', valid: true, text: basic('', 'OPTIONS nobodyknowsthisscheme:totallyopaquecontent SIP/2.0') },
  { name: 'body longer than Content-Length is cut (datagram)', valid: true, text: basic().replace('Content-Length: 0', 'Content-Length: 2') + 'okEXTRA' },
  { name: 'no Content-Length: body runs to the end (datagram)', valid: true, text: basic().replace('Content-Length: 0\n', '') + 'abc' },
  // ---- invalid ----
  { name: 'ncl: Content-Length larger than the body', valid: false, answerable: true, reason: /Content-Length larger/, text: basic().replace('Content-Length: 0', 'Content-Length: 9999') + 'short' },
  { name: 'clerr: negative Content-Length', valid: false, answerable: true, reason: /Content-Length/, text: basic().replace('Content-Length: 0', 'Content-Length: -999') },
  { name: 'insuf: missing Call-ID', valid: false, answerable: false, reason: /missing Call-ID/, text: basic().replace(/Call-ID: .*\r?\n/, '') },
  { name: 'insuf: missing CSeq', valid: false, reason: /missing CSeq/, text: basic().replace(/CSeq: .*\r?\n/, '') },
  { name: 'insuf: missing Via', valid: false, answerable: false, reason: /missing Via/, text: basic().replace(/Via: .*\r?\n/, '') },
  { name: 'insuf: missing From', valid: false, reason: /missing From/, text: basic().replace(/From: .*\r?\n/, '') },
  { name: 'mismatch01: CSeq method differs from the request method', valid: false, answerable: true, reason: /does not match/, text: basic('', 'OPTIONS sip:user@example.com SIP/2.0', 'INVITE') },
  { name: 'badvers: SIP/7.0', valid: false, answerable: true, status: 505, reason: /version/, text: basic('', 'OPTIONS sip:t.watson@example.org SIP/7.0') },
  { name: 'bigcode: status code 4294967301', valid: false, reason: /status line/, text: 'SIP/2.0 4294967301 better not break the receiver\nVia: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\nCall-ID: bigcode.asdof3uj203asdnf3429uasdhfas3\nCSeq: 353494 INVITE\nFrom: <sip:user@example.com>;tag=39ansfi3\nTo: <sip:user@example.edu>;tag=902jndnke3\nContent-Length: 0\n\n' },
  { name: 'status code 700', valid: false, reason: /status code/, text: 'SIP/2.0 700 Huh\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\nCall-ID: a\nCSeq: 1 INVITE\nFrom: <sip:u@e.com>;tag=1\nTo: <sip:u@e.com>\n\n' },
  { name: 'lwsruri: white space inside the Request-URI', valid: false, reason: /bad (Request-URI|SIP version)/, text: basic('', 'INVITE sip:user@example.com; lr SIP/2.0', 'INVITE') },
  { name: 'escruri: unescaped space in Request-URI user', valid: false, text: basic('', 'INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0 extra', 'INVITE') },
  { name: 'badaspec: bad To addr-spec', valid: false, answerable: false, reason: /address|URI/, text: basic().replace('To: <sip:user@example.com>', 'To: sip:user@example.com"') },
  { name: 'baddn: unquoted display name with quotes', valid: false, reason: /display name|address/, text: basic().replace('From: <sip:caller@example.net>;tag=323', 'From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43') },
  { name: 'bad Via (no sent-by)', valid: false, answerable: false, reason: /Via/, text: basic().replace('Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bK-t1', 'Via: SIP/2.0/UDP') },
  { name: 'bad Max-Forwards', valid: false, answerable: true, reason: /Max-Forwards/, text: basic().replace('Max-Forwards: 70', 'Max-Forwards: seventy') },
  { name: 'header line without a colon', valid: false, reason: /malformed header line/, text: basic('ThisIsNotAHeader\n') },
  { name: 'missing empty line after the headers', valid: false, reason: /no empty line/, raw: true, text: 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n' },
  { name: 'garbage', valid: false, reason: /request line|no empty line|method/, text: '\u0000\u0001\u0002 hello world\n\n' },
  { name: 'RFC 5118 ipv6-bad: IPv6 without brackets', valid: false, reason: /port|host|URI/, text: basic('', 'OPTIONS sip:user@2001:db8::10 SIP/2.0') },
  { name: 'RFC 5118 ipv6-bad: unterminated bracket in Via', valid: false, reason: /Via/, text: basic().replace('host1.example.com', '[2001:db8::1') },
];

/** Turns a case's text into wire bytes. */
export function wire(c: TortureCase): Buffer {
  return Buffer.from(c.raw ? c.text : c.text.replace(/\r?\n/g, '\r\n'), 'utf8');
}
