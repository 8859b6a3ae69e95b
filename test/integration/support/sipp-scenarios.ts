/**
 * SIPp XML scenarios the integration tests share. Each function returns scenario text for
 * runSipp/startSipp; SIPp fills in the bracketed keywords ([local_ip], [call_id], ...).
 * Digest credentials come from runSipp's `auth` option (-au/-ap), used by
 * `[authentication]` after a `<recv ... auth="true">`.
 */

// No '[' or ']': SIPp would read them as keywords (so IPv6 literals cannot be used here).
const TOKEN = /^[A-Za-z0-9._~!*'()+:-]+$/;

function token(name: string, value: string): string {
  // Values land inside CDATA and SIP header lines; keep them to URI-safe characters.
  if (!TOKEN.test(value)) throw new Error(`${name} ${JSON.stringify(value)} is not a plain SIP URI token`);
  return value;
}

function scenario(name: string, body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
${body}
</scenario>
`;
}

function cdata(lines: string[]): string {
  // SIPp trims each line's indentation and ends headers at the first empty line.
  return `    <![CDATA[\n${lines.map((line) => `      ${line}`).join('\n')}\n\n    ]]>`;
}

const SDP_OFFER = [
  'v=0',
  'o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]',
  's=-',
  'c=IN IP[media_ip_type] [media_ip]',
  't=0 0',
  'm=audio [media_port] RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
];

/** Options of registerScenario. */
export interface RegisterScenarioOptions {
  /** User part of the AOR (must equal the -au username for Kamailio's To check). */
  username: string;
  /** AOR domain, e.g. kamailio.domain. */
  domain: string;
  /** Requested expiry in seconds (0 = unregister). Default 300. */
  expires?: number;
  /**
   * Final status expected for the authenticated REGISTER (default 200). 401 asserts that
   * the credentials are refused again; 423 that the expiry is too brief. Any other
   * response fails the SIPp call.
   */
  expectStatus?: number;
  /** Expect the first, unauthenticated REGISTER to be challenged (default true). */
  challenged?: boolean;
  /**
   * Contact host:port to advertise instead of SIPp's own address, e.g. "10.0.0.5:5062" to
   * play a client behind NAT (the registrar must then route to the packet source).
   */
  contactHostPort?: string;
}

/** REGISTER → 401 → REGISTER with digest → expected status. Contact is SIPp's own address. */
export function registerScenario(options: RegisterScenarioOptions): string {
  const user = token('username', options.username);
  const domain = token('domain', options.domain);
  const expires = options.expires ?? 300;
  const expect = options.expectStatus ?? 200;
  const contactHostPort = options.contactHostPort !== undefined ? token('contactHostPort', options.contactHostPort) : '[local_ip]:[local_port]';
  const register = (cseq: number, auth: boolean): string =>
    cdata([
      `REGISTER sip:${domain} SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
      'Max-Forwards: 70',
      `From: <sip:${user}@${domain}>;tag=[pid]SIPpTag00[call_number]`,
      `To: <sip:${user}@${domain}>`,
      'Call-ID: [call_id]',
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@${contactHostPort};transport=[transport]>`,
      `Expires: ${expires}`,
      'User-Agent: portier-test-sipp',
      ...(auth ? ['[authentication]'] : []),
      'Content-Length: 0',
    ]);
  const steps: string[] = [];
  if (options.challenged ?? true) {
    steps.push(`  <send retrans="500">\n${register(1, false)}\n  </send>`);
    steps.push('  <recv response="401" auth="true"/>');
    steps.push(`  <send retrans="500">\n${register(2, true)}\n  </send>`);
  } else {
    steps.push(`  <send retrans="500">\n${register(1, false)}\n  </send>`);
  }
  steps.push(`  <recv response="${expect}"/>`);
  return scenario(`portier register ${user}`, steps.join('\n'));
}

/** Options of optionsScenario. */
export interface OptionsScenarioOptions {
  /**
   * Request-URI; default `sip:[remote_ip]:[remote_port]` (SIPp keywords, which bracket IPv6
   * addresses). Literal IPv6 brackets would be taken for keywords.
   */
  requestUri?: string;
  expectStatus?: number;
}

/** One OPTIONS request expecting `expectStatus` (default 200). */
export function optionsScenario(options: OptionsScenarioOptions = {}): string {
  const uri = options.requestUri ?? 'sip:[remote_ip]:[remote_port]';
  if (!/^sips?:[^\s<>"]+$/.test(uri)) throw new Error(`bad request URI ${JSON.stringify(uri)}`);
  const send = cdata([
    `OPTIONS ${uri} SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
    'Max-Forwards: 70',
    'From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]',
    `To: <${uri}>`,
    'Call-ID: [call_id]',
    'CSeq: 1 OPTIONS',
    'Accept: application/sdp',
    'Content-Length: 0',
  ]);
  return scenario(
    'portier options',
    `  <send retrans="500">\n${send}\n  </send>\n  <recv response="${options.expectStatus ?? 200}"/>`,
  );
}

