import { createResponse, parseMessage, SipRequest } from '../../../src/sip/messages/index.js';
import type { SipResponse } from '../../../src/sip/messages/index.js';
import type { ReceivedInfo, SendTarget, TransportProtocol } from '../../../src/sip/transport/transport-types.js';

export const UDP_TARGET: SendTarget = { protocol: 'udp', address: '192.0.2.10', port: 5060 };
export const TCP_TARGET: SendTarget = { protocol: 'tcp', address: '192.0.2.10', port: 5060 };

export function receivedInfo(protocol: TransportProtocol = 'udp', remotePort = 5070): ReceivedInfo {
  return {
    protocol,
    local: { address: '192.0.2.1', port: 5060 },
    remote: { address: '192.0.2.20', port: remotePort },
    ...(protocol === 'udp' ? {} : { connectionId: 'conn-1' }),
  };
}

export interface RequestOptions {
  method?: string;
  /** Full top Via value, or null for none. */
  via?: string | null;
  branch?: string;
  toTag?: string;
  fromTag?: string;
  callId?: string;
  seq?: number;
  uri?: string;
  routes?: string[];
  extraVia?: string;
}

/** A request as parsed from the wire. */
export function request(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? 'INVITE';
  const via =
    options.via === null
      ? undefined
      : options.via ?? `SIP/2.0/UDP 192.0.2.20:5070;branch=${options.branch ?? 'z9hG4bKclient1'};rport`;
  const lines = [`${method} ${options.uri ?? 'sip:door@192.0.2.1'} SIP/2.0`];
  if (via !== undefined) lines.push(`Via: ${via}`);
  if (options.extraVia) lines.push(`Via: ${options.extraVia}`);
  lines.push('Max-Forwards: 70');
  for (const route of options.routes ?? []) lines.push(`Route: ${route}`);
  lines.push(`From: "Lobby" <sip:lobby@example.com>;tag=${options.fromTag ?? 'fromtag1'}`);
  lines.push(`To: <sip:door@example.com>${options.toTag ? `;tag=${options.toTag}` : ''}`);
  lines.push(`Call-ID: ${options.callId ?? 'call-1@example.com'}`);
  lines.push(`CSeq: ${options.seq ?? 1} ${method === 'ACK' ? 'ACK' : method}`);
  lines.push('Contact: <sip:lobby@192.0.2.20:5070>');
  lines.push('Content-Length: 0', '', '');
  if (via === undefined) {
    // The parser insists on a Via; build the Via-less request by hand.
    return SipRequest.create({
      method,
      uri: options.uri ?? 'sip:door@192.0.2.1',
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:lobby@example.com>;tag=${options.fromTag ?? 'fromtag1'}`],
        ['To', '<sip:door@example.com>'],
        ['Call-ID', options.callId ?? 'call-1@example.com'],
        ['CSeq', `${options.seq ?? 1} ${method}`],
      ],
    });
  }
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest;
}

/** A response to `req`, as a UAS would send it. */
export function response(req: SipRequest, status: number, toTag?: string): SipResponse {
  return createResponse(req, status, toTag === undefined ? {} : { toTag });
}
