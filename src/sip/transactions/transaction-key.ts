import { MAGIC_COOKIE, uriEquals } from '../messages/index.js';
import type { SipRequest, SipResponse } from '../messages/index.js';

/**
 * How transactions are found (RFC 3261 §17.1.3, §17.2.3). Keys are strings so that a
 * lookup is one Map access; RFC 2543 requests without the magic cookie are compared field
 * by field instead.
 */

/** Key of a client transaction from the branch it put in its top Via and its method. */
export function clientKey(branch: string, method: string): string {
  // join() makes one flat string; a template makes a tree of cons strings, which the Map keeps.
  return [branch, method].join('\u0000');
}

/**
 * §17.1.3: "If the response has the same value of the branch parameter in the top Via header
 * field as the branch parameter in the top Via header field of the request that created the
 * transaction" and "If the method parameter in the CSeq header field matches the method of the
 * request that created the transaction." Undefined when the response has no branch.
 */
export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = response.topVia?.branch;
  return branch ? clientKey(branch, response.cseq.method) : undefined;
}

/** Whether a branch follows RFC 3261 (and so can be matched on by itself, §17.2.3). */
export function hasMagicCookie(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE);
}

/**
 * §17.2.3: "1. the branch parameter in the request is equal to the one in the top Via header
 * field of the request that created the transaction, and 2. the sent-by value in the top Via
 * of the request is equal to the one in the request that created the transaction, and 3. the
 * method of the request matches the one that created the transaction, except for ACK, where
 * the method of the request that created the transaction is INVITE."
 * `method` overrides the request's own method (a CANCEL looks up its INVITE, §9.2).
 */
export function serverKey(request: SipRequest, method: string = request.method): string | undefined {
  const via = request.topVia;
  const branch = via?.branch;
  if (!via || !hasMagicCookie(branch)) return undefined;
  const port = via.port ?? (via.transport === 'TLS' ? 5061 : 5060);
  // join() makes one flat string: the key lives as long as the transaction (32 s for Timer J).
  return [branch, `${via.host.toLowerCase()}:${port}`, method === 'ACK' ? 'INVITE' : method].join('\u0000');
}

/**
 * RFC 2543 fallback (§17.2.3): "The INVITE request matches a transaction if the Request-URI,
 * To tag, From tag, Call-ID, CSeq, and top Via header field match those of the INVITE request
 * which created the transaction." The same test serves other methods' retransmissions, and a
 * CANCEL against its INVITE (§9.2) with `cseqMethod` set to INVITE.
 */
export function legacyRequestMatches(original: SipRequest, request: SipRequest, cseqMethod = request.method): boolean {
  return (
    original.cseq.method === cseqMethod &&
    original.cseq.seq === request.cseq.seq &&
    original.to.tag === request.to.tag &&
    commonFieldsMatch(original, request)
  );
}

/**
 * RFC 2543 fallback for ACK (§17.2.3): "The ACK request matches a transaction if the
 * Request-URI, From tag, Call-ID, CSeq number (not the method), and top Via header field
 * match those of the INVITE request which created the transaction, and the To tag of the ACK
 * matches the To tag of the response sent by the server transaction."
 */
export function legacyAckMatches(invite: SipRequest, sentResponseToTag: string | undefined, ack: SipRequest): boolean {
  return (
    invite.method === 'INVITE' &&
    invite.cseq.seq === ack.cseq.seq &&
    ack.to.tag === sentResponseToTag &&
    commonFieldsMatch(invite, ack)
  );
}

function commonFieldsMatch(a: SipRequest, b: SipRequest): boolean {
  return (
    a.callId === b.callId &&
    a.from.tag === b.from.tag &&
    a.topVia?.toString() === b.topVia?.toString() &&
    uriEquals(a.uri, b.uri)
  );
}
