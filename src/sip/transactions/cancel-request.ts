import { PortierError } from '../../util/portier-error.js';
import { SipRequest } from '../messages/index.js';

/**
 * Builds the CANCEL for a sent INVITE (RFC 3261 §9.1): "The Request-URI, Call-ID, To, the
 * numeric part of CSeq, and From header fields in the CANCEL request MUST be identical to
 * those in the request being cancelled, including tags. [...] A CANCEL constructed by a
 * client MUST have only a single Via header field value matching the top Via value in the
 * request being cancelled. [...] If the request being cancelled contains a Route header
 * field, the CANCEL request MUST include that Route header field's values."
 * The INVITE must already carry its branch (the transaction layer adds it on send), so that
 * the CANCEL matches the INVITE's server transaction downstream (§9.2).
 */
export function createCancel(invite: SipRequest): SipRequest {
  if (invite.method !== 'INVITE') {
    throw new PortierError('SIP_ERR_CANCEL', `only an INVITE can be cancelled, not ${invite.method}`);
  }
  const topVia = invite.topVia;
  if (!topVia?.branch) {
    throw new PortierError('SIP_ERR_CANCEL', 'the INVITE has no Via branch yet; send it before cancelling it');
  }
  const headers: Array<[string, string]> = [['Via', topVia.toString()]];
  headers.push(['Max-Forwards', String(invite.maxForwards ?? 70)]);
  for (const route of invite.getHeaders('Route')) headers.push(['Route', route]);
  headers.push(['From', invite.getHeader('From') ?? '']);
  headers.push(['To', invite.getHeader('To') ?? '']);
  headers.push(['Call-ID', invite.callId]);
  headers.push(['CSeq', `${invite.cseq.seq} CANCEL`]);
  return SipRequest.create({ method: 'CANCEL', uri: invite.uri.clone(), headers });
}
