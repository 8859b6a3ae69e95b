import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { TransportError } from './transport-error.js';
import type { TransportTlsOptions } from './transport-layer-options.js';
import type { Endpoint } from './transport-types.js';
import { normalizeAddress } from './transport-via.js';

/** Events of a listening stream socket. */
export type StreamListenerEvents = {
  /** A connection was accepted (for TLS: after a successful handshake). */
  connection: [socket: Socket];
};

/** A listening TCP or TLS socket (RFC 3261 §18.2); hands accepted sockets up. */
export class StreamListener extends TypedEmitter<StreamListenerEvents> {
  private server: Server | undefined;
  private bound: Endpoint | undefined;
  private closing: Promise<void> | undefined;
  /** Accepted TLS sockets whose handshake has not finished, by remote address and port. */
  private readonly handshaking = new Map<string, Socket>();

  constructor(
    readonly protocol: 'tcp' | 'tls',
    private readonly tls: TransportTlsOptions | undefined,
    private readonly handshakeTimeoutMs: number,
    private readonly logger: Logger,
    /** Asked before a TLS handshake starts (and takes resources); false refuses the connection. */
    private readonly admit: () => boolean = () => true,
  ) {
    super();
  }

  /** Accepted TLS connections still in their handshake. */
  get handshakingCount(): number {
    return this.handshaking.size;
  }

  /** The bound address and actual port; throws before `listen` resolved. */
  get local(): Endpoint {
    if (!this.bound) throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', `${this.protocol} listener is not bound`);
    return this.bound;
  }

  /** Starts listening on `address:port` (port 0 = ephemeral); IPv6 listeners take IPv6 only. */
  listen(address: string, port: number): Promise<Endpoint> {
    let server: Server;
    if (this.protocol === 'tls') {
      if (this.tls?.cert === undefined || this.tls.key === undefined) {
        return Promise.reject(new TransportError('SIP_ERR_TRANSPORT_LISTEN', 'listening on TLS needs tls.cert and tls.key'));
      }
      const tlsServer = createTlsServer({
        cert: this.tls.cert,
        key: this.tls.key,
        ...(this.tls.ca !== undefined ? { ca: this.tls.ca } : {}),
        ...(this.tls.minVersion !== undefined ? { minVersion: this.tls.minVersion } : {}),
        requestCert: this.tls.requestClientCertificate ?? false,
        rejectUnauthorized: (this.tls.requestClientCertificate ?? false) && (this.tls.rejectUnauthorized ?? true),
        handshakeTimeout: this.handshakeTimeoutMs,
      });
      // Sockets still in their handshake belong to no one yet: close() must end them, or
      // server.close() waits for each until its handshake times out.
      tlsServer.on('connection', (raw: Socket) => {
        if (this.closing || !this.admit()) {
          raw.destroy();
          return;
        }
        const key = remoteKey(raw);
        this.handshaking.set(key, raw);
        raw.once('close', () => {
          if (this.handshaking.get(key) === raw) this.handshaking.delete(key);
        });
      });
      tlsServer.on('secureConnection', (socket) => {
        this.handshaking.delete(remoteKey(socket));
        this.handOver(socket);
      });
      tlsServer.on('tlsClientError', (error, socket) => {
        this.logger.debug('TLS handshake failed', { remote: socket.remoteAddress, error });
      });
      server = tlsServer;
    } else {
      server = createNetServer((socket) => this.handOver(socket));
    }
    this.server = server;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.server = undefined;
        server.close();
        reject(new TransportError('SIP_ERR_TRANSPORT_LISTEN', `cannot listen on ${this.protocol} ${address}:${port}: ${error.message}`, { cause: error }));
      };
      server.once('error', onError);
      server.listen({ host: address, port, ipv6Only: true }, () => {
        server.off('error', onError);
        server.on('error', (error) => this.logger.warn('listener error', { protocol: this.protocol, error }));
        const a = server.address();
        if (a === null || typeof a === 'string') {
          reject(new TransportError('SIP_ERR_TRANSPORT_LISTEN', `${this.protocol} listener has no address`));
          return;
        }
        this.bound = { address: normalizeAddress(a.address), port: a.port };
        resolve(this.bound);
      });
    });
  }

  /** Stops accepting and ends unfinished TLS handshakes; accepted connections are the caller's to close. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const server = this.server;
    this.closing = new Promise((resolve) => {
      if (!server || !server.listening) return resolve();
      server.close(() => resolve());
    });
    for (const raw of this.handshaking.values()) raw.destroy();
    this.handshaking.clear();
    this.removeAllListeners();
    return this.closing;
  }

  /** Gives an accepted socket to the listener's user; with none (closed), nobody would ever close it. */
  private handOver(socket: Socket): void {
    if (this.closing || !this.emit('connection', socket)) socket.destroy();
  }
}

function remoteKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? 0}`;
}
