import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { TransportError } from './transport-error.js';
import type { TransportTlsOptions } from './transport-layer-options.js';
import type { SendTarget } from './transport-types.js';

/** Node/OpenSSL error codes that mean the peer's certificate did not verify. */
const TLS_VERIFY_CODE = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|VERIFY|ALTNAME/;

/**
 * Opens a TCP connection, or a TLS one with certificate verification on by default
 * (RFC 3261 §26.2; SNI and name check from `target.hostname`, else the IP address),
 * within `timeoutMs` for connect plus handshake.
 */
export function connectStream(target: SendTarget, tls: TransportTlsOptions | undefined, timeoutMs: number): Promise<Socket> {
  const where = `${target.protocol} ${target.hostname ?? target.address}:${target.port}`;
  return new Promise((resolve, reject) => {
    let socket: Socket;
    let readyEvent: 'connect' | 'secureConnect';
    try {
      if (target.protocol === 'tls') {
        const name = target.hostname && isIP(target.hostname) === 0 ? target.hostname : undefined;
        socket = tlsConnect({
          host: target.address,
          port: target.port,
          ...(name !== undefined ? { servername: name } : {}),
          ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls?.key !== undefined ? { key: tls.key } : {}),
          ...(tls?.minVersion !== undefined ? { minVersion: tls.minVersion } : {}),
          // Without a name Node checks the certificate against `host`, the IP address (RFC 5922 §7.2 for IP targets).
          rejectUnauthorized: tls?.rejectUnauthorized ?? true,
        });
        readyEvent = 'secureConnect';
      } else {
        socket = netConnect({ host: target.address, port: target.port });
        readyEvent = 'connect';
      }
    } catch (error) {
      reject(new TransportError('SIP_ERR_TRANSPORT_CONNECT', `cannot connect to ${where}: ${String(error)}`, { cause: error }));
      return;
    }

    const timer = setTimeout(() => {
      fail(new TransportError('SIP_ERR_TRANSPORT_CONNECT', `connect to ${where} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();

    const onError = (error: NodeJS.ErrnoException): void => {
      const code = String(error.code ?? '');
      if (target.protocol === 'tls' && TLS_VERIFY_CODE.test(code)) {
        fail(new TransportError('SIP_ERR_TLS_VERIFY', `TLS certificate of ${where} rejected: ${error.message}`, { cause: error }));
      } else {
        fail(new TransportError('SIP_ERR_TRANSPORT_CONNECT', `cannot connect to ${where}: ${error.message}`, { cause: error }));
      }
    };
    const onReady = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    };
    function fail(error: TransportError): void {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.on('error', () => {}); // late errors of a socket we gave up on
      socket.destroy();
      reject(error);
    }
    socket.once(readyEvent, onReady);
    socket.on('error', onError);
  });
}
