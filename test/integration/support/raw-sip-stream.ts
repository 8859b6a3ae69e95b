import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { PortierError } from '../../../src/util/portier-error.js';

/**
 * A deliberately tiny SIP-over-TCP/TLS client for the harness itself: it writes request
 * text and frames responses by Content-Length. The installed SIPp has no TLS, so TLS paths
 * are proven with this instead. Independent of Portier's own stack on purpose, so harness
 * failures cannot come from the code under test.
 */

/** A parsed SIP response: status, lower-cased headers (all values), body. */
export interface RawSipResponse {
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

/** Options of RawSipStream.connect. */
export interface RawSipStreamOptions {
  host: string;
  port: number;
  transport: 'tcp' | 'tls';
  /** PEM CA to verify the server against (TLS); without it, the certificate is not checked. */
  ca?: string;
  /** TLS SNI / name to verify; default "localhost". */
  servername?: string;
  timeoutMs?: number;
}

const COMPACT: Record<string, string> = { l: 'content-length', v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact' };

/** Parses one SIP response head+body (no validation beyond what the harness needs). */
export function parseRawSipResponse(raw: string): RawSipResponse {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? raw.slice(0, headEnd) : raw;
  const lines = head.split('\r\n');
  const statusLine = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (statusLine === null) throw new PortierError('PORTIER_TEST_ERR_RAW_SIP', `not a SIP response: ${lines[0] ?? ''}`);
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rawName = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[rawName] ?? rawName;
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return {
    status: Number(statusLine[1]),
    reason: statusLine[2] ?? '',
    headers,
    body: headEnd >= 0 ? raw.slice(headEnd + 4) : '',
    raw,
  };
}

/** A stream connection that sends SIP text and reads SIP messages framed by Content-Length. */
export class RawSipStream {
  private buffer = Buffer.alloc(0);
  private readonly queue: Buffer[] = [];
  private waiter: ((message: Buffer) => void) | undefined;
  private failure: Error | undefined;
  private failWaiter: ((error: Error) => void) | undefined;

  private constructor(readonly socket: Socket | TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.failWaiter?.(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new PortierError('PORTIER_TEST_ERR_RAW_SIP', 'connection closed')));
  }

  /** Connects (and for TLS completes the handshake, verifying against `ca` when given). */
  static connect(options: RawSipStreamOptions): Promise<RawSipStream> {
    return new Promise((resolve, reject) => {
      const socket =
        options.transport === 'tls'
          ? tlsConnect({
              host: options.host,
              port: options.port,
              servername: options.servername ?? 'localhost',
              ...(options.ca !== undefined ? { ca: options.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
            })
          : netConnect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new PortierError('PORTIER_TEST_ERR_RAW_SIP', `connect to ${options.host}:${options.port} timed out`));
      }, options.timeoutMs ?? 5000);
      timer.unref();
      socket.once(options.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawSipStream(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Local address of the connection, for Via/Contact. */
  get local(): { address: string; port: number } {
    return { address: this.socket.localAddress ?? '127.0.0.1', port: this.socket.localPort ?? 0 };
  }

  send(message: string): void {
    this.socket.write(Buffer.from(message, 'utf8'));
  }

  /** Next complete SIP message (request or response), or rejects after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<string> {
    const ready = this.queue.shift();
    if (ready !== undefined) return Promise.resolve(ready.toString('utf8'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.failWaiter = undefined;
        reject(new PortierError('PORTIER_TEST_ERR_RAW_SIP', `no SIP message within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.waiter = (message) => {
        clearTimeout(timer);
        this.failWaiter = undefined;
        resolve(message.toString('utf8'));
      };
      this.failWaiter = (error) => {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(error);
      };
    });
  }

  /** Sends a request and returns the first final (>= 200) response to it. */
  async request(message: string, timeoutMs = 5000): Promise<RawSipResponse> {
    this.send(message);
    for (;;) {
      const text = await this.next(timeoutMs);
      if (!text.startsWith('SIP/2.0 ')) continue;
      const response = parseRawSipResponse(text);
      if (response.status >= 200) return response;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private drain(): void {
    for (;;) {
      // Keep-alive CRLFs (RFC 5626 §3.5.1) between messages are not messages.
      while (this.buffer.length >= 2 && this.buffer[0] === 0x0d && this.buffer[1] === 0x0a) {
        this.buffer = this.buffer.subarray(2);
      }
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buffer.subarray(0, headEnd).toString('utf8');
      const match = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
      const bodyLength = match !== null ? Number(match[1]) : 0;
      const total = headEnd + 4 + bodyLength;
      if (this.buffer.length < total) return;
      const message = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      if (this.waiter !== undefined) {
        const waiter = this.waiter;
        this.waiter = undefined;
        waiter(message);
      } else {
        this.queue.push(message);
      }
    }
  }
}

/** Fields of a digest challenge (WWW-/Proxy-Authenticate), unquoted. */
export function parseDigestChallenge(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const body = header.replace(/^\s*Digest\s+/i, '');
  for (const match of body.matchAll(/([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params.set((match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? '');
  }
  return params;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** RFC 2617 / RFC 3261 §22.4 MD5 digest credentials answering `challenge` (qop=auth when offered). */
export function digestAuthorization(options: {
  challenge: string;
  method: string;
  uri: string;
  username: string;
  password: string;
}): string {
  const params = parseDigestChallenge(options.challenge);
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce') ?? '';
  const ha1 = md5(`${options.username}:${realm}:${options.password}`);
  const ha2 = md5(`${options.method}:${options.uri}`);
  const qops = (params.get('qop') ?? '').split(',').map((q) => q.trim());
  const fields = [`username="${options.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${options.uri}"`];
  if (qops.includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    fields.push(`response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`, 'qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  } else {
    fields.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  fields.push('algorithm=MD5');
  const opaque = params.get('opaque');
  if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
  return `Digest ${fields.join(', ')}`;
}
