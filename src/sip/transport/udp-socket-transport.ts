import { createSocket, type Socket } from 'node:dgram';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { TransportError } from './transport-error.js';
import { addressFamily, normalizeAddress } from './transport-via.js';
import type { Endpoint } from './transport-types.js';

/** Events of a bound UDP socket. */
export type UdpSocketTransportEvents = {
  datagram: [data: Buffer, remote: Endpoint];
  error: [error: TransportError];
};

/** One bound UDP socket carrying SIP datagrams (RFC 3261 §18, connectionless). */
export class UdpSocketTransport extends TypedEmitter<UdpSocketTransportEvents> {
  private socket: Socket | undefined;
  private bound: Endpoint | undefined;
  private closing: Promise<void> | undefined;
  /** The sender of the last datagram; handed out again, unchanged, for the next one from it. */
  private lastRemote: Endpoint | undefined;

  /** The bound address and actual port; throws before `bind` resolved. */
  get local(): Endpoint {
    if (!this.bound) throw new TransportError('SIP_ERR_TRANSPORT_CLOSED', 'UDP socket is not bound');
    return this.bound;
  }

  get family(): 4 | 6 {
    return addressFamily(this.local.address);
  }

  /** Binds to `address:port` (port 0 = ephemeral); IPv6 sockets take IPv6 only. */
  bind(address: string, port: number): Promise<Endpoint> {
    const socket = addressFamily(address) === 6 ? createSocket({ type: 'udp6', ipv6Only: true }) : createSocket('udp4');
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.close();
        this.socket = undefined;
        reject(new TransportError('SIP_ERR_TRANSPORT_LISTEN', `cannot bind UDP ${address}:${port}: ${error.message}`, { cause: error }));
      };
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        const a = socket.address();
        this.bound = { address: a.address, port: a.port };
        socket.on('message', (data, rinfo) => {
          // Consecutive datagrams from one peer share one Endpoint object (see TransportLayer.onDatagram).
          const address = rinfo.family === 'IPv4' ? rinfo.address : normalizeAddress(rinfo.address);
          let remote = this.lastRemote;
          if (remote === undefined || remote.port !== rinfo.port || remote.address !== address) {
            remote = this.lastRemote = { address, port: rinfo.port };
          }
          this.emit('datagram', data, remote);
        });
        socket.on('error', (error) => {
          this.emit('error', new TransportError('SIP_ERR_TRANSPORT_SEND', `UDP socket error: ${error.message}`, { cause: error }));
        });
        resolve(this.bound);
      });
    });
  }

  /** Sends one datagram; `address` may be a name, resolved by the OS resolver. */
  send(data: Buffer, remote: Endpoint): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closing) {
      return Promise.reject(new TransportError('SIP_ERR_TRANSPORT_CLOSED', 'UDP socket is closed'));
    }
    return new Promise((resolve, reject) => {
      try {
        socket.send(data, remote.port, remote.address, (error) => {
          if (error) {
            reject(new TransportError('SIP_ERR_TRANSPORT_SEND', `UDP send to ${remote.address}:${remote.port} failed: ${error.message}`, { cause: error }));
          } else {
            resolve();
          }
        });
      } catch (error) {
        reject(new TransportError('SIP_ERR_TRANSPORT_SEND', `UDP send to ${remote.address}:${remote.port} failed: ${String(error)}`, { cause: error }));
      }
    });
  }

  /** Closes the socket; idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const socket = this.socket;
    this.closing = new Promise((resolve) => {
      if (!socket) return resolve();
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    this.removeAllListeners();
    return this.closing;
  }
}
