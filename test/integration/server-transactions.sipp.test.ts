import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import type { TransportStats } from '../../src/sip/transport/transport-stats.js';
import type { ReceivedInfo } from '../../src/sip/transport/transport-types.js';
import { ALLOWED_METHODS } from '../../src/sip/user-agent/capabilities.js';
import { runSipp, type SippResult, type SippTransport } from './support/sipp.js';

/** Small enough that SIPp can send an over-size message in one UDP datagram. */
const MAX_MESSAGE_BYTES = 4096;

// SIPp 36300–36349 (control socket at +50); every run gets its own port so TCP never meets TIME_WAIT.
let nextSippPort = 36300;
function sippPort(): number {
  if (nextSippPort > 36349) throw new Error('out of SIPp ports');
  return nextSippPort++;
}

/** One `<send>` of raw lines; SIPp trims the indentation and fills in the [keywords]. */
function send(lines: string[], txn?: string): string {
  return `  <send${txn ? ` start_txn="${txn}"` : ''}><![CDATA[\n${lines.map((l) => `      ${l}`).join('\n')}\n\n    ]]></send>`;
}

function scenario(name: string, steps: string[]): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${steps.join('\n')}\n</scenario>\n`;
}

/** A request's lines; `omit` drops headers by name, `override` replaces their value. */
function requestLines(
  method: string,
  options: { uri?: string; version?: string; cseq?: string; branch?: string; omit?: string[]; extra?: string[]; contentLength?: string } = {},
): string[] {
  const fields: Array<[string, string]> = [
    ['Via', `SIP/2.0/[transport] [local_ip]:[local_port];branch=${options.branch ?? '[branch]'};rport`],
    ['Max-Forwards', '70'],
    ['From', '<sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]'],
    ['To', '<sip:door@[remote_ip]:[remote_port]>'],
    ['Call-ID', '[call_id]'],
    ['CSeq', options.cseq ?? `1 ${method}`],
  ];
  const lines = [`${method} ${options.uri ?? 'sip:door@[remote_ip]:[remote_port]'} ${options.version ?? 'SIP/2.0'}`];
  for (const [name, value] of fields) if (!options.omit?.includes(name)) lines.push(`${name}: ${value}`);
  lines.push(...(options.extra ?? []));
  lines.push(`Content-Length: ${options.contentLength ?? '0'}`);
  return lines;
}

const recv = (status: number): string => `  <recv response="${status}"/>`;
/** Long enough for Portier to answer on loopback; an answer that should not come fails the SIPp call. */
const silence = '  <pause milliseconds="250"/>';

/** The SIP messages SIPp logged as received, in order (its -trace_msg file). */
function receivedMessages(result: SippResult): string[] {
  return result.messages
    .split(/^-{20,} .*$/m)
    .filter((block) => /message received/.test(block))
    .map((block) => block.replace(/^[\s\S]*?message received[^\n]*\n\s*\n?/, '').trim());
}

function statusLine(message: string): string {
  return message.split(/\r?\n/)[0] ?? '';
}

function header(message: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(message);
  return m?.[1]?.trim();
}

function expectSuccess(result: SippResult): void {
  expect(result.code, `${result.command}\n${result.errors}\n${result.messages.slice(-4000)}`).toBe(0);
}

function delta(after: TransportStats, before: TransportStats): Partial<TransportStats> {
  const d: Partial<Record<keyof TransportStats, number>> = {};
  for (const key of Object.keys(after) as Array<keyof TransportStats>) {
    if (after[key] !== before[key]) d[key] = after[key] - before[key];
  }
  return d;
}

/** A plain OPTIONS whose 200 SIPp itself checks with regular expressions (check_it fails the call). */
function optionsWithChecks(serverPattern = 'Portier/[0-9]+\\.[0-9]+\\.[0-9]+'): string[] {
  return [
    send(requestLines('OPTIONS', { extra: ['Accept: application/sdp'] })),
    `  <recv response="200">
    <action>
      <ereg regexp="^ *${serverPattern}" search_in="hdr" header="Server:" check_it="true" assign_to="server"/>
      <ereg regexp="INVITE.*OPTIONS" search_in="hdr" header="Allow:" check_it="true" assign_to="allow"/>
      <ereg regexp="application/sdp" search_in="hdr" header="Accept:" check_it="true" assign_to="accept"/>
      <ereg regexp="100rel" search_in="hdr" header="Supported:" check_it="true" assign_to="supported"/>
    </action>
  </recv>`,
    '  <Reference variables="server,allow,accept,supported"/>',
  ];
}

describe('Portier server transactions driven by SIPp', () => {
  let stack: SipStack;
  const ports = { udp: 0, tcp: 0 };
  /** Requests that reached the UA core (one per new server transaction). */
  const coreRequests: Array<{ method: string; branch: string | undefined; protocol: string }> = [];
  /** Every response Portier handed to the transport, with how the request came in. */
  const sentResponses: Array<{ response: SipResponse; bytes: Buffer; to: ReceivedInfo }> = [];

  beforeAll(async () => {
    stack = await SipStack.start({
      listen: [
        { protocol: 'udp', address: '127.0.0.1', port: 0 },
        { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      ],
      limits: { maxMessageBytes: MAX_MESSAGE_BYTES },
    });
    for (const p of stack.transport.listeningPoints) ports[p.protocol as 'udp' | 'tcp'] = p.port;
    // Observe (not replace) the layer boundaries.
    const onRequest = stack.core.onRequest.bind(stack.core);
    stack.core.onRequest = (request, transaction, info) => {
      coreRequests.push({ method: request.method, branch: request.topVia?.branch, protocol: info.protocol });
      onRequest(request, transaction, info);
    };
    const sendResponse = stack.transport.sendResponse.bind(stack.transport);
    stack.transport.sendResponse = (response, replyTo) => {
      sentResponses.push({ response, bytes: response.serialize(), to: replyTo });
      return sendResponse(response, replyTo);
    };
  });

  afterAll(async () => {
    await stack?.close();
  });

  function run(transport: SippTransport, steps: string[], name = 'portier server transactions'): Promise<SippResult> {
    return runSipp({
      scenario: scenario(name, steps),
      target: `127.0.0.1:${ports[transport]}`,
      transport,
      localPort: sippPort(),
      timeoutMs: 10_000,
    });
  }

  for (const transport of ['udp', 'tcp'] as const) {
    it(`answers OPTIONS over ${transport} with 200, Allow, Accept, Supported and Server: Portier/…`, async () => {
      const result = await run(transport, optionsWithChecks());
      expectSuccess(result);
      const [answer] = receivedMessages(result);
      expect(statusLine(answer!)).toBe('SIP/2.0 200 OK');
      expect(header(answer!, 'Allow')!.split(/\s*,\s*/)).toEqual(ALLOWED_METHODS);
      expect(header(answer!, 'Accept')).toContain('application/sdp');
      expect(header(answer!, 'Supported')).toBe('100rel, timer, replaces');
      expect(header(answer!, 'Server')).toMatch(/^Portier\/\d+\.\d+\.\d+$/);
      expect(header(answer!, 'To')).toMatch(/;tag=\w+/);
      expect(header(answer!, 'Via')).toMatch(/;received=127\.0\.0\.1|;rport=\d+/);
    });
  }

  it('SIPp’s header checks are live: a Server pattern that does not match fails the call', async () => {
    const result = await run('udp', optionsWithChecks('Asterisk'));
    expect(result.code).toBe(1);
  });

  it('answers every retransmission of an OPTIONS with the same response from one server transaction (UDP)', async () => {
    const branch = 'z9hG4bK-retrans-[pid]-[call_number]';
    const copy = send(requestLines('OPTIONS', { branch }));
    const other = (seq: number): string => send(requestLines('OPTIONS', { cseq: `${seq} OPTIONS` }));
    const coreBefore = coreRequests.length;
    const sentBefore = sentResponses.length;
    const transactionsBefore = stack.core.transactions.serverTransactionCount;
    // SIPp takes an answer identical to the one it received last for a retransmission (and re-sends its
    // own last message), so another transaction's answer sits between the copies' answers.
    const result = await run('udp', [copy, recv(200), other(2), recv(200), copy, recv(200), other(3), recv(200), copy, recv(200)]);
    expectSuccess(result);
    const answers = receivedMessages(result);
    expect(answers.map(statusLine)).toEqual(Array(5).fill('SIP/2.0 200 OK'));
    const copyAnswers = [answers[0]!, answers[2]!, answers[4]!];
    const tag = /tag=(\w+)/.exec(header(copyAnswers[0]!, 'To')!)?.[1];
    expect(tag).toBeTruthy();
    for (const a of copyAnswers) {
      expect(header(a, 'To')).toContain(`tag=${tag}`);
      expect(header(a, 'CSeq')).toBe('1 OPTIONS');
    }
    // The other transactions got their own tags.
    expect(header(answers[1]!, 'To')).not.toContain(`tag=${tag}`);
    // Three transactions reached the UA core: the copies' one (once) and the two others (§17.2.3 matching).
    const reached = coreRequests.slice(coreBefore);
    expect(reached).toHaveLength(3);
    expect(reached.filter((r) => r.branch?.startsWith('z9hG4bK-retrans-'))).toHaveLength(1);
    expect(stack.core.transactions.serverTransactionCount - transactionsBefore).toBe(3);
    // §17.2.2 Completed: "any retransmissions of the request … MUST be passed to the transport" — the same bytes.
    const sent = sentResponses.slice(sentBefore).filter((s) => s.response.topVia?.branch?.startsWith('z9hG4bK-retrans-'));
    expect(sent).toHaveLength(3);
    expect(sent[1]!.bytes.equals(sent[0]!.bytes)).toBe(true);
    expect(sent[2]!.bytes.equals(sent[0]!.bytes)).toBe(true);
  });

  it('answers malformed UDP requests with 400/505 and a reason, ignores junk, and keeps serving', async () => {
    const before = { ...stack.transport.stats };
    const coreBefore = coreRequests.length;
    const pad = 'X-Pad: ' + 'p'.repeat(MAX_MESSAGE_BYTES);
    const result = await run('udp', [
      // Without Call-ID there is nothing a response could copy: no answer.
      send(requestLines('OPTIONS', { omit: ['Call-ID'] })),
      silence,
      // An unparsable CSeq cannot be copied into a response either (the parser's rule): no answer.
      send(requestLines('OPTIONS', { cseq: 'abc OPTIONS' })),
      silence,
      // SIPp matches answers by CSeq method unless told the transaction (branch) to match.
      send(requestLines('OPTIONS', { cseq: '3 INVITE' }), 'mismatch'),
      '  <recv response="400" response_txn="mismatch"/>',
      send(requestLines('OPTIONS', { cseq: '4 OPTIONS', contentLength: 'abc' })),
      recv(400),
      send(requestLines('OPTIONS', { cseq: '5 OPTIONS', contentLength: '50' })),
      recv(400),
      send(requestLines('OPTIONS', { cseq: '6 OPTIONS', version: 'SIP/7.0' })),
      recv(505),
      send(['this is not SIP at all', 'just some junk ~~~ \u00e9\u00e8 ###']),
      silence,
      send(requestLines('OPTIONS', { cseq: '7 OPTIONS', extra: [pad] })),
      silence,
      ...optionsWithChecks(),
    ]);
    expectSuccess(result);
    const answers = receivedMessages(result);
    expect(answers.map(statusLine)).toEqual([
      'SIP/2.0 400 CSeq method INVITE does not match OPTIONS',
      'SIP/2.0 400 bad Content-Length "abc"',
      'SIP/2.0 400 Content-Length larger than the body',
      'SIP/2.0 505 unsupported SIP version 7.0',
      'SIP/2.0 200 OK',
    ]);
    // Stateless answers still carry the request's Via (with received/rport), Call-ID and CSeq.
    expect(header(answers[0]!, 'CSeq')).toBe('3 INVITE');
    expect(header(answers[0]!, 'Via')).toMatch(/rport=\d+/);
    // None of the malformed requests reached the UA core; the final OPTIONS did.
    expect(coreRequests.slice(coreBefore).map((r) => r.method)).toEqual(['OPTIONS']);
    expect(delta(stack.transport.stats, before)).toEqual({
      messagesReceived: 1,
      messagesSent: 5,
      parseErrors: 7,
      badRequestsAnswered: 4,
      dropped: 4,
      oversizeDatagrams: 1,
    });
  });

  it('answers malformed TCP requests on the same connection and keeps it open', async () => {
    const before = { ...stack.transport.stats };
    const result = await run('tcp', [
      send(requestLines('OPTIONS', { omit: ['Call-ID'] })),
      silence,
      send(requestLines('OPTIONS', { cseq: '3 INVITE' }), 'mismatch'),
      '  <recv response="400" response_txn="mismatch"/>',
      send(requestLines('OPTIONS', { cseq: '4 OPTIONS', version: 'SIP/7.0' })),
      recv(505),
      ...optionsWithChecks(),
    ]);
    expectSuccess(result);
    expect(receivedMessages(result).map(statusLine)).toEqual([
      'SIP/2.0 400 CSeq method INVITE does not match OPTIONS',
      'SIP/2.0 505 unsupported SIP version 7.0',
      'SIP/2.0 200 OK',
    ]);
    const d = delta(stack.transport.stats, before);
    expect(d).toMatchObject({ parseErrors: 3, badRequestsAnswered: 2, connectionsAccepted: 1 });
    expect(d.connectionsClosedForBadInput).toBeUndefined();
  });

  it('closes a TCP connection that carries junk or an over-size message, and serves the next one', async () => {
    const before = { ...stack.transport.stats };
    const junk = await run('tcp', [send(['GARBAGE GARBAGE GARBAGE', 'no: framing']), silence]);
    const pad = 'X-Pad: ' + 'p'.repeat(MAX_MESSAGE_BYTES);
    const big = await run('tcp', [send(requestLines('OPTIONS', { extra: [pad] })), silence]);
    // Nothing came back on either connection.
    expect(receivedMessages(junk)).toEqual([]);
    expect(receivedMessages(big)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    const d = delta(stack.transport.stats, before);
    expect(d.connectionsClosedForBadInput).toBe(2);
    expect(d.messagesReceived).toBeUndefined();
    expectSuccess(await run('tcp', optionsWithChecks()));
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`answers an unknown method with 501 and Allow, Require: foo with 420, a mailto: URI with 416 (${transport})`, async () => {
      const inviteBranch = 'z9hG4bK-inv-[pid]-[call_number]';
      const result = await run(transport, [
        send(requestLines('FROBNICATE', { cseq: '1 FROBNICATE' })),
        `  <recv response="501">
    <action><ereg regexp="INVITE" search_in="hdr" header="Allow:" check_it="true" assign_to="allow"/></action>
  </recv>`,
        '  <Reference variables="allow"/>',
        send(requestLines('INVITE', { cseq: '2 INVITE', branch: inviteBranch, extra: ['Require: foo', 'Contact: <sip:sipp@[local_ip]:[local_port]>'] })),
        '  <recv response="100" optional="true"/>',
        recv(420),
        // §17.1.1.3: the ACK for a non-2xx final response has the INVITE's branch and the response's To tag.
        send([
          'ACK sip:door@[remote_ip]:[remote_port] SIP/2.0',
          `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${inviteBranch};rport`,
          'Max-Forwards: 70',
          'From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]',
          'To: <sip:door@[remote_ip]:[remote_port]>[peer_tag_param]',
          'Call-ID: [call_id]',
          'CSeq: 2 ACK',
          'Content-Length: 0',
        ]),
        send(requestLines('OPTIONS', { cseq: '3 OPTIONS', uri: 'mailto:door@example.com' })),
        recv(416),
        // Long enough for a 420 retransmission (Timer G = T1 on UDP) to show if the ACK had not matched.
        '  <pause milliseconds="700"/>',
      ]);
      expectSuccess(result);
      const answers = receivedMessages(result).filter((m) => !m.startsWith('SIP/2.0 100'));
      expect(answers.map(statusLine)).toEqual([
        'SIP/2.0 501 Not Implemented',
        'SIP/2.0 420 Bad Extension',
        'SIP/2.0 416 Unsupported URI Scheme',
      ]);
      expect(header(answers[0]!, 'Allow')!.split(/\s*,\s*/)).toEqual(ALLOWED_METHODS);
      expect(header(answers[1]!, 'Unsupported')).toBe('foo');
      for (const a of answers) expect(header(a, 'Server')).toMatch(/^Portier\//);
    });
  }
});
