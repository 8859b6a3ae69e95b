import { afterEach, describe, expect, it } from 'vitest';
import {
  createResponse,
  generateBranch,
  parseMessage,
  SipRequest,
  type SipResponse,
} from '../../../src/sip/messages/index.js';
import { TransportError } from '../../../src/sip/transport/transport-error.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { TransportLayerOptions } from '../../../src/sip/transport/transport-layer-options.js';
import type { ReceivedInfo } from '../../../src/sip/transport/transport-types.js';
import {
  eventually,
  hasIpv6Loopback,
  portOf,
  rawRequest,
  rawResponseTo,
  TcpPeer,
  TcpServerPeer,
  UdpPeer,
  within,
} from './raw-peer.js';

const ipv6 = await hasIpv6Loopback();
const families = [
  { name: 'IPv4', loopback: '127.0.0.1', host: '127.0.0.1', family: 4 as const, skip: false },
  { name: 'IPv6', loopback: '::1', host: '[::1]', family: 6 as const, skip: !ipv6 },
];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function layer(options: TransportLayerOptions): Promise<TransportLayer> {
  const l = await TransportLayer.create(options);
  cleanups.push(() => l.close());
  return l;
}

async function udpPeer(address: string): Promise<UdpPeer> {
  const p = await UdpPeer.open(address);
  cleanups.push(() => p.close());
  return p;
}

async function tcpPeer(address: string, port: number): Promise<TcpPeer> {
  const p = await TcpPeer.open(address, port);
  cleanups.push(() => p.close());
  return p;
}

function options(request: SipRequest | string): SipRequest {
  if (typeof request !== 'string') return request;
  return SipRequest.create({
    method: 'OPTIONS',
    uri: request,
    headers: [
      ['Via', `SIP/2.0/UDP placeholder.invalid;branch=${generateBranch()}`],
      ['Max-Forwards', '70'],
      ['From', '<sip:door@example.invalid>;tag=abc'],
      ['To', '<sip:pbx@example.invalid>'],
      ['Call-ID', `call-${Math.random()}`],
      ['CSeq', '1 OPTIONS'],
    ],
  });
}

