import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateCallId, generateTag, SipRequest, type SipResponse } from '../../../src/sip/messages/index.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import { createCancel } from '../../../src/sip/transactions/cancel-request.js';
import type { InviteClientTransaction } from '../../../src/sip/transactions/invite-client-transaction.js';
import { TransactionLayer } from '../../../src/sip/transactions/transaction-layer.js';
import { TransactionState as S } from '../../../src/sip/transactions/transaction-state.js';
import { TransportError } from '../../../src/sip/transport/transport-error.js';
import type { ReceivedInfo, SendTarget } from '../../../src/sip/transport/transport-types.js';
import { FakeTransport, flushMicrotasks } from './fake-transport.js';
import { request as fixture, UDP_TARGET } from './sip-fixtures.js';
import { eventually } from '../transport/raw-peer.js';

/**
 * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than
 * 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion
 * controlled transport protocol, such as TCP."
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A free port number for both UDP and TCP on loopback (bound and released; retried by the caller on a clash). */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Seen {
  request: SipRequest;
  info: ReceivedInfo;
}

/** A peer listening on UDP, and on TCP at the same port unless `udpOnly`, recording what arrives how. */
async function server(udpOnly = false): Promise<{ stack: SipStack; port: number; seen: Seen[] }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      const stack = await SipStack.start({
        listen: [
          { protocol: 'udp', address: '127.0.0.1', port },
          ...(udpOnly ? [] : [{ protocol: 'tcp' as const, address: '127.0.0.1', port }]),
        ],
      });
      cleanups.push(() => stack.close());
      const seen: Seen[] = [];
      stack.transport.on('request', (request, info) => seen.push({ request, info }));
      stack.core.handle('INVITE', () => {}); // keeps the INVITE pending: ringing
      return { stack, port, seen };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function client(): Promise<SipStack> {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }], timers: { t1: 50, t2: 200 } });
  cleanups.push(() => stack.close());
  return stack;
}

