import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DigestAuthenticator } from '../../../src/sip/auth/digest-authenticator.js';
import { generateCallId, generateTag, SipRequest } from '../../../src/sip/messages/index.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import { TransactionLayer } from '../../../src/sip/transactions/transaction-layer.js';
import { RequestSender } from '../../../src/sip/user-agent/request-sender.js';
import { silentLogger } from '../../../src/log/logger.js';
import { FakeTransport } from '../transactions/fake-transport.js';
import { DemoPbx } from '../../../src/sim/demo-pbx.js';
import { TestDnsServer } from '../../support/dns-server.js';

function request(method: string, uri: string, extra: Array<[string, string]> = []): SipRequest {
  return SipRequest.create({
    method,
    uri,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:door@pbx.test>;tag=${generateTag()}`],
      ['To', `<sip:door@pbx.test>`],
      ['Call-ID', generateCallId()],
      ['CSeq', `1 ${method}`],
      ...extra,
    ],
  });
}

/** A bound UDP port that never answers: a dead server (no ICMP error, so only Timer F ends the attempt). */
async function silentUdpPort(): Promise<{ port: number; socket: Socket; received: () => number }> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => count++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, socket, received: () => count };
}

describe('RequestSender with real stacks, real SRV look-ups and a demo registrar', () => {
  let dns: TestDnsServer;
  let client: SipStack;
  const servers: SipStack[] = [];
  let dead: Awaited<ReturnType<typeof silentUdpPort>>;

  async function server(status?: number): Promise<{ stack: SipStack; port: number; hits: () => number }> {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    servers.push(stack);
    let hits = 0;
    stack.core.handle('OPTIONS', (req, tx) => {
      hits++;
      tx.respond(status === undefined ? stack.core.optionsResponse(req) : stack.core.response(req, status));
    });
    return { stack, port: stack.transport.listeningPoints[0]!.port, hits: () => hits };
  }

  beforeAll(async () => {
    dead = await silentUdpPort();
    dns = await TestDnsServer.start({});
    client = await SipStack.start({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      dnsServers: [dns.address],
      // Timer F = 64·T1 = 1.28 s: a dead target is given up quickly.
      timers: { t1: 20, t2: 80 },
    });
  });
  afterAll(async () => {
    await client?.close();
    await Promise.all(servers.map((s) => s.close()));
    await dns?.close();
    dead?.socket.close();
  });
  afterEach(() => {
    dns.zone = {};
  });

  function srvZone(ports: number[]): void {
    dns.zone = {
      '_sip._udp.pbx.test': { SRV: ports.map((port, i) => ({ priority: 10 * (i + 1), weight: 0, port, target: 'host.pbx.test' })) },
      'host.pbx.test': { A: ['127.0.0.1'] },
      'pbx.test': {},
    };
  }

  it('fails over to the second SRV target when the first does not answer (Timer F)', async () => {
    const live = await server();
    srvZone([dead.port, live.port]);
    const deadBefore = dead.received();
    const started = Date.now();
    const outcome = await client.core.send(request('OPTIONS', 'sip:pbx.test'));
    expect(outcome.response.status).toBe(200);
    expect(outcome.target).toMatchObject({ protocol: 'udp', address: '127.0.0.1', port: live.port, hostname: 'pbx.test' });
    expect(live.hits()).toBe(1);
    // The dead target got the request and its retransmissions (Timer E) before Timer F gave up on it.
    expect(dead.received() - deadBefore).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
  });

  it('remembers a target that just timed out: the next request goes straight to the live one', async () => {
    const dead2 = await silentUdpPort();
    try {
      const live = await server();
      srvZone([dead2.port, live.port]);
      expect((await client.core.send(request('OPTIONS', 'sip:pbx.test'))).target.port).toBe(live.port);
      const deadHits = dead2.received();
      expect(deadHits).toBeGreaterThanOrEqual(1);
      const started = Date.now();
      const outcome = await client.core.send(request('OPTIONS', 'sip:pbx.test'));
      expect(outcome.response.status).toBe(200);
      expect(outcome.target.port).toBe(live.port);
      // No second wait for Timer F (1.28 s here, 32 s by default) on the dead primary.
      expect(Date.now() - started).toBeLessThan(500);
      expect(dead2.received()).toBe(deadHits);
      expect(live.hits()).toBe(2);
    } finally {
      dead2.socket.close();
    }
  });

  it('honours Retry-After of a 503: the busy target is tried last for that long, then first again', async () => {
    let busyHits = 0;
    const busy = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    servers.push(busy);
    busy.core.handle('OPTIONS', (req, tx) => {
      busyHits++;
      tx.respond(busy.core.response(req, 503, { headers: [['Retry-After', '1 (overloaded)']] }));
    });
    const live = await server();
    srvZone([busy.transport.listeningPoints[0]!.port, live.port]);
    expect((await client.core.send(request('OPTIONS', 'sip:pbx.test'))).target.port).toBe(live.port);
    expect(busyHits).toBe(1);
    expect((await client.core.send(request('OPTIONS', 'sip:pbx.test'))).target.port).toBe(live.port);
    expect(busyHits).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    await client.core.send(request('OPTIONS', 'sip:pbx.test'));
    expect(busyHits).toBe(2);
  });

  it('moves on after a 503 (RFC 3263 §4.3) and returns the last target’s answer', async () => {
    const busy = await server(503);
    const live = await server();
    srvZone([busy.port, live.port]);
    const outcome = await client.core.send(request('OPTIONS', 'sip:pbx.test'));
    expect(outcome.response.status).toBe(200);
    expect(outcome.target.port).toBe(live.port);
    expect(busy.hits()).toBe(1);
    expect(live.hits()).toBe(1);
  });

  it('returns a 503 from the last target as the outcome (no target left to try)', async () => {
    const busy1 = await server(503);
    const busy2 = await server(503);
    srvZone([busy1.port, busy2.port]);
    const outcome = await client.core.send(request('OPTIONS', 'sip:pbx.test'));
    expect(outcome.response.status).toBe(503);
    expect(outcome.target.port).toBe(busy2.port);
  });

  it('does not fail over on other errors (a 404 is an answer)', async () => {
    const missing = await server(404);
    const live = await server();
    srvZone([missing.port, live.port]);
    const outcome = await client.core.send(request('OPTIONS', 'sip:pbx.test'));
    expect(outcome.response.status).toBe(404);
    expect(live.hits()).toBe(0);
  });

  it('rejects with the last transport error when every target is dead', async () => {
    srvZone([dead.port]);
    await expect(client.core.send(request('OPTIONS', 'sip:pbx.test'))).rejects.toMatchObject({ code: 'SIP_ERR_TRANSACTION_TIMEOUT' });
  });

  it('rejects with SIP_ERR_NO_TARGET when the name does not resolve', async () => {
    await expect(client.core.send(request('OPTIONS', 'sip:nowhere.test'))).rejects.toMatchObject({ code: 'SIP_ERR_NO_TARGET' });
  });

  it('says why no target could be used (a sips: URI without TLS configured)', async () => {
    await expect(client.core.send(request('OPTIONS', 'sips:127.0.0.1:5061'))).rejects.toThrow(
      /could not resolve any target for 127\.0\.0\.1: .*TLS/,
    );
  });

  describe('digest against the demo registrar', () => {
    let pbx: DemoPbx;
    beforeAll(async () => {
      pbx = await DemoPbx.start({ users: { door: 'secret' } });
    });
    afterAll(() => pbx?.close());

    function register(): SipRequest {
      const uri = `sip:127.0.0.1:${pbx.port}`;
      return request('REGISTER', uri, [
        ['Contact', '<sip:door@127.0.0.1:5999>'],
        ['Expires', '60'],
      ]).setHeader('From', `<sip:door@${pbx.realm}>;tag=${generateTag()}`).setHeader('To', `<sip:door@${pbx.realm}>`);
    }

    it('answers a 401 with credentials, a fresh branch and a higher CSeq', async () => {
      const auth = new DigestAuthenticator({ defaultCredentials: { username: 'door', password: 'secret' } });
      const sent: SipRequest[] = [];
      const outcome = await client.core.send(register(), { authenticator: auth, beforeSend: (r) => void sent.push(r) });
      expect(outcome.response.status).toBe(200);
      expect(sent).toHaveLength(2);
      expect(sent[0]!.hasHeader('Authorization')).toBe(false);
      expect(sent[1]!.getHeader('Authorization')).toMatch(/^Digest .*username="door".*realm="portier-demo"/);
      expect(outcome.request.cseq.seq).toBe(sent[0]!.cseq.seq + 1);
      expect(outcome.request.topVia!.branch).not.toBe(sent[0]!.topVia?.branch);
      expect(pbx.registered().map((b) => b.contact)).toContain('sip:door@127.0.0.1:5999');
    });

    it('rejects with SIP_ERR_AUTH_REJECTED when the answer is challenged again (wrong password), after two REGISTERs', async () => {
      const auth = new DigestAuthenticator({ defaultCredentials: { username: 'door', password: 'wrong' } });
      let attempts = 0;
      await expect(client.core.send(register(), { authenticator: auth, beforeSend: () => void attempts++ })).rejects.toMatchObject({
        code: 'SIP_ERR_AUTH_REJECTED',
      });
      expect(attempts).toBe(2);
    });
  });

  describe('over TCP', () => {
    let tcpClient: SipStack;
    let dropper: Server;
    let dropperPort: number;
    let dropped = 0;

    beforeAll(async () => {
      // Timer F at its default 32 s: only the closed connection can end an attempt quickly.
      tcpClient = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }], dnsServers: [dns.address] });
      // A server that reads the request and hangs up without answering (a PBX going down mid-request).
      dropper = createServer((socket) => {
        socket.once('data', () => {
          dropped++;
          socket.destroy();
        });
      });
      await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', () => r()));
      dropperPort = (dropper.address() as { port: number }).port;
    });
    afterAll(async () => {
      await tcpClient?.close();
      await new Promise((r) => dropper?.close(r));
    });

    it('fails an attempt at once when its connection closes before the answer (SIP_ERR_TRANSPORT_CLOSED)', async () => {
      const started = Date.now();
      const before = dropped;
      await expect(
        tcpClient.core.send(request('OPTIONS', `sip:127.0.0.1:${dropperPort};transport=tcp`)),
      ).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CLOSED' });
      expect(dropped - before).toBe(1);
      expect(Date.now() - started).toBeLessThan(2000);
      // The failed client transaction is gone, not waiting for Timer F.
      expect(tcpClient.core.transactions.clientTransactionCount).toBe(0);
    });

    it('fails over to the next SRV target when the first hangs up', async () => {
      const live = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
      servers.push(live);
      const livePort = live.transport.listeningPoints[0]!.port;
      dns.zone = {
        '_sip._tcp.pbx.test': {
          SRV: [
            { priority: 10, weight: 0, port: dropperPort, target: 'host.pbx.test' },
            { priority: 20, weight: 0, port: livePort, target: 'host.pbx.test' },
          ],
        },
        'host.pbx.test': { A: ['127.0.0.1'] },
        'pbx.test': {},
      };
      // The test above left the dropper blocked as a failed target: make it the first choice again.
      tcpClient.core.sender.failedTargets.clear();
      const before = dropped;
      const started = Date.now();
      const outcome = await tcpClient.core.send(request('OPTIONS', 'sip:pbx.test'));
      expect(outcome.response.status).toBe(200);
      expect(outcome.target).toMatchObject({ protocol: 'tcp', port: livePort });
      expect(dropped - before).toBe(1);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});

describe('RequestSender when its transaction is closed under it', () => {
  it('rejects instead of hanging when the transaction layer closes before a final response', async () => {
    const transactions = new TransactionLayer({ transport: new FakeTransport() });
    const locator = { locate: async () => [{ protocol: 'udp' as const, address: '127.0.0.1', port: 5060 }] };
    const sender = new RequestSender(transactions, locator, silentLogger);
    const pending = sender.send(request('OPTIONS', 'sip:pbx.test'));
    await new Promise((r) => setTimeout(r, 10));
    expect(transactions.clientTransactionCount).toBe(1);
    transactions.close();
    const outcome = await Promise.race([
      pending.then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
      new Promise((r) => setTimeout(() => r('still pending'), 500)),
    ]);
    expect(outcome).toBe('SIP_ERR_TRANSACTION_CLOSED');
  });
});
