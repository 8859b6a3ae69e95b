import { networkInterfaces } from 'node:os';
import type { Socket } from 'node:net';
import { silentLogger, type Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import {
  createResponse,
  DEFAULT_PARSE_LIMITS,
  isRequest,
  parseMessage,
  SipParseError,
  type ParseLimits,
  type SipMessageAny,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../messages/index.js';
import { StreamConnection, type StreamCloseReason } from './stream-connection.js';
import { connectStream } from './stream-connector.js';
import { StreamListener } from './stream-listener.js';
import { TransportError } from './transport-error.js';
import {
  DEFAULT_TRANSPORT_LIMITS,
  type ListenSpec,
  type TransportLayerOptions,
  type TransportLimits,
} from './transport-layer-options.js';
import { createTransportStats, type TransportStats } from './transport-stats.js';
import { isReliable, type Endpoint, type ReceivedInfo, type SendTarget, type TransportProtocol } from './transport-types.js';
import {
  addressFamily,
  annotateReceivedVia,
  defaultPort,
  normalizeAddress,
  responseDestination,
  sentByKey,
  stampTopVia,
  type SentBy,
} from './transport-via.js';
import { UdpSocketTransport } from './udp-socket-transport.js';

/** Events of the transport layer, for the transaction layer above. */
export type TransportLayerEvents = {
  request: [request: SipRequest, info: ReceivedInfo];
  response: [response: SipResponse, info: ReceivedInfo];
  /** A keep-alive pong (RFC 5626 §4.4.1) arrived from this endpoint. */
  pong: [from: Endpoint];
  /** A socket failed outside any send (listener or UDP socket error). */
  error: [error: TransportError];
  /** A stream connection ended, e.g. the registration's flow (RFC 5626 §4.4: flow failure). */
  connectionClosed: [info: ClosedConnectionInfo];
};

/** A stream connection that ended. */
export interface ClosedConnectionInfo {
  connectionId: string;
  protocol: Exclude<TransportProtocol, 'udp'>;
  local: Endpoint;
  remote: Endpoint;
  outbound: boolean;
  reason: StreamCloseReason;
}

/** A bound socket: the actual address and port (ephemeral ports resolved). */
export interface ListeningPoint {
  protocol: TransportProtocol;
  address: string;
  port: number;
  family: 4 | 6;
  advertisedHost?: string;
}

type StreamProtocol = Exclude<TransportProtocol, 'udp'>;

const PING = Buffer.from('\r\n\r\n');
const PONG = Buffer.from('\r\n');

/**
 * The SIP transport layer (RFC 3261 §18) over UDP, TCP and TLS, IPv4 and IPv6:
 * stamps and checks Via, frames streams, reuses connections, answers unparsable
 * requests with 400 and keeps RFC 5626 CRLF keep-alives. Bad input is counted in
 * `stats`, never thrown.
 */
export class TransportLayer extends TypedEmitter<TransportLayerEvents> {
  readonly stats: TransportStats = createTransportStats();
  private readonly limits: TransportLimits;
  private readonly logger: Logger;
  private readonly udpSockets: UdpSocketTransport[] = [];
  private readonly streamListeners: StreamListener[] = [];
  private readonly points: ListeningPoint[] = [];
  private readonly connectionsById = new Map<string, StreamConnection>();
  private readonly connectionsByRemote = new Map<string, StreamConnection>();
  private readonly pendingConnects = new Map<string, Promise<StreamConnection>>();
  /**
   * TCP endpoints just chosen for a request too large for UDP (§18.1.1): a connection opened for one
   * of them is nobody's flow, so it closes when idle like an accepted one instead of living for ever.
   */
  private readonly congestionTargets = new Set<string>();
  /** Every sent-by value we put in a Via, for the §18.1.2 check on responses. */
  private readonly ourSentBys = new Set<string>();
  private nextConnectionId = 1;
  private lastUdpInfo: ReceivedInfo | undefined;
  /** What parseMessage is given: undefined for its defaults (then it builds no limits object per message). */
  private readonly parseLimits: Partial<ParseLimits> | undefined;
  private started: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: TransportLayerOptions) {
    super();
    this.limits = { ...DEFAULT_TRANSPORT_LIMITS, ...options.limits };
    const maxMessageBytes = this.limits.maxMessageBytes;
    this.parseLimits = maxMessageBytes === DEFAULT_PARSE_LIMITS.maxMessageBytes ? undefined : { maxMessageBytes };
    this.logger = (options.logger ?? silentLogger).child({ component: 'transport' });
  }

  /** Creates a layer and opens its sockets. */
  static async create(options: TransportLayerOptions): Promise<TransportLayer> {
    const layer = new TransportLayer(options);
    await layer.start();
    return layer;
  }

  /** Opens every socket of the listen list; on any failure closes what was opened and rejects. */
  start(): Promise<void> {
    this.started ??= this.openAll();
    return this.started;
  }

  /** The bound sockets, with actual ports. */
  get listeningPoints(): readonly ListeningPoint[] {
    return this.points;
  }

  /** Open stream connections (for diagnostics and tests). */
  get openConnections(): ReadonlyArray<{ id: string; protocol: StreamProtocol; local: Endpoint; remote: Endpoint; outbound: boolean }> {
    return [...this.connectionsById.values()].map((c) => ({
      id: c.id,
      protocol: c.protocol,
      local: c.local,
      remote: c.remote,
      outbound: c.outbound,
    }));
  }

  /**
   * The sent-by this layer writes for a target (also what a Contact should carry),
   * or undefined when it depends on a connection not open yet (streams without a listener).
   */
  sentByFor(target: SendTarget): SentBy | undefined {
    const point = this.pointFor(target.protocol, addressFamily(target.address));
    if (point) return this.pointSentBy(point, target.address);
    if (target.protocol !== 'udp') {
      const conn = this.connectionsByRemote.get(remoteKey(target.protocol, target));
      if (conn?.isOpen) return { host: conn.local.address, port: conn.local.port };
    }
    return undefined;
  }

  /**
   * Sends a request to a resolved next hop. Stamps the top Via (transport, sent-by,
   * rport flag; branch untouched) right before writing; over TCP/TLS reuses an open
   * connection to the same endpoint or opens one.
   */
  async sendRequest(request: SipRequest, target: SendTarget): Promise<void> {
    this.assertOpen();
    if (!request.topVia) throw new TransportError('SIP_ERR_TRANSPORT_MESSAGE', 'request has no Via header');
    if (target.protocol === 'udp') {
      const socket = this.udpSocketFor(addressFamily(target.address));
      this.stamp(request, 'udp', this.udpSentBy(socket, target.address));
      const data = this.serialize(request);
      await socket.send(data, target);
    } else {
      const conn = await this.connectionTo(target.protocol, target);
      const point = this.pointFor(target.protocol, addressFamily(target.address));
      if (point) {
        this.stamp(request, target.protocol, this.pointSentBy(point, target.address));
      } else {
        // The connection's own end: its responses come back on it and are recognised there
        // (onMessage), so the ephemeral port is not remembered past the connection.
        stampTopVia(request, target.protocol, { host: conn.local.address, port: conn.local.port });
      }
      await conn.write(this.serialize(request));
    }
    this.stats.messagesSent++;
  }

  /**
   * Sends a response where RFC 3261 §18.2.2 and RFC 3581 §4 say: over the connection
   * the request came on while it is open, else a new one to the Via's received/sent-by;
   * over UDP to the source address and rport, else to received at the sent-by port.
   * `wire`, when given, is what encodeResponse(response) returned: written as it is.
   */
  sendResponse(response: SipResponse, replyTo: ReceivedInfo, wire?: Buffer): Promise<void> {
    // Not async: over UDP (hundreds of OPTIONS a second) one promise, the socket's, is enough.
    try {
      this.assertOpen();
      const via = response.topVia;
      if (!via) throw new TransportError('SIP_ERR_TRANSPORT_MESSAGE', 'response has no Via header');
      const data = wire ?? this.serialize(response);
      if (isReliable(replyTo.protocol)) return this.sendStreamResponse(via, data, replyTo);
      const socket = this.udpSocketForLocal(replyTo.local) ?? this.udpSocketFor(addressFamily(replyTo.remote.address));
      return socket.send(data, responseDestination(via, 'udp', replyTo.remote)).then(this.countSent);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private readonly countSent = (): void => {
    this.stats.messagesSent++;
  };

  /** sendResponse() over TCP or TLS. */
  private async sendStreamResponse(via: Via, data: Buffer, replyTo: ReceivedInfo): Promise<void> {
    const protocol = replyTo.protocol as StreamProtocol;
    const same = replyTo.connectionId !== undefined ? this.connectionsById.get(replyTo.connectionId) : undefined;
    let conn: StreamConnection;
    if (same?.isOpen) {
      conn = same;
    } else {
      // §18.2.2: the connection is gone; open one to received (or sent-by) at the sent-by port.
      const dest = responseDestination(via, protocol, replyTo.remote);
      conn = await this.connectionTo(protocol, { protocol, address: dest.address, port: dest.port });
    }
    await conn.write(data);
    this.stats.messagesSent++;
  }

  /**
   * The bytes sendResponse writes for `response`, to hand to it with the response (so it is not
   * serialized twice) by a server transaction that keeps only these bytes for retransmissions.
   * Throws SIP_ERR_TRANSPORT_MESSAGE when the response is too large.
   */
  encodeResponse(response: SipResponse): Buffer {
    return this.serialize(response);
  }

  /**
   * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than
   * 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion
   * controlled transport protocol, such as TCP." Returns the TCP target at the same address and
   * port when `request`, stamped for `target` over UDP, exceeds `limits.maxUdpRequestBytes`;
   * undefined when it fits (or the target is not UDP). Stamps the request's top Via for UDP,
   * as sendRequest would. TCP needs no listener of ours: the flow is client-only, its responses
   * come back on it.
   */
  congestionControlledTarget(request: SipRequest, target: SendTarget): SendTarget | undefined {
    if (target.protocol !== 'udp' || this.limits.maxUdpRequestBytes <= 0 || this.closing || !request.topVia) return undefined;
    const socket = this.udpSockets.find((s) => s.family === addressFamily(target.address));
    if (socket) stampTopVia(request, 'udp', this.udpSentBy(socket, target.address));
    if (request.serialize().length <= this.limits.maxUdpRequestBytes) return undefined;
    const tcp: SendTarget = { ...target, protocol: 'tcp' };
    this.congestionTargets.add(remoteKey('tcp', tcp));
    return tcp;
  }

  /**
   * Sends an RFC 5626 §4.4.1 CRLFCRLF ping: a datagram over UDP, or on the open
   * connection to the target (rejects SIP_ERR_TRANSPORT_CLOSED when that flow is gone).
   */
  async sendKeepAlive(target: SendTarget): Promise<void> {
    this.assertOpen();
    if (target.protocol === 'udp') {
      await this.udpSocketFor(addressFamily(target.address)).send(PING, target);
    } else {
      const conn = this.connectionsByRemote.get(remoteKey(target.protocol, target));
      if (!conn?.isOpen) {
        throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', `no open ${target.protocol} connection to ${target.address}:${target.port}`);
      }
      await conn.write(PING);
    }
    this.stats.keepAlivesSent++;
  }

  /**
   * Closes the open stream connection to `target`, if any (e.g. a flow whose keep-alive pong did
   * not come, RFC 5626 §4.4.1), so the next request opens a new one. Returns whether one was open.
   */
  closeConnection(target: SendTarget): boolean {
    if (target.protocol === 'udp') return false;
    const conn = this.connectionsByRemote.get(remoteKey(target.protocol, target));
    if (!conn?.isOpen) return false;
    conn.close();
    return true;
  }

  /** Closes every socket, connection and timer; idempotent. Pending sends reject with SIP_ERR_TRANSPORT_CLOSED. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const conn of [...this.connectionsById.values()]) conn.close();
      await Promise.all([...this.udpSockets.map((s) => s.close()), ...this.streamListeners.map((l) => l.close())]);
      this.connectionsById.clear();
      this.connectionsByRemote.clear();
      this.congestionTargets.clear();
    })();
    return this.closing;
  }

  // --- opening sockets -------------------------------------------------------

  private async openAll(): Promise<void> {
    try {
      for (const spec of this.options.listen) await this.openOne(spec);
    } catch (error) {
      await this.close();
      throw error instanceof TransportError
        ? error
        : new TransportError('SIP_ERR_TRANSPORT_LISTEN', `cannot open sockets: ${String(error)}`, { cause: error });
    }
    this.logger.info('transport listening', {
      points: this.points.map((p) => `${p.protocol}:${p.family === 6 ? `[${p.address}]` : p.address}:${p.port}`),
    });
  }

  private async openOne(spec: ListenSpec): Promise<void> {
    let local: Endpoint;
    if (spec.protocol === 'udp') {
      const socket = new UdpSocketTransport();
      this.udpSockets.push(socket);
      local = await socket.bind(spec.address, spec.port);
      socket.on('datagram', (data, remote) => this.onDatagram(socket, data, remote));
      socket.on('error', (error) => {
        this.logger.warn('UDP socket error', { error });
        this.emit('error', error);
      });
    } else {
      const listener = new StreamListener(spec.protocol, this.options.tls, this.limits.connectTimeoutMs, this.logger, () => this.admit());
      this.streamListeners.push(listener);
      local = await listener.listen(spec.address, spec.port);
      const protocol = spec.protocol;
      listener.on('connection', (socket) => this.onAccepted(protocol, socket));
    }
    const point: ListeningPoint = {
      protocol: spec.protocol,
      address: local.address,
      port: local.port,
      family: addressFamily(local.address),
      ...(spec.advertisedHost !== undefined ? { advertisedHost: spec.advertisedHost } : {}),
    };
    this.points.push(point);
    if (!isWildcard(point.address) || point.advertisedHost !== undefined) {
      this.ourSentBys.add(sentByKey(point.advertisedHost ?? point.address, point.port));
    }
  }

  // --- connections -----------------------------------------------------------

  private onAccepted(protocol: StreamProtocol, socket: Socket): void {
    if (!this.admit()) {
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    this.adopt(protocol, socket, false);
  }

  /**
   * Whether one more accepted connection fits. TLS handshakes in progress take a slot too: a peer
   * that opens connections and never completes a handshake must not get around the limit.
   */
  private admit(): boolean {
    let used = this.connectionsById.size;
    for (const listener of this.streamListeners) used += listener.handshakingCount;
    if (this.closing || used >= this.limits.maxConnections) {
      this.stats.dropped++;
      return false;
    }
    return true;
  }

  private adopt(protocol: StreamProtocol, socket: Socket, outbound: boolean, idleTimeoutMs?: number): StreamConnection {
    const conn = new StreamConnection(socket, {
      id: `${protocol}-${this.nextConnectionId++}`,
      protocol,
      outbound,
      idleTimeoutMs: idleTimeoutMs ?? (outbound ? this.limits.outboundIdleTimeoutMs : this.limits.idleTimeoutMs),
      // Only accepted connections: on our own flows the peer owes us nothing until we send.
      messageTimeoutMs: outbound ? 0 : this.limits.messageTimeoutMs,
      maxMessageBytes: this.limits.maxMessageBytes,
      logger: this.logger,
    });
    const key = remoteKey(protocol, conn.remote);
    this.connectionsById.set(conn.id, conn);
    this.connectionsByRemote.set(key, conn);
    const info = (): ReceivedInfo => ({ protocol, local: conn.local, remote: conn.remote, connectionId: conn.id });

    conn.on('message', (data) => this.onMessage(data, info()));
    conn.on('ping', () => {
      // RFC 5626 §4.4.1: answer a double CRLF with a single one.
      conn.write(PONG).then(
        () => this.stats.pingsAnswered++,
        () => {},
      );
    });
    conn.on('pong', () => {
      this.stats.pongsReceived++;
      this.emit('pong', { ...conn.remote });
    });
    conn.on('badInput', (error) => {
      this.stats.parseErrors++;
      this.stats.dropped++;
      this.stats.connectionsClosedForBadInput++;
      this.logger.info('closing connection on bad input', { connection: conn.id, remote: `${conn.remote.address}:${conn.remote.port}`, error });
    });
    conn.on('close', (reason) => {
      this.stats.connectionsClosed++;
      if (reason === 'idle') this.stats.connectionsClosedIdle++;
      if (reason === 'slow') this.stats.connectionsClosedSlow++;
      this.connectionsById.delete(conn.id);
      if (this.connectionsByRemote.get(key) === conn) this.connectionsByRemote.delete(key);
      this.logger.debug('connection closed', { connection: conn.id, reason });
      this.emit('connectionClosed', {
        connectionId: conn.id,
        protocol,
        local: conn.local,
        remote: conn.remote,
        outbound,
        reason,
      });
    });
    return conn;
  }

  /** An open connection to the target, shared by concurrent callers while connecting. */
  private connectionTo(protocol: StreamProtocol, target: SendTarget): Promise<StreamConnection> {
    const key = remoteKey(protocol, target);
    const forLargeRequest = this.congestionTargets.delete(key);
    const existing = this.connectionsByRemote.get(key);
    if (existing?.isOpen) return Promise.resolve(existing);
    let pending = this.pendingConnects.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const socket = await connectStream({ ...target, protocol }, this.options.tls, this.limits.connectTimeoutMs);
          if (this.closing) {
            socket.destroy();
            throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', 'transport layer is closed');
          }
          this.stats.connectionsOpened++;
          const conn = this.adopt(protocol, socket, true, forLargeRequest ? this.limits.idleTimeoutMs : undefined);
          // Index under the target as asked too, in case the socket reports the address differently.
          this.connectionsByRemote.set(key, conn);
          conn.on('close', () => {
            if (this.connectionsByRemote.get(key) === conn) this.connectionsByRemote.delete(key);
          });
          return conn;
        } finally {
          this.pendingConnects.delete(key);
        }
      })();
      this.pendingConnects.set(key, pending);
    }
    return pending;
  }

  // --- receiving -------------------------------------------------------------

  private onDatagram(socket: UdpSocketTransport, data: Buffer, remote: Endpoint): void {
    if (this.closing) return;
    if (data.length > this.limits.maxMessageBytes) {
      this.stats.oversizeDatagrams++;
      this.stats.dropped++;
      return;
    }
    if (isOnlyCrlf(data)) {
      if (data.equals(PING)) {
        socket.send(PONG, remote).then(
          () => this.stats.pingsAnswered++,
          () => {},
        );
      } else if (data.equals(PONG)) {
        this.stats.pongsReceived++;
        this.emit('pong', remote);
      } else {
        this.stats.dropped++;
      }
      return;
    }
    // The socket hands the same `remote` object for consecutive datagrams from one peer (a PBX's
    // OPTIONS pings): then the same ReceivedInfo serves them all, instead of one per datagram
    // kept by each server transaction for its 32 s of Timer J.
    let info = this.lastUdpInfo;
    if (info === undefined || info.remote !== remote || info.local !== socket.local) {
      info = this.lastUdpInfo = { protocol: 'udp', local: socket.local, remote };
    }
    this.onMessage(data, info);
  }

  private onMessage(data: Buffer, info: ReceivedInfo): void {
    let message: SipMessageAny;
    try {
      message = parseMessage(data, this.parseLimits);
    } catch (error) {
      this.onParseError(error, info);
      return;
    }
    if (isRequest(message)) {
      try {
        annotateReceivedVia(message, info.remote);
      } catch (error) {
        this.onParseError(error, info);
        return;
      }
      this.stats.messagesReceived++;
      this.emit('request', message, info);
    } else {
      let ours = false;
      try {
        const via = message.topVia;
        if (via !== undefined) {
          const port = via.port ?? defaultPort(viaProtocol(via.transport, info.protocol));
          ours =
            this.isOurSentBy(via.host, port) ||
            (info.connectionId !== undefined && sentByKey(via.host, port) === sentByKey(info.local.address, info.local.port));
        }
      } catch (error) {
        this.onParseError(error, info);
        return;
      }
      if (!ours) {
        // §18.1.2: a response whose top Via is not ours was misrouted; discard it silently.
        this.stats.responsesNotOurs++;
        this.stats.dropped++;
        return;
      }
      this.stats.messagesReceived++;
      this.emit('response', message, info);
    }
  }

  private onParseError(error: unknown, info: ReceivedInfo): void {
    this.stats.parseErrors++;
    const request = error instanceof SipParseError ? error.request : undefined;
    if (!(error instanceof SipParseError) || !request || request.method === 'ACK') {
      this.stats.dropped++;
      this.logger.debug('dropped unparsable input', { remote: `${info.remote.address}:${info.remote.port}`, error });
      return;
    }
    // RFC 3261 §8.2 / §16.3: answer what can be answered, statelessly.
    let response: SipResponse;
    try {
      annotateReceivedVia(request, info.remote);
      response = createResponse(request, error.status, { reason: reasonPhrase(error.reason) });
    } catch {
      this.stats.dropped++;
      return;
    }
    this.sendResponse(response, info).then(
      () => this.stats.badRequestsAnswered++,
      (sendError: unknown) => {
        this.stats.dropped++;
        this.logger.debug('could not answer a malformed request', { error: sendError });
      },
    );
  }

  // --- helpers ---------------------------------------------------------------

  private stamp(request: SipRequest, protocol: TransportProtocol, sentBy: SentBy): void {
    this.ourSentBys.add(sentByKey(sentBy.host, sentBy.port));
    stampTopVia(request, protocol, sentBy);
  }

  private serialize(message: SipMessageAny): Buffer {
    const data = message.serialize();
    if (data.length > this.limits.maxMessageBytes) {
      throw new TransportError('SIP_ERR_TRANSPORT_MESSAGE', `message of ${data.length} bytes exceeds the ${this.limits.maxMessageBytes}-byte limit`);
    }
    return data;
  }

  private isOurSentBy(host: string, port: number): boolean {
    return this.ourSentBys.has(sentByKey(host, port));
  }

  private pointFor(protocol: TransportProtocol, family: 4 | 6): ListeningPoint | undefined {
    return this.points.find((p) => p.protocol === protocol && p.family === family);
  }

  private pointSentBy(point: ListeningPoint, towards: string): SentBy {
    if (point.advertisedHost !== undefined) return { host: point.advertisedHost, port: point.port };
    if (!isWildcard(point.address)) return { host: point.address, port: point.port };
    return { host: guessLocalAddress(point.family, towards), port: point.port };
  }

  private udpSentBy(socket: UdpSocketTransport, towards: string): SentBy {
    const point = this.points.find((p) => p.protocol === 'udp' && p.address === socket.local.address && p.port === socket.local.port);
    return point ? this.pointSentBy(point, towards) : { host: guessLocalAddress(socket.family, towards), port: socket.local.port };
  }

  private udpSocketFor(family: 4 | 6): UdpSocketTransport {
    const socket = this.udpSockets.find((s) => s.family === family);
    if (!socket) throw new TransportError('SIP_ERR_TRANSPORT_UNSUPPORTED', `no UDP socket for IPv${family}`);
    return socket;
  }

  private udpSocketForLocal(local: Endpoint): UdpSocketTransport | undefined {
    // A request that came over UDP names its socket's own `local` object: found without a comparison of addresses.
    for (const s of this.udpSockets) if (s.local === local) return s;
    return this.udpSockets.find((s) => s.local.port === local.port && normalizeAddress(s.local.address) === normalizeAddress(local.address));
  }

  private assertOpen(): void {
    if (this.closing) throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', 'transport layer is closed');
    if (!this.started) throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', 'transport layer is not started');
  }
}

