/** The value types shared by the transport layer and the layers above it. */

/** A SIP transport protocol (RFC 3261 §18; TLS over TCP per §26.2). */
export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** An IP endpoint. `address` is a literal IPv4 or IPv6 address (no brackets). */
export interface Endpoint {
  address: string;
  port: number;
}

/** Where to send a request: a resolved next hop (RFC 3263 output). */
export interface SendTarget extends Endpoint {
  protocol: TransportProtocol;
  /** Host name the target was resolved from: TLS server name (SNI) and certificate check. */
  hostname?: string;
}

/** Where and how a message arrived; a server transaction replies through it. */
export interface ReceivedInfo {
  protocol: TransportProtocol;
  local: Endpoint;
  remote: Endpoint;
  /** The stream connection the message came on (TCP/TLS), for responses over the same connection. */
  connectionId?: string;
}

/** Whether a protocol delivers reliably, which zeroes the RFC 3261 §17 wait timers. */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}
