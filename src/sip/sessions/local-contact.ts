import { SipUri } from '../messages/index.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import type { SendTarget } from '../transport/transport-types.js';

/**
 * Our Contact URI for a dialog whose messages travel to `toward` (RFC 3261 §8.1.1.8, §12.1.1):
 * the transport's sent-by for that peer, so that in-dialog requests come back to the socket
 * that can take them, with `transport=` for streams.
 */
export function localContact(transport: TransportLayer, toward: SendTarget, user: string | undefined): SipUri {
  const sentBy = transport.sentByFor(toward);
  const host = sentBy?.host ?? (toward.address.includes(':') ? '::1' : '127.0.0.1');
  const uri = new SipUri({ host: host.includes(':') && !host.startsWith('[') ? `[${host}]` : host });
  if (sentBy) uri.port = sentBy.port;
  if (user !== undefined) uri.user = user;
  if (toward.protocol !== 'udp') uri.params.set('transport', toward.protocol);
  return uri;
}
