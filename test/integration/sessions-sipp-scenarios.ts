/**
 * SIPp scenarios for the session tests: peers that do what Portier must survive (a 2xx that
 * crosses our CANCEL, forked 2xx, reliable provisionals, session-timer refreshes, hold).
 * SIPp fills in the bracketed keywords; `[$via]` is the INVITE's Via saved by an <ereg>.
 */

function scenario(name: string, steps: string[]): string {
  const body = steps.join('\n');
  // SIPp refuses to start when an assigned variable is never used; check-only ones are declared used here.
  const assigned = [...body.matchAll(/assign_to="([^"]+)"/g)].map((m) => m[1]!);
  const unused = [...new Set(assigned)].filter((v) => !body.includes(`[$${v}]`));
  const reference = unused.length > 0 ? `\n  <Reference variables="${unused.join(',')}"/>` : '';
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${body}${reference}\n</scenario>\n`;
}

function send(lines: string[], retrans?: number): string {
  const attr = retrans !== undefined ? ` retrans="${retrans}"` : '';
  return `  <send${attr}>\n    <![CDATA[\n${lines.map((l) => `      ${l}`).join('\n')}\n\n    ]]>\n  </send>`;
}

const SDP = (direction = 'sendrecv') => [
  'v=0',
  'o=sipp 1 1 IN IP4 [local_ip]',
  's=-',
  'c=IN IP4 [local_ip]',
  't=0 0',
  'm=audio [media_port] RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  `a=${direction}`,
];

/** Receives the INVITE and keeps its Via, From and To, since later [last_*] would be another request's. */
const RECV_INVITE = `  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="Via:" check_it="true" assign_to="via"/>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="to"/>
    </action>
  </recv>`;

const CONTACT = 'Contact: <sip:sipp@[local_ip]:[local_port]>';

/** A response to the saved INVITE (CSeq 1: Portier's first INVITE, no proxy in between). */
function inviteResponse(status: string, tag: string, extra: string[] = [], sdp = false): string[] {
  return [
    `SIP/2.0 ${status}`,
    'Via: [$via]',
    'From: [$from]',
    `To: [$to];tag=${tag}`,
    '[last_Call-ID:]',
    'CSeq: 1 INVITE',
    CONTACT,
    ...extra,
    ...(sdp ? ['Content-Type: application/sdp', 'Content-Length: [len]', '', ...SDP()] : ['Content-Length: 0']),
  ];
}

/** A 200 to the last received request (BYE, CANCEL, PRACK). */
const OK_TO_LAST = send(['SIP/2.0 200 OK', '[last_Via:]', '[last_From:]', '[last_To:]', '[last_Call-ID:]', '[last_CSeq:]', CONTACT, 'Content-Length: 0']);

/**
 * UAS: INVITE → 180 → CANCEL → 200 (CANCEL) → 200 (INVITE) right away, i.e. the 2xx crosses
 * the CANCEL; then the caller must ACK it and send BYE (RFC 3261 §9.1).
 */
export function uasAnswersDespiteCancel(): string {
  const tag = '[pid]SIPpCross[call_number]';
  return scenario('200 crosses CANCEL', [
    RECV_INVITE,
    send(inviteResponse('180 Ringing', tag)),
    '  <recv request="CANCEL"/>',
    OK_TO_LAST,
    send(inviteResponse('200 OK', tag, [], true)),
    '  <recv request="ACK"/>',
    '  <recv request="BYE"/>',
    OK_TO_LAST,
    '  <timewait milliseconds="300"/>',
  ]);
}

/**
 * UAS: INVITE → two 200s with different To tags (a forking proxy's two branches answered);
 * the caller must ACK both and BYE the second (RFC 3261 §13.2.2.4). SIPp cannot take an ACK
 * while it is about to send, so the second 200 follows the first one's ACK (it then reaches
 * the caller's INVITE transaction in RFC 6026 Accepted); the unit tests cover back-to-back 2xx.
 */
export function uasForkedAnswers(): string {
  return scenario('forked 2xx', [
    RECV_INVITE,
    send(inviteResponse('180 Ringing', '[pid]SIPpForkA[call_number]')),
    send(inviteResponse('200 OK', '[pid]SIPpForkA[call_number]', [], true)),
    `  <recv request="ACK">
    <action>
      <ereg regexp="SIPpForkA" search_in="hdr" header="To:" check_it="true" assign_to="acka"/>
    </action>
  </recv>`,
    send(inviteResponse('200 OK', '[pid]SIPpForkB[call_number]', [], true)),
    `  <recv request="ACK">
    <action>
      <ereg regexp="SIPpForkB" search_in="hdr" header="To:" check_it="true" assign_to="ackb"/>
    </action>
  </recv>`,
    `  <recv request="BYE">
    <action>
      <ereg regexp="SIPpForkB" search_in="hdr" header="To:" check_it="true" assign_to="forkb"/>
    </action>
  </recv>`,
    OK_TO_LAST,
    '  <timewait milliseconds="300"/>',
  ]);
}

/** UAS: INVITE → reliable 180 (Require: 100rel, RSeq: 1) → PRACK (RAck checked) → 200 PRACK → 200 INVITE → ACK → BYE. */
export function uasReliableRinging(): string {
  const tag = '[pid]SIPp100rel[call_number]';
  return scenario('100rel', [
    `  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="Via:" check_it="true" assign_to="via"/>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="to"/>
      <ereg regexp="100rel" search_in="hdr" header="Supported:" check_it="true" assign_to="rel"/>
    </action>
  </recv>`,
    send(inviteResponse('180 Ringing', tag, ['Require: 100rel', 'RSeq: 1'])),
    `  <recv request="PRACK">
    <action>
      <ereg regexp="^ *1 1 INVITE" search_in="hdr" header="RAck:" check_it="true" assign_to="rack"/>
    </action>
  </recv>`,
    OK_TO_LAST,
    send(inviteResponse('200 OK', tag, [], true)),
    '  <recv request="ACK"/>',
    '  <recv request="BYE"/>',
    OK_TO_LAST,
    '  <timewait milliseconds="300"/>',
  ]);
}

/** Options of the UAC scenarios: whom SIPp calls. */
export interface SippUacOptions {
  /** Request-URI user. */
  callee: string;
}

function uacInvite(callee: string, cseq: number, inDialog: boolean, headers: string[], direction: string): string[] {
  return [
    inDialog ? 'INVITE [next_url] SIP/2.0' : `INVITE sip:${callee}@[remote_ip]:[remote_port] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
    'Max-Forwards: 70',
    'From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpUac[call_number]',
    inDialog ? `To: <sip:${callee}@[remote_ip]:[remote_port]>[peer_tag_param]` : `To: <sip:${callee}@[remote_ip]:[remote_port]>`,
    'Call-ID: [call_id]',
    `CSeq: ${cseq} INVITE`,
    CONTACT,
    ...headers,
    'Content-Type: application/sdp',
    'Content-Length: [len]',
    '',
    ...SDP(direction),
  ];
}