function request(method: string, port: number, padding: number): SipRequest {
  return SipRequest.create({
    method,
    uri: `sip:door@127.0.0.1:${port}`,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:caller@127.0.0.1>;tag=${generateTag()}`],
      ['To', `<sip:door@127.0.0.1:${port}>`],
      ['Call-ID', generateCallId()],
      ['CSeq', `1 ${method}`],
      ['Contact', '<sip:caller@127.0.0.1>'],
      ['X-Padding', 'x'.repeat(padding)],
    ],
  });
}

describe('Requests over 1300 bytes towards a UDP target go over TCP (RFC 3261 §18.1.1)', () => {
  it('sends a large OPTIONS over TCP to the same address and port, with TCP in the Via, and gets the answer', async () => {
    const peer = await server();
    const ua = await client();
    const outcome = await ua.core.send(request('OPTIONS', peer.port, 1400), { target: { protocol: 'udp', address: '127.0.0.1', port: peer.port } });
    expect(outcome.response.status).toBe(200);
    expect(peer.seen).toHaveLength(1);
    expect(peer.seen[0]!.info.protocol).toBe('tcp');
    expect(peer.seen[0]!.request.topVia!.transport).toBe('TCP');
    expect(peer.seen[0]!.request.serialize().length).toBeGreaterThan(1300);
    expect(ua.transport.openConnections.map((c) => c.remote.port)).toEqual([peer.port]);
  });

  it('keeps a small request on UDP', async () => {
    const peer = await server();
    const ua = await client();
    const outcome = await ua.core.send(request('OPTIONS', peer.port, 10), { target: { protocol: 'udp', address: '127.0.0.1', port: peer.port } });
    expect(outcome.response.status).toBe(200);
    expect(peer.seen.map((s) => s.info.protocol)).toEqual(['udp']);
    expect(peer.seen[0]!.request.topVia!.transport).toBe('UDP');
    expect(ua.transport.openConnections).toEqual([]);
  });

  it('falls back to UDP, with UDP in the Via and UDP retransmissions, when the TCP connection is refused', async () => {
    const peer = await server(true);
    const ua = await client();
    const options = request('OPTIONS', peer.port, 1400);
    // A slow answer: meanwhile Timer E (T1 = 50 ms here) must retransmit over UDP, as after any UDP send.
    peer.stack.core.handle('OPTIONS', (req, tx) => {
      setTimeout(() => tx.respond(peer.stack.core.optionsResponse(req)), 250);
    });
    const outcome = await ua.core.send(options, { target: { protocol: 'udp', address: '127.0.0.1', port: peer.port } });
    expect(outcome.response.status).toBe(200);
    expect(peer.seen.length).toBeGreaterThanOrEqual(2);
    expect(peer.seen.every((s) => s.info.protocol === 'udp' && s.request.topVia!.transport === 'UDP')).toBe(true);
    expect(ua.transport.openConnections).toEqual([]);
  });

  it('fails the attempt at once when the TCP connection it was moved to closes before the answer', async () => {
    // A silent UDP socket and, at the same port, a TCP server that reads the request and hangs up.
    const port = await freePort();
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())));
    const tcp = createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => tcp.close(() => r())));
    const ua = await client();
    const started = Date.now();
    await expect(ua.core.send(request('OPTIONS', port, 1400), { target: { protocol: 'udp', address: '127.0.0.1', port } })).rejects.toMatchObject({
      code: 'SIP_ERR_TRANSPORT_CLOSED',
    });
    // Not Timer F (64·T1 = 3.2 s here).
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('sends a large INVITE over TCP, and its CANCEL where the INVITE went (§9.1), though the CANCEL is small', async () => {
    const peer = await server();
    const ua = await client();
    const invite = request('INVITE', peer.port, 1400);
    const tx = ua.core.transactions.sendRequest(invite, { protocol: 'udp', address: '127.0.0.1', port: peer.port }) as InviteClientTransaction;
    expect(tx.target.protocol).toBe('tcp');
    const provisional = new Promise<SipResponse>((resolve) => tx.on('response', (r) => r.status < 200 && resolve(r)));
    expect((await provisional).status).toBe(100);
    const cancel = createCancel(invite);
    ua.core.transactions.sendRequest(cancel, { protocol: 'udp', address: '127.0.0.1', port: peer.port });
    const final = await new Promise<SipResponse>((resolve) => tx.on('response', (r) => r.status >= 200 && resolve(r)));
    expect(final.status).toBe(487);
    // The ACK for the 487 is part of the INVITE transaction and goes its way too (§17.1.1.3).
    await eventually(() => peer.seen.some((s) => s.request.method === 'ACK'));
    expect(peer.seen.map((s) => `${s.request.method}/${s.info.protocol}`)).toEqual(['INVITE/tcp', 'CANCEL/tcp', 'ACK/tcp']);
  });
});

/** A fake transport that moves every request to TCP and fails TCP sends with `tcpError`. */
class SwitchingTransport extends FakeTransport {
  constructor(private readonly tcpError: TransportError) {
    super();
  }
  congestionControlledTarget(_request: SipRequest, target: SendTarget): SendTarget | undefined {
    return target.protocol === 'udp' ? { ...target, protocol: 'tcp' } : undefined;
  }
  override sendRequest(request: SipRequest, target: SendTarget): Promise<void> {
    void super.sendRequest(request, target);
    return target.protocol === 'tcp' ? Promise.reject(this.tcpError) : Promise.resolve();
  }
}

describe('ClientTransaction fallback from TCP to UDP (fake transport and clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-sends over UDP in the same transaction when the connection fails, and retransmits on Timer E from then', async () => {
    vi.useFakeTimers();
    const transport = new SwitchingTransport(new TransportError('SIP_ERR_TRANSPORT_CONNECT', 'refused'));
    const layer = new TransactionLayer({ transport });
    const errors: unknown[] = [];
    const tx = layer.sendRequest(fixture({ method: 'OPTIONS', via: null }), UDP_TARGET);
    tx.on('transportError', (e) => errors.push(e));
    expect(tx.target.protocol).toBe('tcp');
    await flushMicrotasks();
    expect(tx.target).toEqual(UDP_TARGET);
    expect(errors).toEqual([]);
    expect(transport.requests().map((r) => r.target.protocol)).toEqual(['tcp', 'udp']);
    const branch = transport.requests()[0]!.message.topVia!.branch;
    expect(transport.requests()[1]!.message.topVia!.branch).toBe(branch);
    vi.advanceTimersByTime(500 + 1000);
    expect(transport.requests().map((r) => r.target.protocol)).toEqual(['tcp', 'udp', 'udp', 'udp']);
    layer.close();
  });

  it('starts Timer A for an INVITE that fell back', async () => {
    vi.useFakeTimers();
    const transport = new SwitchingTransport(new TransportError('SIP_ERR_TRANSPORT_CONNECT', 'refused'));
    const layer = new TransactionLayer({ transport });
    const tx = layer.sendRequest(fixture({ via: null }), UDP_TARGET);
    await flushMicrotasks();
    expect(tx.state).toBe(S.Calling);
    vi.advanceTimersByTime(500);
    expect(transport.requests('INVITE').map((r) => r.target.protocol)).toEqual(['tcp', 'udp', 'udp']);
    layer.close();
  });

  it('reports other transport errors as before (no fallback once the failure is not a failed connect)', async () => {
    vi.useFakeTimers();
    const transport = new SwitchingTransport(new TransportError('SIP_ERR_TRANSPORT_SEND', 'write failed'));
    const layer = new TransactionLayer({ transport });
    const errors: Array<{ code: string }> = [];
    const tx = layer.sendRequest(fixture({ method: 'OPTIONS', via: null }), UDP_TARGET);
    tx.on('transportError', (e) => errors.push(e));
    await flushMicrotasks();
    expect(errors.map((e) => e.code)).toEqual(['SIP_ERR_TRANSPORT_SEND']);
    expect(tx.state).toBe(S.Terminated);
    expect(transport.requests()).toHaveLength(1);
    layer.close();
  });
});
