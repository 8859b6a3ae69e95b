import type { Socket } from 'node:net';
import type { Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { StreamFramer, type StreamFramingError } from './stream-framer.js';
import { TransportError } from './transport-error.js';
import { normalizeAddress } from './transport-via.js';
import type { Endpoint, TransportProtocol } from './transport-types.js';

/** Events of a stream connection. */
export type StreamConnectionEvents = {
  message: [data: Buffer];
  ping: [];
  pong: [];
  /** Garbage or an over-size message; the connection closes right after. */
  badInput: [error: StreamFramingError];
  /** Closed by either side, for any reason; emitted once. */
  close: [reason: StreamCloseReason];
};

/** Unsent output, in largest messages, beyond which the peer counts as not reading (1 MiB by default). */
const PENDING_WRITE_MESSAGES = 16;

/** Why a connection ended; `slow`: a message did not complete within the message timeout. */
export type StreamCloseReason = 'local' | 'remote' | 'idle' | 'slow' | 'bad-input' | 'error';

/** Construction parameters of a StreamConnection. */
export interface StreamConnectionInit {
  id: string;
  protocol: Exclude<TransportProtocol, 'udp'>;
  /** Whether we opened it (a flow we keep) or accepted it. */
  outbound: boolean;
  /** Close after this many ms without traffic in either direction; 0 = never. */
  idleTimeoutMs: number;
  /**
   * Close unless the first message or keep-alive is complete this many ms after construction, and
   * each later message this many ms after its first bytes; 0 or absent = no limit.
   */
  messageTimeoutMs?: number;
  maxMessageBytes: number;
  logger: Logger;
}

/**
 * One open TCP or TLS connection carrying SIP (RFC 3261 §18.3): cuts the byte stream
 * into messages with a StreamFramer and closes itself on garbage or idleness.
 */
export class StreamConnection extends TypedEmitter<StreamConnectionEvents> {
  readonly id: string;
  readonly protocol: Exclude<TransportProtocol, 'udp'>;
  readonly outbound: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  private readonly framer: StreamFramer;
  private readonly maxPendingWriteBytes: number;
  private readonly logger: Logger;
  private open = true;
  private closeReason: StreamCloseReason | undefined;
  private readonly messageTimeoutMs: number;
  /** Runs while a message is awaited: the first one, then any one whose bytes have begun. */
  private messageTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    init: StreamConnectionInit,
  ) {
    super();
    this.id = init.id;
    this.protocol = init.protocol;
    this.outbound = init.outbound;
    this.local = { address: normalizeAddress(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
    this.remote = { address: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    this.framer = new StreamFramer({ maxMessageBytes: init.maxMessageBytes });
    this.maxPendingWriteBytes = PENDING_WRITE_MESSAGES * init.maxMessageBytes;
    this.logger = init.logger;

    this.messageTimeoutMs = init.messageTimeoutMs ?? 0;
    // The first message is awaited from the start: a peer that connects and stays silent holds a slot too.
    this.armMessageTimer();

    socket.setNoDelay(true);
    if (init.idleTimeoutMs > 0) {
      // Node's socket timeout is unref'ed and refreshed by reads and writes alike.
      socket.setTimeout(init.idleTimeoutMs);
      socket.on('timeout', () => this.closeWith('idle'));
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      this.logger.debug('connection error', { connection: this.id, error });
      this.closeReason ??= 'error';
    });
    socket.on('close', () => this.finish());
    if (socket.destroyed) queueMicrotask(() => this.finish());
  }

  /** Whether messages can still be written. */
  get isOpen(): boolean {
    return this.open && !this.socket.destroyed;
  }

  /** Writes bytes; resolves once handed to the kernel. */
  write(data: Buffer): Promise<void> {
    if (!this.isOpen) {
      return Promise.reject(new TransportError('SIP_ERR_TRANSPORT_CLOSED', `connection ${this.id} is closed`));
    }
    const written = new Promise<void>((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (error) {
          reject(new TransportError('SIP_ERR_TRANSPORT_SEND', `write on ${this.id} failed: ${error.message}`, { cause: error }));
        } else {
          resolve();
        }
      });
    });
    if (this.socket.writableLength > this.maxPendingWriteBytes) {
      // A peer that sends requests but never reads our answers would grow this buffer without end.
      this.logger.info('closing connection: peer does not read', { connection: this.id, pendingBytes: this.socket.writableLength });
      this.closeWith('error');
    }
    return written;
  }

  /** Closes the connection; idempotent. */
  close(): void {
    this.closeWith('local');
  }

  private closeWith(reason: StreamCloseReason): void {
    if (!this.open) return;
    this.open = false;
    this.closeReason ??= reason;
    this.disarmMessageTimer();
    this.socket.destroy();
  }

  private armMessageTimer(): void {
    if (this.messageTimeoutMs <= 0 || this.messageTimer !== undefined || !this.open) return;
    this.messageTimer = setTimeout(() => {
      this.messageTimer = undefined;
      this.logger.info('closing connection: message not complete in time', {
        connection: this.id,
        remote: `${this.remote.address}:${this.remote.port}`,
        timeoutMs: this.messageTimeoutMs,
      });
      this.closeWith('slow');
    }, this.messageTimeoutMs);
    this.messageTimer.unref();
  }

  private disarmMessageTimer(): void {
    if (this.messageTimer !== undefined) clearTimeout(this.messageTimer);
    this.messageTimer = undefined;
  }

  private onData(chunk: Buffer): void {
    const items = this.framer.push(chunk);
    if (items.length > 0) this.disarmMessageTimer();
    // Bytes of an unfinished message: it gets the timeout from now. Later bytes do not extend it.
    if (this.framer.bufferedBytes > 0) this.armMessageTimer();
    for (const item of items) {
      if (!this.open) return;
      switch (item.kind) {
        case 'message':
          this.emit('message', item.data);
          break;
        case 'ping':
          this.emit('ping');
          break;
        case 'pong':
          this.emit('pong');
          break;
        case 'error':
          this.closeReason = 'bad-input';
          this.emit('badInput', item.error);
          this.closeWith('bad-input');
          return;
      }
    }
  }

  private finishedOnce = false;

  private finish(): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    this.open = false;
    this.disarmMessageTimer();
    this.emit('close', this.closeReason ?? 'remote');
    this.removeAllListeners();
  }
}
