import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponse, generateBranch, SipRequest, type SipResponse } from '../../../src/sip/messages/index.js';
import { TransportError } from '../../../src/sip/transport/transport-error.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { TransportLayerOptions } from '../../../src/sip/transport/transport-layer-options.js';
import { createTestCertificates, type TestCertificates } from '../../support/tls-certificates.js';
import { eventually, hasIpv6Loopback, portOf, within } from './raw-peer.js';

const ipv6 = await hasIpv6Loopback();

let dir: string;
let good: TestCertificates;
let other: TestCertificates;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portier-tls-'));
  [good, other] = await Promise.all([createTestCertificates(join(dir, 'good')), createTestCertificates(join(dir, 'other'))]);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function layer(options: TransportLayerOptions): Promise<TransportLayer> {
  const l = await TransportLayer.create(options);
  cleanups.push(() => l.close());
  return l;
}

function request(uri: string): SipRequest {
  return SipRequest.create({
    method: 'OPTIONS',
    uri,
    headers: [
      ['Via', `SIP/2.0/UDP placeholder.invalid;branch=${generateBranch()}`],
      ['Max-Forwards', '70'],
      ['From', '<sips:door@example.invalid>;tag=abc'],
      ['To', '<sips:pbx@example.invalid>'],
      ['Call-ID', `tls-${Math.random()}`],
      ['CSeq', '1 OPTIONS'],
    ],
  });
}

async function tlsServer(address: string): Promise<TransportLayer> {
  return layer({ listen: [{ protocol: 'tls', address, port: 0 }], tls: { cert: good.cert, key: good.key } });
}

for (const f of [
  { name: 'IPv4', loopback: '127.0.0.1', host: '127.0.0.1', family: 4 as const, skip: false },
  { name: 'IPv6', loopback: '::1', host: '[::1]', family: 6 as const, skip: !ipv6 },
]) {
  describe.skipIf(f.skip)(`TransportLayer over TLS (${f.name})`, () => {
    it('exchanges a request and its response when the CA is trusted (name checked against the IP)', async () => {
      const server = await tlsServer(f.loopback);
      const client = await layer({ listen: [], tls: { ca: good.caCert } });
      const target = { protocol: 'tls' as const, address: f.loopback, port: portOf(server, 'tls', f.family) };
      const got = server.wait('request');
      await client.sendRequest(request(`sips:pbx@${f.host}`), target);
      const [req, info] = await within(3000, got);
      expect(info.protocol).toBe('tls');
      expect(req.topVia?.transport).toBe('TLS');
      expect(req.topVia?.rport).toBe(client.openConnections[0]!.local.port);

      const answered = client.wait('response');
      await server.sendResponse(createResponse(req, 200), info);
      const [res] = (await within(3000, answered)) as [SipResponse, unknown];
      expect(res.status).toBe(200);
      expect(client.stats.connectionsOpened).toBe(1);
    });

    it('rejects a server whose certificate another CA signed with SIP_ERR_TLS_VERIFY', async () => {
      const server = await tlsServer(f.loopback);
      const client = await layer({ listen: [], tls: { ca: other.caCert } });
      const target = { protocol: 'tls' as const, address: f.loopback, port: portOf(server, 'tls', f.family) };
      const error = await client.sendRequest(request(`sips:pbx@${f.host}`), target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('SIP_ERR_TLS_VERIFY');
      expect(server.stats.messagesReceived).toBe(0);
    });
  });
}

describe('TransportLayer TLS names and defaults', () => {
  it('verifies the SNI host name from SendTarget.hostname', async () => {
    const server = await tlsServer('127.0.0.1');
    const client = await layer({ listen: [], tls: { ca: good.caCert } });
    const port = portOf(server, 'tls');
    const got = server.wait('request');
    await client.sendRequest(request('sips:pbx@localhost'), { protocol: 'tls', address: '127.0.0.1', port, hostname: 'localhost' });
    await within(3000, got);

    // A fresh layer, so that the open connection to this endpoint is not reused.
    const fresh = await layer({ listen: [], tls: { ca: good.caCert } });
    const wrongName = await fresh
      .sendRequest(request('sips:pbx@pbx.example.com'), { protocol: 'tls', address: '127.0.0.1', port, hostname: 'pbx.example.com' })
      .catch((e: unknown) => e);
    expect((wrongName as TransportError).code).toBe('SIP_ERR_TLS_VERIFY');
  });

  it('verifies by default: without a CA a self-signed chain is refused', async () => {
    const server = await tlsServer('127.0.0.1');
    const client = await layer({ listen: [] });
    await expect(
      client.sendRequest(request('sips:pbx@127.0.0.1'), { protocol: 'tls', address: '127.0.0.1', port: portOf(server, 'tls') }),
    ).rejects.toMatchObject({ code: 'SIP_ERR_TLS_VERIFY' });
  });

  it('refuses to listen on TLS without a certificate', async () => {
    const l = new TransportLayer({ listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }] });
    cleanups.push(() => l.close());
    await expect(l.start()).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_LISTEN' });
  });

  it('answers a keep-alive ping on TLS', async () => {
    const server = await tlsServer('127.0.0.1');
    const client = await layer({ listen: [], tls: { ca: good.caCert } });
    const target = { protocol: 'tls' as const, address: '127.0.0.1', port: portOf(server, 'tls') };
    await client.sendRequest(request('sips:pbx@127.0.0.1'), target);
    const pong = client.wait('pong');
    await client.sendKeepAlive(target);
    await within(3000, pong);
    await eventually(() => server.stats.pingsAnswered === 1);
  });

  it('close() does not wait for a TLS client that never finishes its handshake', async () => {
    const server = await tlsServer('127.0.0.1');
    const raw = connect(portOf(server, 'tls'), '127.0.0.1');
    raw.on('error', () => {});
    cleanups.push(() => raw.destroy());
    await new Promise((r) => raw.once('connect', r));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const closed = await Promise.race([server.close().then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
