import { isIP } from 'node:net';
import type { SipRequest, Via } from '../messages/index.js';
import type { Endpoint, TransportProtocol } from './transport-types.js';

/** A Via sent-by value: host as a socket would use it (no brackets) and port. */
export interface SentBy {
  host: string;
  port: number;
}

/** The port a Via or URI without one means (RFC 3261 §18.1.1, §19.1.2). */
export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' ? 5061 : 5060;
}

/** The Via transport token of a protocol. */
export function viaTransportToken(protocol: TransportProtocol): string {
  return protocol.toUpperCase();
}

/** Strips the brackets of an IPv6 reference (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Writes an address as a SIP host: IPv6 in brackets. */
export function formatHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/**
 * Canonical form of an address for comparison: IPv4-mapped IPv6 becomes IPv4,
 * IPv6 is compressed and lower-cased, names are lower-cased.
 */
export function normalizeAddress(address: string): string {
  // Most addresses seen are dotted IPv4, already canonical: returned without making strings.
  if (isDottedDecimal(address)) return address;
  const a = unbracket(address).toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (isIP(a) === 6) {
    try {
      return unbracket(new URL(`http://[${a}]/`).hostname);
    } catch {
      return a;
    }
  }
  return a;
}

/** Only digits and dots (an IPv4 literal, or something else that normalizes to itself). */
function isDottedDecimal(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 48 || c > 57) && c !== 46) return false;
  }
  return true;
}

/** Address family (4 or 6) of a literal address; names count as 4. */
export function addressFamily(address: string): 4 | 6 {
  return isIP(unbracket(address)) === 6 ? 6 : 4;
}

/** Key of a sent-by value for the §18.1.2 check. */
export function sentByKey(host: string, port: number): string {
  return `${normalizeAddress(host)}|${port}`;
}

/**
 * Stamps the top Via of an outgoing request (RFC 3261 §18.1.1): the transport token
 * and our sent-by, plus the RFC 3581 `rport` flag unless present. The branch, which
 * the transaction layer owns, is untouched. Returns false when there is no Via.
 */
export function stampTopVia(request: SipRequest, protocol: TransportProtocol, sentBy: SentBy): boolean {
  const top = request.topVia;
  if (!top) return false;
  const via = top.clone();
  via.transport = viaTransportToken(protocol);
  via.host = formatHost(sentBy.host);
  via.port = sentBy.port;
  if (via.params.get('rport') === undefined) via.rport = null;
  request.setTopVia(via);
  return true;
}

/**
 * Records where a request really came from in its top Via: `received` when the
 * sent-by host differs from the source address (RFC 3261 §18.2.1), and, when the
 * `rport` flag is present, `rport=<source port>` plus `received` always (RFC 3581 §4).
 */
export function annotateReceivedVia(request: SipRequest, source: Endpoint): void {
  const via = request.topVia;
  if (!via) return;
  // Changed in place, not cloned: this runs on a request just parsed, whose top Via nobody else
  // holds yet, and setTopVia() replaces the header text (and drops the parsed copy) right after.
  const sourceAddress = normalizeAddress(source.address);
  let changed = false;
  if (normalizeAddress(via.host) !== sourceAddress) {
    via.received = sourceAddress;
    changed = true;
  }
  if (via.params.has('rport')) {
    via.rport = source.port;
    via.received = sourceAddress;
    changed = true;
  }
  if (changed) request.setTopVia(via);
}

/**
 * Where a response goes over UDP or over a new connection (RFC 3261 §18.2.2, RFC 3581 §4):
 * with `maddr`, that address at the sent-by port; with an rport value, the received
 * address (else the source) at that port; otherwise `received` (else the sent-by host)
 * at the sent-by port or the protocol's default port.
 */
export function responseDestination(via: Via, protocol: TransportProtocol, source?: Endpoint): Endpoint {
  const port = via.port ?? defaultPort(protocol);
  const maddr = via.params.get('maddr');
  if (typeof maddr === 'string' && maddr.length > 0) return { address: unbracket(maddr), port };
  const received = via.received !== undefined ? unbracket(via.received) : undefined;
  const rport = via.rport;
  if (protocol === 'udp' && typeof rport === 'number') {
    return { address: received ?? (source ? normalizeAddress(source.address) : unbracket(via.host)), port: rport };
  }
  return { address: received ?? unbracket(via.host), port };
}