function remoteKey(protocol: TransportProtocol, remote: Endpoint): string {
  return `${protocol}|${normalizeAddress(remote.address)}|${remote.port}`;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function isOnlyCrlf(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/** The protocol a response's Via names, for its default port; falls back to how it arrived. */
function viaProtocol(token: string, arrivedOn: TransportProtocol): TransportProtocol {
  const t = token.toLowerCase();
  return t === 'udp' || t === 'tcp' || t === 'tls' ? t : arrivedOn;
}

/** A reason phrase safe on the status line (no CR/LF, bounded). */
function reasonPhrase(text: string): string {
  const clean = text.replace(/[\r\n\t]+/g, ' ').trim().slice(0, 120);
  return clean.length > 0 ? clean : 'Bad Request';
}

/**
 * The address a wildcard socket would send from: loopback towards loopback, else the
 * first non-internal interface address of the family. Configure `advertisedHost` to
 * be exact on multi-homed hosts.
 */
function guessLocalAddress(family: 4 | 6, towards: string): string {
  const target = normalizeAddress(towards);
  if (target === '127.0.0.1' || target.startsWith('127.')) return '127.0.0.1';
  if (target === '::1') return '::1';
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if ((family === 4 && a.family === 'IPv4') || (family === 6 && a.family === 'IPv6' && !a.address.startsWith('fe80'))) {
        return a.address;
      }
    }
  }
  return family === 6 ? '::1' : '127.0.0.1';
}