function uacInDialog(method: string, callee: string, cseq: number): string[] {
  return [
    `${method} [next_url] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport',
    'Max-Forwards: 70',
    'From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpUac[call_number]',
    `To: <sip:${callee}@[remote_ip]:[remote_port]>[peer_tag_param]`,
    'Call-ID: [call_id]',
    `CSeq: ${cseq} ${method}`,
    CONTACT,
    'Content-Length: 0',
  ];
}

/** A 200 whose `header` must match `regexp`, or whose body must (header undefined). */
function recv200(checks: Array<{ header?: string; regexp: string }>, name: string): string {
  const actions = checks
    .map((c, i) =>
      c.header !== undefined
        ? `      <ereg regexp="${c.regexp}" search_in="hdr" header="${c.header}:" check_it="true" assign_to="${name}${i}"/>`
        : `      <ereg regexp="${c.regexp}" search_in="body" check_it="true" assign_to="${name}${i}"/>`,
    )
    .join('\n');
  return `  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>\n  <recv response="200" rrs="true">\n    <action>\n${actions}\n    </action>\n  </recv>`;
}

/**
 * UAC: INVITE with Session-Expires: 90;refresher=<refresher> → 200 that must confirm it (and
 * carry Require: timer when the refresher is the UAC) → ACK → for refresher=uac, a refresh
 * re-INVITE with the same Session-Expires, whose 200 must confirm it again → ACK → BYE.
 */
export function uacSessionTimer(options: SippUacOptions & { refresher: 'uac' | 'uas' }): string {
  const se = `Session-Expires: 90;refresher=${options.refresher}`;
  const headers = ['Supported: timer', se, 'Min-SE: 90'];
  const checks = [{ header: 'Session-Expires', regexp: `90;refresher=${options.refresher}` }];
  if (options.refresher === 'uac') checks.push({ header: 'Require', regexp: 'timer' });
  const steps = [send(uacInvite(options.callee, 1, false, headers, 'sendrecv'), 500), recv200(checks, 'st'), send(uacInDialog('ACK', options.callee, 1))];
  let cseq = 2;
  if (options.refresher === 'uac') {
    steps.push('  <pause milliseconds="300"/>');
    steps.push(send(uacInvite(options.callee, cseq, true, headers, 'sendrecv'), 500));
    steps.push(recv200(checks, 'refresh'));
    steps.push(send(uacInDialog('ACK', options.callee, cseq)));
    cseq++;
  }
  steps.push('  <pause milliseconds="200"/>');
  steps.push(send(uacInDialog('BYE', options.callee, cseq), 500));
  steps.push('  <recv response="200" crlf="true"/>');
  return scenario(`session timer refresher=${options.refresher}`, steps);
}

/** UAC: call → re-INVITE with a=sendonly (hold) whose 200 must answer a=recvonly → ACK → re-INVITE sendrecv (resume) → BYE. */
export function uacHoldAndResume(options: SippUacOptions): string {
  return scenario('hold and resume', [
    send(uacInvite(options.callee, 1, false, [], 'sendrecv'), 500),
    recv200([{ regexp: 'a=sendrecv' }], 'call'),
    send(uacInDialog('ACK', options.callee, 1)),
    '  <pause milliseconds="200"/>',
    send(uacInvite(options.callee, 2, true, [], 'sendonly'), 500),
    recv200([{ regexp: 'a=recvonly' }], 'hold'),
    send(uacInDialog('ACK', options.callee, 2)),
    '  <pause milliseconds="200"/>',
    send(uacInvite(options.callee, 3, true, [], 'sendrecv'), 500),
    recv200([{ regexp: 'a=sendrecv' }], 'resume'),
    send(uacInDialog('ACK', options.callee, 3)),
    send(uacInDialog('BYE', options.callee, 4), 500),
    '  <recv response="200" crlf="true"/>',
  ]);
}
