import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { TransportLayerOptions } from '../../../src/sip/transport/transport-layer-options.js';
import { createTestCertificates, type TestCertificates } from '../../support/tls-certificates.js';
import { eventually, portOf, rawRequest, TcpPeer, within } from './raw-peer.js';

/** Regressions: peers that connect and then send slowly or nothing must not hold the connection slots. */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function layer(options: TransportLayerOptions): Promise<TransportLayer> {
  const l = await TransportLayer.create(options);
  cleanups.push(() => l.close());
  return l;
}

async function tcpPeer(port: number): Promise<TcpPeer> {
  const p = await TcpPeer.open('127.0.0.1', port);
  cleanups.push(() => p.close());
  return p;
}

/** Writes `text` a few bytes at a time every `everyMs`, until the socket closes or the text is out. */
function drip(peer: TcpPeer, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (peer.socket.destroyed || at >= text.length) {
      clearInterval(timer);
      return;
    }
    peer.write(text.slice(at, at + 4));
    at += 4;
  }, everyMs);
  cleanups.push(() => clearInterval(timer));
}

function closedWithin(peer: TcpPeer, ms: number): Promise<boolean> {
  return Promise.race([peer.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

const MESSAGE = rawRequest({ via: 'SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKslow1' });

describe('TransportLayer: accepted connections must deliver messages in time', () => {
  it('closes an accepted TCP connection whose first message drips in slower than messageTimeoutMs', async () => {
    const server = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }], limits: { messageTimeoutMs: 300 } });
    const peer = await tcpPeer(portOf(server, 'tcp'));
    const started = Date.now();
    // Bytes keep coming (each would refresh an idle timeout), but the message never completes in time.
    drip(peer, MESSAGE, 40);
    expect(await closedWithin(peer, 2000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await eventually(() => server.stats.connectionsClosedSlow === 1);
    expect(server.stats.messagesReceived).toBe(0);
  });

  it('closes a silent accepted connection after messageTimeoutMs', async () => {
    const server = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }], limits: { messageTimeoutMs: 200 } });
    const peer = await tcpPeer(portOf(server, 'tcp'));
    expect(await closedWithin(peer, 1500)).toBe(true);
    await eventually(() => server.openConnections.length === 0);
    expect(server.stats.connectionsClosedSlow).toBe(1);
  });

  it('keeps a connection that delivered its first message or keep-alive in time, and times the next message from its first byte', async () => {
    const server = await layer({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }], limits: { messageTimeoutMs: 300 } });
    const pinger = await tcpPeer(portOf(server, 'tcp'));
    pinger.write('\r\n\r\n');
    const talker = await tcpPeer(portOf(server, 'tcp'));
    talker.write(MESSAGE);
    await eventually(() => server.stats.messagesReceived === 1);
    // Well past the deadline: both stay open (the idle timeout governs from here).
    expect(await closedWithin(pinger, 700)).toBe(false);
    expect(await closedWithin(talker, 10)).toBe(false);
    // A second message that starts but never completes is cut off.
    talker.write(MESSAGE.slice(0, 40));
    expect(await closedWithin(talker, 2000)).toBe(true);
    expect(await closedWithin(pinger, 10)).toBe(false);
  });
});

describe('TransportLayer: unfinished TLS handshakes count towards maxConnections', () => {
  let dir: string;
  let certs: TestCertificates;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portier-slow-tls-'));
    certs = await createTestCertificates(dir);
  }, 30_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A raw TCP connection that never starts a TLS handshake. */
  async function silentRaw(port: number): Promise<Socket> {
    const raw = connect(port, '127.0.0.1');
    raw.on('error', () => {});
    cleanups.push(() => raw.destroy());
    await new Promise((r) => raw.once('connect', r));
    return raw;
  }

  function closed(socket: Socket, ms: number): Promise<boolean> {
    if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
    return Promise.race([
      new Promise<boolean>((r) => socket.once('close', () => r(true))),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
    ]);
  }

  it('refuses connections beyond maxConnections while handshakes are pending, and admits again once they are gone', async () => {
    const server = await layer({
      listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
      tls: { cert: certs.cert, key: certs.key },
      limits: { maxConnections: 2 },
    });
    const port = portOf(server, 'tls');
    const a = await silentRaw(port);
    const b = await silentRaw(port);
    await new Promise((r) => setTimeout(r, 50));
    const c = await silentRaw(port);
    expect(await closed(c, 1000)).toBe(true);
    expect(await closed(a, 10)).toBe(false);
    expect(server.stats.dropped).toBeGreaterThanOrEqual(1);
    a.destroy();
    b.destroy();
    await new Promise((r) => setTimeout(r, 50));
    // A real client gets in once the slots are free.
    const client = tlsConnect({ host: '127.0.0.1', port, ca: certs.caCert, servername: 'localhost', rejectUnauthorized: false });
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    await within(2000, new Promise((r) => client.once('secureConnect', r)), 'TLS handshake');
    await eventually(() => server.openConnections.length === 1);
  });
});