for (const f of families) {
  describe.skipIf(f.skip)(`TransportLayer over UDP (${f.name})`, () => {
    it('fills received and rport on a request and answers to the source address and rport', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }] });
      const peer = await udpPeer(f.loopback);
      const got = l.wait('request');
      await peer.send(rawRequest({ via: 'SIP/2.0/UDP 192.0.2.9:5099;branch=z9hG4bKu1;rport' }), portOf(l, 'udp', f.family), f.loopback);
      const [req, info] = await within(2000, got);
      expect(info.protocol).toBe('udp');
      expect(info.remote).toEqual({ address: f.loopback, port: peer.port });
      expect(req.topVia?.received).toBe(f.loopback);
      expect(req.topVia?.rport).toBe(peer.port);

      // The sent-by (192.0.2.9:5099) is unreachable: only rport routing reaches the peer.
      await l.sendResponse(createResponse(req, 200), info);
      const wire = (await peer.next()).toString('latin1');
      expect(wire).toMatch(/^SIP\/2\.0 200 OK\r\n/);
      expect(wire).toContain(`;rport=${peer.port}`);
      expect(l.stats.messagesReceived).toBe(1);
      expect(l.stats.messagesSent).toBe(1);
    });

    it('without rport answers to the sent-by port and adds no parameters when sent-by is the source', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }] });
      const sender = await udpPeer(f.loopback);
      const sentBy = await udpPeer(f.loopback);
      const got = l.wait('request');
      await sender.send(
        rawRequest({ via: `SIP/2.0/UDP ${f.host}:${sentBy.port};branch=z9hG4bKu2` }),
        portOf(l, 'udp', f.family),
        f.loopback,
      );
      const [req, info] = await within(2000, got);
      expect(req.topVia?.received).toBeUndefined();
      expect(req.topVia?.rport).toBeUndefined();
      await l.sendResponse(createResponse(req, 486), info);
      expect((await sentBy.next()).toString('latin1')).toMatch(/^SIP\/2\.0 486 /);
      expect(sender.received).toHaveLength(0);
    });

    it('stamps the top Via on send and accepts only responses to our sent-by', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }] });
      const peer = await udpPeer(f.loopback);
      const req = options(`sip:pbx@${f.host}:${peer.port}`);
      const branch = req.topVia?.branch;
      await l.sendRequest(req, { protocol: 'udp', address: f.loopback, port: peer.port });
      const wire = (await peer.next()).toString('latin1');
      const port = portOf(l, 'udp', f.family);
      expect(wire).toContain(`\r\nVia: SIP/2.0/UDP ${f.host}:${port};branch=${branch};rport\r\n`);
      expect(l.sentByFor({ protocol: 'udp', address: f.loopback, port: peer.port })).toEqual({ host: f.loopback, port });

      const got = l.wait('response');
      await peer.send(rawResponseTo(wire), port, f.loopback);
      const [res] = await within(2000, got);
      expect(res.status).toBe(200);
      expect(res.topVia?.branch).toBe(branch);

      // §18.1.2: a response whose top Via is someone else's is discarded.
      const foreign = rawResponseTo(wire).replace(/Via: [^\r]*/, 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKzz');
      let leaked = false;
      l.on('response', () => (leaked = true));
      await peer.send(foreign, port, f.loopback);
      await eventually(() => l.stats.responsesNotOurs === 1);
      expect(leaked).toBe(false);
    });

    it('answers a malformed but answerable request with 400 and drops junk silently', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }] });
      const peer = await udpPeer(f.loopback);
      const port = portOf(l, 'udp', f.family);
      let passedUp = 0;
      l.on('request', () => passedUp++);
      const malformed = rawRequest({ via: 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKb1;rport' }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INFO');
      await peer.send(malformed, port, f.loopback);
      const answer = (await peer.next()).toString('latin1');
      expect(answer).toMatch(/^SIP\/2\.0 400 CSeq method INFO does not match OPTIONS\r\n/);
      expect(answer).toContain('Call-ID: call-1');
      expect(l.stats.badRequestsAnswered).toBe(1);

      await peer.send(Buffer.from([0, 1, 2, 0x47, 0x45, 0x54]), port, f.loopback);
      const badAck = rawRequest({ via: 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKb2;rport', method: 'ACK' }).replace('CSeq: 1 ACK', 'CSeq: 1 INVITE');
      await peer.send(badAck, port, f.loopback);
      await eventually(() => l.stats.parseErrors === 3);
      await new Promise((r) => setTimeout(r, 50));
      expect(peer.received).toHaveLength(0);
      expect(l.stats.dropped).toBe(2);
      expect(passedUp).toBe(0);
    });

    it('drops a datagram over the size cap', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }], limits: { maxMessageBytes: 2000 } });
      const peer = await udpPeer(f.loopback);
      await peer.send(rawRequest({ via: 'SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKo1', body: 'x'.repeat(3000) }), portOf(l, 'udp', f.family), f.loopback);
      await eventually(() => l.stats.oversizeDatagrams === 1);
      expect(l.stats.messagesReceived).toBe(0);
    });

    it('sends a CRLFCRLF keep-alive, emits the pong, and answers a ping', async () => {
      const l = await layer({ listen: [{ protocol: 'udp', address: f.loopback, port: 0 }] });
      const peer = await udpPeer(f.loopback);
      const port = portOf(l, 'udp', f.family);
      await l.sendKeepAlive({ protocol: 'udp', address: f.loopback, port: peer.port });
      expect((await peer.next()).toString('latin1')).toBe('\r\n\r\n');
      const pong = l.wait('pong');
      await peer.send('\r\n', port, f.loopback);
      expect((await within(2000, pong))[0]).toEqual({ address: f.loopback, port: peer.port });
      await peer.send('\r\n\r\n', port, f.loopback);
      expect((await peer.next()).toString('latin1')).toBe('\r\n');
    });
  });

  describe.skipIf(f.skip)(`TransportLayer over TCP (${f.name})`, () => {
    it('receives on a connection, fills rport, and answers over the same connection', async () => {
      const l = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const client = await tcpPeer(f.loopback, portOf(l, 'tcp', f.family));
      const got = l.wait('request');
      // Split inside the header terminator to cross the framer on a real socket.
      const text = rawRequest({ via: `SIP/2.0/TCP ${f.host}:5999;branch=z9hG4bKt1;rport` });
      const cut = text.indexOf('\r\n\r\n') + 2;
      client.write(text.slice(0, cut));
      await new Promise((r) => setTimeout(r, 20));
      client.write(text.slice(cut));
      const [req, info] = await within(2000, got);
      expect(info.protocol).toBe('tcp');
      expect(info.connectionId).toBeDefined();
      expect(req.topVia?.rport).toBe(client.socket.localPort);
      expect(req.topVia?.received).toBe(f.loopback);
      await l.sendResponse(createResponse(req, 200), info);
      await client.waitFor(/^SIP\/2\.0 200 OK\r\n[\s\S]*\r\n\r\n$/);
      expect(l.stats.connectionsAccepted).toBe(1);
    });

    it('reuses one connection between two layers and stamps the listening port as sent-by', async () => {
      const server = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const client = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const target = { protocol: 'tcp' as const, address: f.loopback, port: portOf(server, 'tcp', f.family) };
      const requests: Array<[SipRequest, ReceivedInfo]> = [];
      server.on('request', (r, i) => requests.push([r, i]));
      const responses: SipResponse[] = [];
      client.on('response', (r) => responses.push(r));

      await Promise.all([client.sendRequest(options(`sip:a@${f.host}`), target), client.sendRequest(options(`sip:b@${f.host}`), target)]);
      await client.sendRequest(options(`sip:c@${f.host}`), target);
      await eventually(() => requests.length === 3);
      expect(client.stats.connectionsOpened).toBe(1);
      expect(server.stats.connectionsAccepted).toBe(1);
      const via = requests[0]![0].topVia!;
      expect(via.transport).toBe('TCP');
      expect(via.host).toBe(f.host);
      expect(via.port).toBe(portOf(client, 'tcp', f.family));
      expect(via.rport).toBe(client.openConnections[0]!.local.port);

      for (const [r, i] of requests) await server.sendResponse(createResponse(r, 200), i);
      await eventually(() => responses.length === 3);
      expect(server.stats.connectionsOpened).toBe(0);
    });

    it('answers a response over a new connection to the Via when the request connection is gone', async () => {
      const l = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const origin = await TcpServerPeer.open(f.loopback);
      cleanups.push(() => origin.close());
      const client = await tcpPeer(f.loopback, portOf(l, 'tcp', f.family));
      const got = l.wait('request');
      client.write(rawRequest({ via: `SIP/2.0/TCP ${f.host}:${origin.port};branch=z9hG4bKt3` }));
      const [req, info] = await within(2000, got);
      client.close();
      await eventually(() => l.openConnections.length === 0);
      await l.sendResponse(createResponse(req, 180), info);
      await origin.waitFor(/^SIP\/2\.0 180 Ringing\r\n/);
      expect(l.stats.connectionsOpened).toBe(1);
    });

    it('closes only the connection that sent garbage', async () => {
      const l = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const port = portOf(l, 'tcp', f.family);
      const bad = await tcpPeer(f.loopback, port);
      const good = await tcpPeer(f.loopback, port);
      await eventually(() => l.openConnections.length === 2);
      bad.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await within(2000, bad.closed, 'garbage connection close');
      expect(l.stats.connectionsClosedForBadInput).toBe(1);

      const got = l.wait('request');
      good.write(rawRequest({ via: `SIP/2.0/TCP ${f.host}:5999;branch=z9hG4bKt4` }));
      const [req] = await within(2000, got);
      expect(req.callId).toBe('call-1');
      expect(l.openConnections).toHaveLength(1);
    });

    it('closes a connection whose message exceeds the cap or lacks Content-Length', async () => {
      const l = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }], limits: { maxMessageBytes: 4096 } });
      const port = portOf(l, 'tcp', f.family);
      const big = await tcpPeer(f.loopback, port);
      big.write(rawRequest({ via: `SIP/2.0/TCP ${f.host};branch=z9hG4bKt5`, body: 'x'.repeat(5000) }));
      await within(2000, big.closed, 'over-size close');
      const noLength = await tcpPeer(f.loopback, port);
      noLength.write(rawRequest({ via: `SIP/2.0/TCP ${f.host};branch=z9hG4bKt6` }).replace(/Content-Length: 0\r\n/, ''));
      await within(2000, noLength.closed, 'missing Content-Length close');
      expect(l.stats.connectionsClosedForBadInput).toBe(2);
      expect(l.stats.messagesReceived).toBe(0);
    });

    it('answers a 400 on the same connection and keeps it open', async () => {
      const l = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const client = await tcpPeer(f.loopback, portOf(l, 'tcp', f.family));
      client.write(rawRequest({ via: `SIP/2.0/TCP ${f.host}:5999;branch=z9hG4bKt7`, method: 'INVITE' }).replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'));
      await client.waitFor(/^SIP\/2\.0 400 CSeq method/);
      expect(l.openConnections).toHaveLength(1);
    });

    it('answers a ping with a pong, and emits a pong for our keep-alive', async () => {
      const server = await layer({ listen: [{ protocol: 'tcp', address: f.loopback, port: 0 }] });
      const client = await layer({ listen: [] });
      const target = { protocol: 'tcp' as const, address: f.loopback, port: portOf(server, 'tcp', f.family) };
      await expect(client.sendKeepAlive(target)).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CLOSED' });
      const got = server.wait('request');
      await client.sendRequest(options(`sip:a@${f.host}`), target);
      const [req] = await within(2000, got);
      // Without a TCP listener the sent-by is the connection's own address.
      expect(req.topVia?.port).toBe(client.openConnections[0]!.local.port);
      const pong = client.wait('pong');
      await client.sendKeepAlive(target);
      expect((await within(2000, pong))[0]).toEqual({ address: f.loopback, port: target.port });
      expect(server.stats.pingsAnswered).toBe(1);
    });
  });
}

