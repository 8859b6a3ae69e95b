import type { Logger } from '../../log/logger.js';
import type { TransportProtocol } from './transport-types.js';

/** One socket to open: `port` 0 picks an ephemeral port. */
export interface ListenSpec {
  protocol: TransportProtocol;
  /** Literal IPv4 or IPv6 address; `0.0.0.0` / `::` listen on every interface. */
  address: string;
  port: number;
  /**
   * Host written as Via sent-by (and offered for Contact) instead of the bound
   * address, e.g. a public address or a name. Needed with wildcard addresses on UDP
   * when the interface address cannot be guessed.
   */
  advertisedHost?: string;
}

/** TLS material and policy. PEM texts, not file paths (the config layer reads the files). */
export interface TransportTlsOptions {
  /** Trusted CAs for verifying peers; the Node.js root store when absent. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Our certificate chain: required to listen on TLS, optional (client certificate) when connecting. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Verify the peer's certificate chain and name (default true). Turn off only for lab setups. */
  rejectUnauthorized?: boolean;
  /** Ask TLS clients for a certificate on accepted connections (default false). */
  requestClientCertificate?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** Size and time limits. */
export interface TransportLimits {
  /** Largest message, header plus body, on any transport (default 65536). */
  maxMessageBytes: number;
  /** Connect (and TLS handshake) timeout in ms (default 10 000). */
  connectTimeoutMs: number;
  /** Server-accepted connections close after this long without traffic, in ms (default 600 000; 0 = never). */
  idleTimeoutMs: number;
  /** Connections we opened close after this long without traffic, in ms (default 0 = never: flows are kept by their user's keep-alives). */
  outboundIdleTimeoutMs: number;
  /** Most simultaneous stream connections, TLS handshakes in progress included; further accepted ones are refused (default 256). */
  maxConnections: number;
  /**
   * An accepted connection is closed unless its first message or keep-alive is complete within this
   * many ms of the accept, and each later message within this many ms of its first bytes (default
   * 30 000; 0 = no limit). Bytes dripping in would otherwise refresh the idle timeout for ever.
   */
  messageTimeoutMs: number;
  /**
   * A request larger than this on the wire goes to a UDP target's address and port over TCP
   * instead (RFC 3261 §18.1.1 with the path MTU unknown; default 1300; 0 = never switch).
   */
  maxUdpRequestBytes: number;
}

/** Configuration of a TransportLayer. */
export interface TransportLayerOptions {
  listen: ListenSpec[];
  tls?: TransportTlsOptions;
  limits?: Partial<TransportLimits>;
  logger?: Logger;
}

/** The limits used when none are given. */
export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxMessageBytes: 65536,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  outboundIdleTimeoutMs: 0,
  maxConnections: 256,
  messageTimeoutMs: 30_000,
  maxUdpRequestBytes: 1300,
};
