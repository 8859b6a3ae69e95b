import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { TransportProtocol } from '../../../src/sip/transport/transport-types.js';

/** Whether this host has an IPv6 loopback (checked once by binding ::1). */
export async function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => resolve(false));
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
}

/** A SIP request as raw text. */
export function rawRequest(opts: { via: string; method?: string; callId?: string; extra?: string; body?: string }): string {
  const method = opts.method ?? 'OPTIONS';
  const body = opts.body ?? '';
  return (
    `${method} sip:door@example.invalid SIP/2.0\r\n` +
    `Via: ${opts.via}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:tester@example.invalid>;tag=t1\r\n' +
    'To: <sip:door@example.invalid>\r\n' +
    `Call-ID: ${opts.callId ?? 'call-1'}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    (opts.extra ?? '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** A 200 response echoing the request's Via lines. */
export function rawResponseTo(requestText: string, status = '200 OK'): string {
  const lines = requestText.split('\r\n');
  const keep = lines.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  return `SIP/2.0 ${status}\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

/** Resolves with the first value `next` yields within `ms`, else rejects. */
export function within<T>(ms: number, promise: Promise<T>, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

/** A raw UDP peer collecting datagrams. */
export class UdpPeer {
  readonly received: Buffer[] = [];
  private waiters: Array<(b: Buffer) => void> = [];
  private constructor(readonly socket: UdpSocket) {
    socket.on('message', (m) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.received.push(m);
    });
  }

  static async open(address: string): Promise<UdpPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((r) => socket.bind(0, address, () => r()));
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Buffer, port: number, address: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, address, (e) => (e ? reject(e) : resolve())));
  }

  next(ms = 2000): Promise<Buffer> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return within(ms, new Promise<Buffer>((r) => this.waiters.push(r)), 'datagram');
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** A raw TCP client collecting bytes. */
export class TcpPeer {
  data = '';
  closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (this.data += d));
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.on('close', () => r()));
  }

  static async open(address: string, port: number): Promise<TcpPeer> {
    const socket = connect({ host: address, port });
    await new Promise<void>((r, j) => {
      socket.once('connect', () => r());
      socket.once('error', j);
    });
    return new TcpPeer(socket);
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Waits until the received text matches. */
  async waitFor(pattern: RegExp, ms = 2000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.data)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(this.data)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.data;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A raw TCP server recording what each accepted connection sends. */
export class TcpServerPeer {
  data = '';
  readonly sockets = new Set<Socket>();
  private constructor(readonly server: Server) {}

  static async open(address: string): Promise<TcpServerPeer> {
    const server = createServer();
    const peer = new TcpServerPeer(server);
    server.on('connection', (s) => {
      peer.sockets.add(s);
      s.setEncoding('latin1');
      s.on('data', (d: string) => (peer.data += d));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, address, () => r()));
    return peer;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  async waitFor(pattern: RegExp, ms = 2000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.data)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.data;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** The bound port of a layer for a protocol and family. */
export function portOf(layer: TransportLayer, protocol: TransportProtocol, family: 4 | 6 = 4): number {
  const p = layer.listeningPoints.find((x) => x.protocol === protocol && x.family === family);
  if (!p) throw new Error(`no ${protocol} IPv${family} listening point`);
  return p.port;
}

/** Polls a condition. */
export async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