describe('TransportLayer lifecycle and failures', () => {
  it('idle-closes server-accepted connections after the configured time', async () => {
    const l = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }], limits: { idleTimeoutMs: 150 } });
    const client = await tcpPeer('127.0.0.1', portOf(l, 'tcp'));
    const closedBy = Date.now();
    await within(2000, client.closed, 'idle close');
    expect(Date.now() - closedBy).toBeGreaterThanOrEqual(100);
    await eventually(() => l.stats.connectionsClosedIdle === 1);
  });

  it('keeps no sent-by per closed client-only connection (no growth with every new flow)', async () => {
    const server = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    server.on('request', (req, info) => void server.sendResponse(createResponse(req, 200), info));
    const client = await layer({ listen: [] });
    const target = { protocol: 'tcp' as const, address: '127.0.0.1', port: portOf(server, 'tcp') };
    for (let i = 0; i < 5; i++) {
      const got = client.wait('response');
      await client.sendRequest(options('sip:x@127.0.0.1'), target);
      // The response's Via names this connection's ephemeral port: it is ours.
      await within(2000, got);
      expect(client.closeConnection(target)).toBe(true);
      await eventually(() => client.openConnections.length === 0);
    }
    expect(client.stats.responsesNotOurs).toBe(0);
    expect((client as unknown as { ourSentBys: Set<string> }).ourSentBys.size).toBe(0);
  });

  it('rejects with SIP_ERR_TRANSPORT_CONNECT when nobody listens', async () => {
    const probe = await TcpServerPeer.open('127.0.0.1');
    const port = probe.port;
    await probe.close();
    const l = await layer({ listen: [] });
    const error = await l.sendRequest(options('sip:x@127.0.0.1'), { protocol: 'tcp', address: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('SIP_ERR_TRANSPORT_CONNECT');
  });

  it('rejects UDP to a family it has no socket for', async () => {
    const l = await layer({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    await expect(l.sendRequest(options('sip:x@[::1]'), { protocol: 'udp', address: '::1', port: 5060 })).rejects.toMatchObject({
      code: 'SIP_ERR_TRANSPORT_UNSUPPORTED',
    });
  });

  it('fails to start on a taken port and releases what it opened', async () => {
    const first = await layer({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const taken = portOf(first, 'udp');
    const second = new TransportLayer({
      listen: [
        { protocol: 'tcp', address: '127.0.0.1', port: 0 },
        { protocol: 'udp', address: '127.0.0.1', port: taken },
      ],
    });
    await expect(second.start()).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_LISTEN' });
    const tcpPort = second.listeningPoints[0]!.port;
    const reuse = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: tcpPort }] });
    expect(portOf(reuse, 'tcp')).toBe(tcpPort);
  });

  it('close() is idempotent, closes connections, and later sends reject', async () => {
    const l = await TransportLayer.create({
      listen: [
        { protocol: 'udp', address: '127.0.0.1', port: 0 },
        { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      ],
    });
    const client = await tcpPeer('127.0.0.1', portOf(l, 'tcp'));
    await eventually(() => l.openConnections.length === 1);
    const a = l.close();
    const b = l.close();
    expect(a).toBe(b);
    await a;
    await within(2000, client.closed, 'connection closed by close()');
    await eventually(() => l.stats.connectionsClosed === 1);
    await expect(l.sendRequest(options('sip:x@127.0.0.1'), { protocol: 'udp', address: '127.0.0.1', port: 5060 })).rejects.toMatchObject({
      code: 'SIP_ERR_TRANSPORT_CLOSED',
    });
  });

  it('a request parsed from the wire round-trips through sendRequest with the branch untouched', async () => {
    const l = await layer({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 25000 + Math.floor(Math.random() * 900) }] });
    const peer = await udpPeer('127.0.0.1');
    const req = parseMessage(Buffer.from(rawRequest({ via: 'SIP/2.0/UDP old.invalid:1;branch=z9hG4bKkeepme;rport=5' }))) as SipRequest;
    await l.sendRequest(req, { protocol: 'udp', address: '127.0.0.1', port: peer.port });
    const wire = (await peer.next()).toString('latin1');
    expect(wire).toContain(`Via: SIP/2.0/UDP 127.0.0.1:${portOf(l, 'udp')};branch=z9hG4bKkeepme;rport=5\r\n`);
  });
});