/** Options of uacCallScenario. */
export interface UacCallScenarioOptions {
  /** Calling user (From user; must equal the -au username when the proxy authenticates). */
  caller: string;
  /** Called user (Request-URI user). */
  callee: string;
  domain: string;
  /** Expect a 407 to the first INVITE and answer it with credentials (default true). */
  proxyAuth?: boolean;
  /** How long the call stays up before BYE (default 200 ms). */
  holdMs?: number;
  /**
   * Final status the (authenticated) INVITE must get (default 200). With anything else the
   * scenario ACKs that final response and ends, e.g. 404 for a user that is not registered.
   */
  expectStatus?: number;
}

/**
 * INVITE (with SDP) → [407 → ACK → INVITE with Proxy-Authorization] → 1xx → 200 → ACK →
 * pause → BYE → 200, with the route set taken from Record-Route.
 */
export function uacCallScenario(options: UacCallScenarioOptions): string {
  const caller = token('caller', options.caller);
  const callee = token('callee', options.callee);
  const domain = token('domain', options.domain);
  const proxyAuth = options.proxyAuth ?? true;
  const from = `From: <sip:${caller}@${domain}>;tag=[pid]SIPpTag00[call_number]`;
  const invite = (cseq: number, auth: boolean): string =>
    cdata([
      `INVITE sip:${callee}@${domain} SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
      'Max-Forwards: 70',
      from,
      `To: <sip:${callee}@${domain}>`,
      'Call-ID: [call_id]',
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:${caller}@[local_ip]:[local_port];transport=[transport]>`,
      'User-Agent: portier-test-sipp',
      ...(auth ? ['[authentication]'] : []),
      'Content-Type: application/sdp',
      'Content-Length: [len]',
      '',
      ...SDP_OFFER,
    ]);
  const steps: string[] = [];
  let cseq = 1;
  if (proxyAuth) {
    steps.push(`  <send retrans="500">\n${invite(cseq, false)}\n  </send>`);
    steps.push('  <recv response="100" optional="true"/>');
    steps.push('  <recv response="407" auth="true"/>');
    // RFC 3261 §17.1.1.3: the ACK to a non-2xx final response reuses the INVITE's branch
    // (message index 0; this ACK is index 3).
    steps.push(`  <send>\n${cdata([
      `ACK sip:${callee}@${domain} SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3];rport',
      'Max-Forwards: 70',
      from,
      `To: <sip:${callee}@${domain}>[peer_tag_param]`,
      'Call-ID: [call_id]',
      `CSeq: ${cseq} ACK`,
      'Content-Length: 0',
    ])}\n  </send>`);
    cseq += 1;
  }
  steps.push(`  <send retrans="500">\n${invite(cseq, proxyAuth)}\n  </send>`);
  steps.push('  <recv response="100" optional="true"/>');
  steps.push('  <recv response="180" optional="true"/>');
  steps.push('  <recv response="183" optional="true"/>');
  const expect = options.expectStatus ?? 200;
  if (expect !== 200) {
    steps.push(`  <recv response="${expect}"/>`);
    // Same branch as the INVITE, which is 5 scenario messages back (3 optional 1xx, the final).
    steps.push(`  <send>\n${cdata([
      `ACK sip:${callee}@${domain} SIP/2.0`,
      `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-5];rport`,
      'Max-Forwards: 70',
      from,
      `To: <sip:${callee}@${domain}>[peer_tag_param]`,
      'Call-ID: [call_id]',
      `CSeq: ${cseq} ACK`,
      'Content-Length: 0',
    ])}\n  </send>`);
    return scenario(`portier uac call ${caller} to ${callee} expecting ${expect}`, steps.join('\n'));
  }
  steps.push('  <recv response="200" rrs="true" rtd="true"/>');
  const inDialog = (method: string, seq: number): string =>
    cdata([
      `${method} [next_url] SIP/2.0`,
      'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
      '[routes]',
      'Max-Forwards: 70',
      from,
      `To: <sip:${callee}@${domain}>[peer_tag_param]`,
      'Call-ID: [call_id]',
      `CSeq: ${seq} ${method}`,
      `Contact: <sip:${caller}@[local_ip]:[local_port];transport=[transport]>`,
      'Content-Length: 0',
    ]);
  steps.push(`  <send>\n${inDialog('ACK', cseq)}\n  </send>`);
  steps.push(`  <pause milliseconds="${options.holdMs ?? 200}"/>`);
  steps.push(`  <send retrans="500">\n${inDialog('BYE', cseq + 1)}\n  </send>`);
  steps.push('  <recv response="200" crlf="true"/>');
  return scenario(`portier uac call ${caller} to ${callee}`, steps.join('\n'));
}

/** Options of uasAnswerScenario. */
export interface UasAnswerScenarioOptions {
  /** User part of the Contact the answers carry (the registered user). */
  username: string;
  /** Time between 180 Ringing and 200 OK (default 100 ms). */
  ringMs?: number;
}

/**
 * Server side of one call: INVITE → 180 → 200 (SDP) → ACK → BYE → 200. Record-Route is
 * copied into the responses so the caller's ACK and BYE come back through the proxy.
 */
export function uasAnswerScenario(options: UasAnswerScenarioOptions): string {
  const user = token('username', options.username);
  const contact = `Contact: <sip:${user}@[local_ip]:[local_port];transport=[transport]>`;
  const answer = (status: string, sdp: boolean): string =>
    cdata([
      `SIP/2.0 ${status}`,
      '[last_Via:]',
      '[last_Record-Route:]',
      '[last_From:]',
      '[last_To:];tag=[pid]SIPpTag01[call_number]',
      '[last_Call-ID:]',
      '[last_CSeq:]',
      contact,
      ...(sdp ? ['Content-Type: application/sdp', 'Content-Length: [len]', '', ...SDP_OFFER] : ['Content-Length: 0']),
    ]);
  const steps = [
    '  <recv request="INVITE" crlf="true"/>',
    `  <send>\n${answer('180 Ringing', false)}\n  </send>`,
    `  <pause milliseconds="${options.ringMs ?? 100}"/>`,
    `  <send retrans="500">\n${answer('200 OK', true)}\n  </send>`,
    '  <recv request="ACK" rtd="true" crlf="true"/>',
    '  <recv request="BYE"/>',
    `  <send>\n${cdata(['SIP/2.0 200 OK', '[last_Via:]', '[last_From:]', '[last_To:]', '[last_Call-ID:]', '[last_CSeq:]', contact, 'Content-Length: 0'])}\n  </send>`,
    // Absorb a retransmitted BYE instead of treating it as a new call.
    '  <timewait milliseconds="500"/>',
  ];
  return scenario(`portier uas answer ${user}`, steps.join('\n'));
}
